"""Check cells for the lessons' exercises: ``check_exercise_3_2(...)``.

Each check says in its docstring what it verifies, prints expected versus
actual with a hint when an answer is wrong, and reports an unsolved exercise
(a stub that raises ``NotImplementedError``, or a value left as ``...``) as
"not done yet" in plain output, so a student notebook runs top to bottom.
Checks return ``True`` (passed), ``False`` (wrong) or ``None`` (not done).

Under grading they are strict instead: when nbgrader autogrades or validates a
notebook (it sets ``NBGRADER_EXECUTION``), or with ``COURSE_STRICT_CHECKS=1``,
a wrong or missing answer raises :class:`AnswerError` (an ``AssertionError``),
so nbgrader scores that check cell zero.

An exercise that says "write it yourself" is watched as it runs (``write_it_yourself``): a
call into the library code it stands in for fails the check, whatever name reached it (an
alias made in another cell, a helper, a method of an object), so calling the twin earns no
point. A leaf package: it may use everything
else in the course_utils package.

Layout: ``_frame`` (the decorator, strict mode, ``mine_or_library``), ``_keras`` (the
model-inspection helpers of the model-building checks) and one module a lesson,
``lesson01`` to ``lesson09``; every check is re-exported here, so lessons call
``checks.check_exercise_3_2(...)``.
"""
from __future__ import annotations

from ._frame import (AnswerError, CheckFailed, close, exercise, expect, mine_or_library, strict,
                     write_it_yourself)
from .lesson01 import (check_exercise_1_1, check_exercise_1_2, check_exercise_1_4,
                       check_exercise_1_5, check_exercise_1_6)
from .lesson02 import (check_exercise_2_3, check_exercise_2_4, check_exercise_2_5,
                       check_exercise_2_6, check_exercise_2_7)
from .lesson03 import (check_exercise_3_1, check_exercise_3_2, check_exercise_3_3,
                       check_exercise_3_4, check_exercise_3_6, check_exercise_3_7)
from .lesson04 import (check_exercise_4_2, check_exercise_4_3, check_exercise_4_4,
                       check_exercise_4_5, check_exercise_4_6)
from .lesson05 import (check_exercise_5_1, check_exercise_5_2, check_exercise_5_3,
                       check_exercise_5_4)
from .lesson06 import (check_exercise_6_2, check_exercise_6_3, check_exercise_6_6,
                       check_exercise_6_7, check_exercise_6_8, check_exercise_6_9,
                       check_exercise_6_10)
from .lesson07 import (check_exercise_7_2, check_exercise_7_4, check_exercise_7_5,
                       check_exercise_7_6)
from .lesson08 import (check_exercise_8_1, check_exercise_8_2, check_exercise_8_3,
                       check_exercise_8_4)
from .lesson09 import (check_exercise_9_1, check_exercise_9_2, check_exercise_9_3,
                       check_exercise_9_4)

__all__ = ["AnswerError", "CheckFailed", "close", "exercise", "expect", "mine_or_library",
           "strict", "write_it_yourself",
           "check_exercise_1_1", "check_exercise_1_2", "check_exercise_1_4",
           "check_exercise_1_5", "check_exercise_1_6", "check_exercise_2_3",
           "check_exercise_2_6", "check_exercise_2_7", "check_exercise_2_4",
           "check_exercise_2_5", "check_exercise_3_1", "check_exercise_3_2",
           "check_exercise_3_3", "check_exercise_3_4", "check_exercise_3_6",
           "check_exercise_3_7", "check_exercise_4_2", "check_exercise_4_3",
           "check_exercise_4_4", "check_exercise_4_5", "check_exercise_4_6",
           "check_exercise_5_1", "check_exercise_5_2", "check_exercise_5_3",
           "check_exercise_5_4", "check_exercise_6_2", "check_exercise_6_3",
           "check_exercise_6_6", "check_exercise_6_7", "check_exercise_6_8",
           "check_exercise_6_9", "check_exercise_6_10", "check_exercise_7_2",
           "check_exercise_7_4", "check_exercise_7_5", "check_exercise_7_6",
           "check_exercise_8_1", "check_exercise_8_2", "check_exercise_8_3",
           "check_exercise_8_4", "check_exercise_9_1", "check_exercise_9_2",
           "check_exercise_9_3", "check_exercise_9_4"]
