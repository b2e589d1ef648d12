"""Tests for the grading frame of course_utils.checks: pass, fail, "not done yet" and a
crash, as plain output. Each lesson's checks are tested in tests/test_checks_NN.py."""
from __future__ import annotations

import numpy as np

from course_utils import checks


@checks.exercise("0.1")
def check_double(fn):
    """Verifies that fn doubles a number."""
    checks.expect(fn(2) == 4, expected=4, actual=fn(2), hint="multiply by 2")


def test_framework_pass_fail_not_done_and_crash(capsys):
    assert check_double(lambda x: 2 * x) is True
    assert check_double(lambda x: x + 3) is False
    out = capsys.readouterr().out
    assert "expected 4, got 5. Hint: multiply by 2" in out

    def stub(x):
        raise NotImplementedError("Exercise 0.1: double")
    assert check_double(stub) is None
    assert check_double(...) is None
    assert check_double(lambda x: 1 / 0) is False
    out = capsys.readouterr().out
    assert out.count("not done yet") == 2 and "ZeroDivisionError" in out
    assert "Traceback" not in out


def test_close_is_false_on_shape_mismatch():
    assert checks.close(np.ones(3), np.ones(3)) and not checks.close(np.ones(3), np.ones(4))
