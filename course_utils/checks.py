"""Check cells for the lessons' exercises: ``check_exercise_3_2(...)``.

Each check says in its docstring what it verifies, prints expected versus
actual with a hint when an answer is wrong, and reports an unsolved exercise
(a stub that raises ``NotImplementedError``, or a value left as ``...``) as
"not done yet" in plain output, so a student notebook runs top to bottom.
Checks return ``True`` (passed), ``False`` (wrong) or ``None`` (not done).
A leaf module: it may use everything else in the package.
"""
from __future__ import annotations

import functools
from typing import Callable

import numpy as np


class CheckFailed(Exception):
    """Raised inside a check when an answer is wrong; the decorator prints it."""


def expect(ok: bool, *, expected, actual, hint: str = "") -> None:
    """Fail the current check unless ``ok``, showing expected versus actual."""
    if not ok:
        message = f"expected {expected}, got {actual}."
        raise CheckFailed(message + (f" Hint: {hint}" if hint else ""))


def _unsolved(value) -> bool:
    return value is Ellipsis or (isinstance(value, (tuple, list)) and Ellipsis in value)


def exercise(number: str) -> Callable:
    """Decorate a check: handles "not done yet", wrong answers and errors as plain output."""
    def wrap(check: Callable) -> Callable:
        @functools.wraps(check)
        def run(*args, **kwargs):
            label = f"Exercise {number}"
            if any(_unsolved(a) for a in (*args, *kwargs.values())):
                print(f"⏳ {label}: not done yet (replace the ... with your answer).")
                return None
            try:
                check(*args, **kwargs)
            except NotImplementedError:
                print(f"⏳ {label}: not done yet (the function still raises NotImplementedError).")
                return None
            except CheckFailed as err:
                print(f"❌ {label}: {err}")
                return False
            except Exception as err:  # the learner's code crashed: say so, don't stop the run
                print(f"❌ {label}: your code raised {type(err).__name__}: {err}")
                return False
            print(f"✅ {label}: passed.")
            return True
        return run
    return wrap


def close(a, b, *, rtol: float = 1e-4, atol: float = 1e-4) -> bool:
    """``np.allclose`` that is False (not an error) when shapes differ."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


# Lesson checks follow, one section per lesson, in lesson order.
# --- 01_audio_basics ----------------------------------------------------------

# --- 02_feature_extraction ----------------------------------------------------

# --- 03_cnn --------------------------------------------------------------------

# --- 04_lstm -------------------------------------------------------------------

# --- 05_hybrid -----------------------------------------------------------------

# --- 06_evaluation -------------------------------------------------------------

# --- 07_your_own_music ---------------------------------------------------------
