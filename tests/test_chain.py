"""The recording chain: each stage does what it says, and the same generator gives the same bytes."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from course_utils.synth import chain as ch

SR = 22050
CLEAN = ch.Chain(tilt_db=0.0, reverb_seconds=0.5, reverb_wet=0.0, ratio=1.0, threshold_db=-12.0,
                 drive=0.0, noise_db=-120.0, bandwidth_hz=20000.0, peak_db=-1.0)


def _music(seconds=4.0) -> np.ndarray:
    """Clicks and tones with loud and quiet halves: something to record."""
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * SR)) / SR
    y = 0.3 * np.sin(2 * np.pi * 220 * t) + 0.1 * rng.standard_normal(len(t)) * (t % 0.5 < 0.02)
    return (y * np.where(t < seconds / 2, 1.0, 0.1)).astype(np.float32)


def _run(**changes) -> np.ndarray:
    return ch.apply_chain(_music(), dataclasses.replace(CLEAN, **changes), SR,
                          np.random.default_rng(5))


def _band_energy(y, lo, hi):
    spec = np.abs(np.fft.rfft(y)) ** 2
    f = np.fft.rfftfreq(len(y), 1 / SR)
    return spec[(f >= lo) & (f < hi)].sum() / spec.sum()


def test_a_clean_chain_only_sets_the_level():
    y = _run()
    assert abs(20 * np.log10(np.abs(y).max()) + 1.0) < 0.01
    x = _music()
    assert np.corrcoef(x, y)[0, 1] > 0.9999


def test_bandwidth_limit_removes_the_top():
    assert _band_energy(_run(bandwidth_hz=4000.0), 6000, SR / 2) < 1e-4
    assert _band_energy(_run(), 6000, SR / 2) > 1e-3


def test_tilt_moves_energy_between_lows_and_highs():
    bright, dark = _run(tilt_db=4.0), _run(tilt_db=-4.0)
    assert _band_energy(bright, 3000, SR / 2) > 1.5 * _band_energy(dark, 3000, SR / 2)


def test_reverb_extends_the_tail():
    x = np.zeros(SR * 2, np.float32)
    x[1000] = 1.0
    chain = dataclasses.replace(CLEAN, reverb_seconds=1.0, reverb_wet=0.3)
    y = ch.apply_chain(x, chain, SR, np.random.default_rng(0))
    tail = lambda z: np.sqrt(np.mean(z[1000 + SR // 2:1000 + SR // 2 + 2000] ** 2))
    dry = ch.apply_chain(x, CLEAN, SR, np.random.default_rng(0))
    assert tail(y) > 100 * tail(dry) + 1e-6


def test_compression_narrows_loud_and_quiet():
    half = len(_music()) // 2
    spread = lambda y: np.std(y[:half]) / np.std(y[half:])
    assert spread(_run(ratio=6.0, threshold_db=-30.0)) < 0.6 * spread(_run())


def test_noise_floor_sits_at_its_level():
    y = ch.apply_chain(np.zeros(SR, np.float32), dataclasses.replace(CLEAN, noise_db=-50.0), SR,
                       np.random.default_rng(0))
    assert abs(20 * np.log10(np.std(y)) + 50) < 0.5


def test_saturation_adds_harmonics():
    pure = _run(drive=0.0)
    driven = _run(drive=2.5)
    assert _band_energy(driven, 600, 700) > 10 * _band_energy(pure, 600, 700)   # 3 x 220 Hz


def test_the_same_generator_gives_the_same_bytes():
    c = ch.draw_chain(np.random.default_rng(3))
    a, b = (ch.apply_chain(_music(), c, SR, np.random.default_rng(9)) for _ in range(2))
    assert a.tobytes() == b.tobytes()
    assert ch.apply_chain(_music(), c, SR, np.random.default_rng(10)).tobytes() != a.tobytes()


def test_tracks_stay_near_their_artist_within_the_ranges():
    rng = np.random.default_rng(0)
    artist = ch.draw_chain(rng)
    for _ in range(50):
        track = ch.draw_chain(rng, artist)
        for name, (lo, hi) in ch.RANGES.items():
            value = getattr(track, name)
            assert lo <= value <= hi
            assert abs(value - getattr(artist, name)) <= ch.TRACK_SPREAD * (hi - lo) + 1e-9


@pytest.mark.parametrize("seconds", [0.05, 30.0])
def test_any_length_comes_back_the_same_length(seconds):
    x = np.random.default_rng(0).standard_normal(int(seconds * SR)).astype(np.float32) * 0.1
    y = ch.apply_chain(x, ch.draw_chain(np.random.default_rng(1)), SR, np.random.default_rng(2))
    assert y.shape == x.shape and y.dtype == np.float32 and np.abs(y).max() <= 1.0
