"""The grading frame of the checks: the ``exercise`` decorator, strict mode under
nbgrader, ``mine_or_library`` and the small comparison helpers every lesson's checks use."""
from __future__ import annotations

import functools
import os

from typing import Callable

import numpy as np


class CheckFailed(Exception):
    """Raised inside a check when an answer is wrong; the decorator prints it."""


class AnswerError(AssertionError):
    """A wrong or missing answer, raised instead of printed in strict mode (grading)."""


def strict() -> bool:
    """True while nbgrader grades or validates, or with ``COURSE_STRICT_CHECKS=1``."""
    return bool(os.environ.get("NBGRADER_EXECUTION")) or \
        os.environ.get("COURSE_STRICT_CHECKS", "").strip().lower() in {"1", "true", "yes", "on"}


def _report(symbol: str, message: str, result):
    """Print a learner's result; under grading, raise for anything but a pass."""
    if symbol != "✅" and strict():
        raise AnswerError(message)
    print(f"{symbol} {message}")
    return result


def expect(ok: bool, *, expected, actual, hint: str = "") -> None:
    """Fail the current check unless ``ok``, showing expected versus actual."""
    if not ok:
        message = f"expected {expected}, got {actual}."
        raise CheckFailed(message + (f" Hint: {hint}" if hint else ""))


def _unsolved(value) -> bool:
    return value is Ellipsis or (isinstance(value, (tuple, list)) and Ellipsis in value)


_RESULTS: dict[str, bool | None] = {}    # the last result of each exercise's check


def mine_or_library(number: str, mine, library, what: str):
    """``mine`` if exercise ``number``'s check last passed, else ``library`` (said in one
    line), so a lesson uses the learner's code and still runs when it is not done yet."""
    if _RESULTS.get(number) is True:
        return mine
    print(f"Exercise {number} is not solved yet: {what} comes from the library for now.")
    return library


def exercise(number: str) -> Callable:
    """Decorate a check: handles "not done yet", wrong answers and errors as plain output."""
    def wrap(check: Callable) -> Callable:
        @functools.wraps(check)
        def run(*args, **kwargs):
            _RESULTS[number] = result = _run(*args, **kwargs)
            return result

        def _run(*args, **kwargs):
            label = f"Exercise {number}"
            if any(_unsolved(a) for a in (*args, *kwargs.values())):
                return _report("⏳", f"{label}: not done yet (replace the ... with your answer).",
                               None)
            try:
                check(*args, **kwargs)
            except NotImplementedError:
                return _report("⏳", f"{label}: not done yet (the function still raises "
                                     "NotImplementedError).", None)
            except CheckFailed as err:
                return _report("❌", f"{label}: {err}", False)
            except Exception as err:  # the learner's code crashed: say so, don't stop the run
                return _report("❌", f"{label}: your code raised {type(err).__name__}: {err}",
                               False)
            return _report("✅", f"{label}: passed.", True)
        return run
    return wrap


def _names_used(fn: Callable) -> set[str]:
    """Global and attribute names a function's code refers to, nested functions included."""
    names, stack = set(), [getattr(fn, "__code__", None)]
    while stack:
        code = stack.pop()
        if code is None:
            continue
        names.update(code.co_names)
        stack.extend(c for c in code.co_consts if hasattr(c, "co_names"))
    return names


def write_it_yourself(fn: Callable, forbidden: set[str], what: str) -> None:
    """Fail when ``fn`` calls one of the ``forbidden`` names instead of computing the answer."""
    used = sorted(_names_used(fn) & forbidden)
    expect(not used, expected=f"{what} written with numpy", actual=f"a call of {', '.join(used)}",
           hint="the check compares with that function; the exercise is to write it yourself.")


def close(a, b, *, rtol: float = 1e-4, atol: float = 1e-4) -> bool:
    """``np.allclose`` that is False (not an error) when shapes differ."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))
