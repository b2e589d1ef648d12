"""Tests for the checks of lesson 01_audio_basics (course_utils.checks.lesson01): each
check accepts the reference solution and rejects known-wrong answers."""
from __future__ import annotations

import numpy as np

from course_utils import checks
from fakes import not_done
from solution_code import exercises


def test_check_1_1_seconds_to_samples():
    assert checks.check_exercise_1_1(lambda seconds, *, sr: int(round(seconds * sr))) is True
    assert checks.check_exercise_1_1(lambda seconds, *, sr: seconds / sr) is False
    assert checks.check_exercise_1_1(lambda seconds, *, sr: seconds * sr) is False  # a float
    assert checks.check_exercise_1_1(not_done) is None


def test_check_1_2_amplitude_to_db():
    def amplitude_to_db(a, *, ref=1.0, amin=1e-5):
        return 20.0 * np.log10(np.maximum(np.abs(a), amin) / ref)

    def power_formula(a, *, ref=1.0, amin=1e-5):    # 10 log10 is for power, not amplitude
        return 10.0 * np.log10(np.maximum(np.abs(a), amin) / ref)

    def no_floor(a, *, ref=1.0, amin=1e-5):
        with np.errstate(divide="ignore"):
            return 20.0 * np.log10(np.abs(a) / ref)

    assert checks.check_exercise_1_2(amplitude_to_db) is True
    assert checks.check_exercise_1_2(power_formula) is False
    assert checks.check_exercise_1_2(no_floor) is False

    def calls_librosa(a, *, ref=1.0, amin=1e-5):     # passes the numbers, but is not the exercise
        import librosa
        return librosa.amplitude_to_db(np.abs(a), ref=ref, amin=amin, top_db=None)
    assert checks.check_exercise_1_2(calls_librosa) is False
    assert checks.check_exercise_1_2(not_done) is None


def test_check_1_4_hz_to_mel():
    assert checks.check_exercise_1_4(lambda f: 2595 * np.log10(1 + np.asarray(f) / 700)) is True
    assert checks.check_exercise_1_4(lambda f: 1127 * np.log(1 + np.asarray(f) / 700)) is True
    assert checks.check_exercise_1_4(lambda f: 2595 * np.log(1 + np.asarray(f) / 700)) is False
    import librosa
    assert checks.check_exercise_1_4(lambda f: librosa.hz_to_mel(f, htk=True)) is False
    assert checks.check_exercise_1_4(not_done) is None


def test_check_1_5_loudness_curve():
    loudness_curve = exercises("01")["loudness_curve"]
    assert checks.check_exercise_1_5(loudness_curve) is True

    def centred(y, *, frame_length=2048, hop_length=512):    # pads like center=True
        y = np.pad(y, frame_length // 2)
        return loudness_curve(y, frame_length=frame_length, hop_length=hop_length)

    def power_db(y, *, frame_length=2048, hop_length=512):   # 10 log10 of the RMS
        return loudness_curve(y, frame_length=frame_length, hop_length=hop_length) / 2

    def calls_librosa(y, *, frame_length=2048, hop_length=512):
        import librosa
        rms = librosa.feature.rms(y=y, frame_length=frame_length, hop_length=hop_length,
                                  center=False)[0]
        return 20 * np.log10(np.maximum(rms, 1e-5))

    for wrong in (centred, power_db, calls_librosa):
        assert checks.check_exercise_1_5(wrong) is False, wrong.__name__
    assert checks.check_exercise_1_5(not_done) is None


def test_check_1_6_quiet_passage():
    quiet_passage = exercises("01")["quiet_passage"]
    assert checks.check_exercise_1_6(quiet_passage) is True

    def variant(level_db, *, threshold, pick, hop_length=512, sr=22050, below_db=10.0):
        quiet = level_db < threshold(level_db) - below_db
        runs, start = [], None
        for i, q in enumerate(list(quiet) + [False]):
            if q and start is None:
                start = i
            elif not q and start is not None:
                runs.append((start, i))
                start = None
        if not runs:
            return 0.0, 0.0
        a, b = pick(runs)
        return a * hop_length / sr, b * hop_length / sr

    longest = lambda runs: max(runs, key=lambda r: r[1] - r[0])        # ties: the first
    wrong = {
        "first run": dict(threshold=np.median, pick=lambda runs: runs[0]),
        "last of a tie": dict(threshold=np.median, pick=lambda runs: max(
            reversed(runs), key=lambda r: r[1] - r[0])),
        "from the maximum": dict(threshold=np.max, pick=longest),
        "from the mean": dict(threshold=np.mean, pick=longest),
    }
    assert checks.check_exercise_1_6(
        lambda level, **kw: variant(level, threshold=np.median, pick=longest, **kw)) is True
    for name, how in wrong.items():
        assert checks.check_exercise_1_6(lambda level, **kw: variant(level, **how, **kw)) is \
            False, name

    def last_frame_is_the_end(level_db, *, hop_length=512, sr=22050, below_db=10.0):
        start, end = quiet_passage(level_db, hop_length=hop_length, sr=sr, below_db=below_db)
        return start, max(start, end - hop_length / sr)              # one frame short
    assert checks.check_exercise_1_6(last_frame_is_the_end) is False
    assert checks.check_exercise_1_6(not_done) is None
