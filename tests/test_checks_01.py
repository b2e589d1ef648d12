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


def test_check_1_3_n_frames():
    assert checks.check_exercise_1_3(lambda n, *, hop_length: 1 + n // hop_length) is True
    assert checks.check_exercise_1_3(lambda n, *, hop_length: n // hop_length) is False

    def calls_librosa(n, *, hop_length):
        import librosa
        return librosa.stft(np.zeros(n), hop_length=hop_length).shape[1]
    assert checks.check_exercise_1_3(calls_librosa) is False
    assert checks.check_exercise_1_3(not_done) is None


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
