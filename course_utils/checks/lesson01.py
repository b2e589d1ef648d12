"""Checks of lesson 01_audio_basics."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._frame import close, exercise, expect, write_it_yourself


@exercise("1.1")
def check_exercise_1_1(seconds_to_samples: Callable) -> None:
    """Verifies ``seconds_to_samples(seconds, sr=...)`` on six durations and two rates,
    including 0.7 s at 22050 Hz, whose product is 15434.999... in floating point (so
    ``int()`` alone truncates to 15434), and that it returns an ``int``."""
    for seconds, sr, want in ((3.0, 22050, 66150), (30, 22050, 661500), (0.5, 44100, 22050),
                              (0.1, 22050, 2205), (1 / 3, 44100, 14700),
                              (0.7, 22050, 15435)):     # 0.7 * 22050 = 15434.999...: round
        got = seconds_to_samples(seconds, sr=sr)
        expect(isinstance(got, (int, np.integer)), expected="an int", actual=type(got).__name__,
               hint="wrap the result in int(round(...)).")
        expect(got == want, expected=f"{want} samples for {seconds:.3g} s at {sr} Hz",
               actual=got, hint="samples = seconds * sr (multiply, then round).")


@exercise("1.2")
def check_exercise_1_2(amplitude_to_db: Callable) -> None:
    """Verifies ``amplitude_to_db`` against ``librosa.amplitude_to_db(..., top_db=None)`` on an
    array with a negative sample and a silent one, with ``ref=1`` and ``ref=0.5``; calling
    librosa instead of writing the formula fails."""
    import librosa
    amplitude_to_db = write_it_yourself(amplitude_to_db, [librosa], "decibels")
    a = np.array([1.0, 0.5, 0.1, 0.01, -0.5, 0.0])
    for ref in (1.0, 0.5):
        want = librosa.amplitude_to_db(np.abs(a), ref=ref, amin=1e-5, top_db=None)
        got = np.asarray(amplitude_to_db(a, ref=ref), dtype=float)
        expect(close(got, want, atol=1e-3), expected=np.round(want, 2).tolist(),
               actual=np.round(got, 2).tolist(),
               hint="20 * log10(max(|a|, amin) / ref): use np.abs, np.maximum and 20, not 10.")


@exercise("1.4")
def check_exercise_1_4(hz_to_mel: Callable) -> None:
    """Verifies ``hz_to_mel`` against ``librosa.hz_to_mel(f, htk=True)`` on an array of six
    frequencies and on a single number; calling librosa instead of the formula fails."""
    import librosa
    hz_to_mel = write_it_yourself(hz_to_mel, [librosa], "the mel formula")
    f = np.array([0.0, 100.0, 440.0, 1000.0, 4000.0, 11025.0])
    want = librosa.hz_to_mel(f, htk=True)
    got = np.asarray(hz_to_mel(f), dtype=float)
    expect(close(got, want, atol=0.01), expected=np.round(want, 1).tolist(),
           actual=np.round(got, 1).tolist(), hint="m = 2595 * log10(1 + f / 700).")
    one = float(np.asarray(hz_to_mel(1000.0)))
    expect(abs(one - 1000.0) < 0.1, expected="about 1000 mel for 1000 Hz", actual=round(one, 2),
           hint="it must work on a plain number too.")


@exercise("1.5")
def check_exercise_1_5(loudness_curve: Callable) -> None:
    """Verifies ``loudness_curve(y, frame_length=..., hop_length=...)`` against
    ``librosa.feature.rms(..., center=False)`` in dBFS (``amin=1e-5``) on a signal that grows
    louder, with a silent stretch, for two frame settings; calling librosa fails."""
    import librosa
    loudness_curve = write_it_yourself(loudness_curve, [librosa], "the loudness curve")
    rng = np.random.default_rng(2)
    y = (rng.normal(size=30000) * np.linspace(0.01, 0.5, 30000)).astype(np.float32)
    y[10000:14000] = 0.0
    for frame_length, hop in ((2048, 512), (1000, 300)):
        rms = librosa.feature.rms(y=y, frame_length=frame_length, hop_length=hop, center=False)[0]
        want = 20 * np.log10(np.maximum(rms, 1e-5))
        got = np.asarray(loudness_curve(y, frame_length=frame_length, hop_length=hop), float)
        expect(got.shape == want.shape, expected=f"{len(want)} frames (frame_length="
                                                 f"{frame_length}, hop_length={hop})",
               actual=got.shape, hint="frames start at 0, hop, 2*hop, ... while a whole frame "
                                      "fits (no padding): 1 + (len(y) - frame_length) // hop.")
        expect(close(got, want, atol=1e-3), expected=f"RMS in dBFS, e.g. {want[:3].round(2)}",
               actual=got[:3].round(2), hint="sqrt(mean(frame ** 2)), then 20 log10 with "
                                             "the floor amin=1e-5 (silence is -100 dB).")


@exercise("1.6")
def check_exercise_1_6(quiet_passage: Callable) -> None:
    """Verifies ``quiet_passage(level_db, hop_length=..., sr=..., below_db=...)`` against
    ``features.quiet_passage`` on six made-up loudness curves: the longest run of frames more
    than ``below_db`` under the median level, in seconds (a run's end is where the frame after
    it starts); a longer run after a shorter one, a run that reaches the last frame, a tie (the
    first run wins), a curve whose peaks would move a threshold taken from the maximum, and
    one with no quiet frame (``(0.0, 0.0)``); without calling ``features.quiet_passage``."""
    from .. import features
    quiet_passage = write_it_yourself(quiet_passage, [features.quiet_passage],
                                      "the quiet passage")
    rng = np.random.default_rng(6)
    base = -12 + rng.normal(0, 1, 400)
    later_longer = base.copy(); later_longer[40:60] -= 20; later_longer[200:290] -= 15
    to_the_end = base.copy(); to_the_end[330:] -= 18
    tie = base.copy(); tie[50:70] -= 20; tie[300:320] -= 20
    peaks = base.copy(); peaks[::25] = 10.0; peaks[100:130] -= 11   # max-based: wrong
    flat = base.copy()
    for name, level, hop, sr in (("a longer run after a shorter one", later_longer, 512, 22050),
                                 ("a run that reaches the last frame", to_the_end, 512, 22050),
                                 ("two runs of the same length", tie, 256, 16000),
                                 ("drum-hit peaks", peaks, 512, 22050),
                                 ("no quiet frame", flat, 512, 22050)):
        want = features.quiet_passage(level, hop_length=hop, sr=sr, below_db=10.0)
        got = quiet_passage(level.copy(), hop_length=hop, sr=sr, below_db=10.0)
        got = tuple(float(v) for v in got) if got is not None else got
        expect(got is not None and len(got) == 2 and close(got, want, atol=1e-6),
               expected=f"({want[0]:.3f}, {want[1]:.3f}) s for {name}", actual=got,
               hint={"a longer run after a shorter one": "keep the longest run, not the first.",
                     "a run that reaches the last frame": "a run still open at the end ends "
                                                          "at len(level_db) * hop_length / sr.",
                     "two runs of the same length": "of two equally long runs, keep the first.",
                     "drum-hit peaks": "measure from the median level (np.median), not the "
                                       "maximum: a few loud hits must not move the threshold.",
                     "no quiet frame": "return (0.0, 0.0) when no frame is quiet."}[name])
