"""The grading frame of the checks: the ``exercise`` decorator, strict mode under
nbgrader, ``mine_or_library`` and the small comparison helpers every lesson's checks use."""
from __future__ import annotations

import functools
import inspect
import os
import sys
import types
from pathlib import Path
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


def _watch_list(forbidden) -> tuple[dict, dict]:
    """What to watch for: ``{code object: name}`` of the forbidden functions (a class stands
    for every function defined in it; a wrapped function for what it wraps) and
    ``{folder or file: name}`` of the forbidden modules and packages."""
    codes, places = {}, {}
    for item in forbidden:
        if isinstance(item, types.ModuleType):
            file = Path(item.__file__)
            place = f"{file.parent}{os.sep}" if file.name == "__init__.py" else str(file)
            places[place] = item.__name__
            continue
        members = vars(item).values() if isinstance(item, type) else [item]
        for member in members:
            member = getattr(member, "__func__", member)          # classmethod, staticmethod
            member = inspect.unwrap(member) if callable(member) else member
            code = getattr(member, "__code__", None)
            if code is not None:
                codes[code] = f"{getattr(item, '__module__', '')}.{item.__qualname__}"
    return codes, places


def write_it_yourself(fn: Callable, forbidden, what: str) -> Callable:
    """``fn``, watched: each call fails the check when any of ``forbidden`` runs during it.

    ``forbidden`` holds the library functions, classes and modules the exercise asks the
    learner to write without (a class stands for its methods, a module or package for every
    function in its files). What runs is watched (``sys.setprofile``), not what the code
    names, so a function reached by an alias made in another cell, through a helper, or as a
    method of an object passed in is seen, and a function defined in a kernel (no source
    file) is checked like any other.
    """
    codes, places = _watch_list(forbidden)

    @functools.wraps(fn)
    def watched(*args, **kwargs):
        seen: list[str] = []

        def profile(frame, event, arg):
            if event != "call":
                return
            code = frame.f_code
            if code in codes:
                seen.append(codes[code])
            elif places:
                seen.extend(name for place, name in places.items()
                            if code.co_filename.startswith(place))

        previous = sys.getprofile()
        sys.setprofile(profile)
        try:
            result = fn(*args, **kwargs)
        finally:
            sys.setprofile(previous)
        if seen:
            expect(False, expected=f"{what} written yourself",
                   actual=f"a call of {', '.join(dict.fromkeys(seen))} while your function ran",
                   hint="the check compares with that library code; the exercise is to write "
                        "it yourself.")
        return result
    return watched


def close(a, b, *, rtol: float = 1e-4, atol: float = 1e-4) -> bool:
    """``np.allclose`` that is False (not an error) when shapes differ."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))
