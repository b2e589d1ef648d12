"""A recording chain: what a studio and a release do to a mix, drawn once per track.

Real recordings carry their production: an equaliser's tilt, a room's reverb,
a compressor, a little saturation, the noise floor of the gear, the bandwidth of
the format it passed through (many GTZAN clips stop near 11 kHz) and a mastered
level. Every segment of a track shares them, which is why segments of one track
are easier to tell apart from other tracks than genres are, and why a split that
puts segments of one track on both sides flatters a model.

:func:`draw_chain` draws a :class:`Chain` (an artist's chain, varied a little per
track); :func:`apply_chain` applies it to a whole clip. Every stage is broadband:
nothing tonal or narrow-band (a hum, a pilot tone, a notch) marks a track, since
that would be a fingerprint no real genre has. scipy does the filtering; nothing
here needs a system library. Introduced in 01_audio_basics.

Examples
--------
>>> import numpy as np
>>> chain = draw_chain(np.random.default_rng(0))
>>> y = apply_chain(np.zeros(22050, np.float32), chain, 22050, np.random.default_rng(1))
>>> y.shape, bool(np.abs(y).max() < 0.01)          # silence in, the noise floor out
((22050,), True)
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np
from scipy import signal

from .sound import _sos

# Ranges each parameter is drawn from (an artist's value, then a track's small change).
RANGES = {
    "tilt_db": (-4.0, 4.0),          # high shelf at 2 kHz minus low shelf at 200 Hz
    "reverb_seconds": (0.15, 2.2),   # RT60 of the room
    "reverb_wet": (0.0, 0.35),       # share of reverberated signal
    "ratio": (1.0, 6.0),             # compressor ratio (1 = off)
    "threshold_db": (-24.0, -6.0),   # compressor threshold, dB below the mix's peak
    "drive": (0.0, 2.5),             # tanh saturation (0 = clean)
    "noise_db": (-78.0, -54.0),      # broadband noise floor, dBFS
    "bandwidth_hz": (5500.0, 10900.0),   # lowpass of the format (10.9 kHz: no limit at 22 kHz)
    "peak_db": (-6.0, -0.5),         # mastered peak level, dBFS
}
TRACK_SPREAD = 0.15   # a track moves its artist's values by up to this share of each range


@dataclass(frozen=True)
class Chain:
    """The recording chain of one track; see ``RANGES`` for each field's meaning."""

    tilt_db: float
    reverb_seconds: float
    reverb_wet: float
    ratio: float
    threshold_db: float
    drive: float
    noise_db: float
    bandwidth_hz: float
    peak_db: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(float(v), 3) for k, v in asdict(self).items()}


def draw_chain(rng: np.random.Generator, artist: Chain | None = None, *,
               spread: float = TRACK_SPREAD) -> Chain:
    """A chain drawn from ``RANGES``, or ``artist``'s moved by up to ``spread`` of each range."""
    values = {}
    for f in fields(Chain):
        lo, hi = RANGES[f.name]
        if artist is None:
            values[f.name] = float(rng.uniform(lo, hi))
        else:
            moved = getattr(artist, f.name) + spread * (hi - lo) * rng.uniform(-1, 1)
            values[f.name] = float(np.clip(moved, lo, hi))
    return Chain(**values)


def apply_chain(y: np.ndarray, chain: Chain, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Record ``y`` through ``chain``: EQ, room, compressor, saturation, format, level, noise.

    Returns float32 of the same length, peaking at ``chain.peak_db`` dBFS (unless
    ``y`` is silent: then the noise floor alone). ``rng`` draws the room's impulse
    response and the noise, so the same generator state gives the same bytes.
    """
    x = np.asarray(y, dtype=np.float64)
    x = _tilt(x, chain.tilt_db, sr)
    x = _reverb(x, chain.reverb_seconds, chain.reverb_wet, sr, rng)
    x = _compress(x, chain.ratio, chain.threshold_db, sr)
    if chain.drive > 0.05:
        peak = np.abs(x).max() + 1e-12
        x = np.tanh(chain.drive * x / peak) / np.tanh(chain.drive) * peak
    if chain.bandwidth_hz < 0.49 * sr:
        x = signal.sosfilt(_sos(sr, round(chain.bandwidth_hz), "lowpass", 8), x)
    peak = np.abs(x).max()
    if peak > 1e-9:
        x *= 10 ** (chain.peak_db / 20) / peak
    x = x + 10 ** (chain.noise_db / 20) * rng.standard_normal(len(x))
    return np.clip(x, -1.0, 1.0).astype(np.float32)


def _tilt(x: np.ndarray, tilt_db: float, sr: int) -> np.ndarray:
    """Half the tilt up above 2 kHz, half down below 200 Hz (or the reverse)."""
    lows, highs = signal.sosfilt(_sos(sr, 200, "lowpass", 2), x), signal.sosfilt(
        _sos(sr, 2000, "highpass", 2), x)
    gain = lambda db: 10 ** (db / 20) - 1
    return x + gain(-tilt_db / 2) * lows + gain(tilt_db / 2) * highs


def _reverb(x: np.ndarray, seconds: float, wet: float, sr: int,
            rng: np.random.Generator) -> np.ndarray:
    """A room: exponentially decaying noise (RT60 ``seconds``, darker as it decays)."""
    if wet <= 0.005:
        return x
    n = int(seconds * sr)
    t = np.arange(n) / sr
    tail = rng.standard_normal(n) * 10 ** (-3 * t / seconds)      # -60 dB at RT60
    dark = signal.sosfilt(_sos(sr, 3000, "lowpass", 2), tail)
    ir = np.where(t < seconds / 3, tail, dark)
    ir /= np.sqrt(np.sum(ir ** 2)) + 1e-12
    wet_signal = signal.fftconvolve(x, ir)[:len(x)]
    return (1 - wet) * x + wet * wet_signal * (np.std(x) / (np.std(wet_signal) + 1e-12))


def _compress(x: np.ndarray, ratio: float, threshold_db: float, sr: int) -> np.ndarray:
    """A feed-forward RMS compressor (10 ms attack, 150 ms release), threshold set
    below the mix's own peak level."""
    if ratio <= 1.05:
        return x
    power = signal.lfilter([0.0015], [1, -0.9985], x ** 2)     # ~30 ms RMS window at 22 kHz
    level = 10 * np.log10(power + 1e-12)
    threshold = level.max() + threshold_db
    over = np.maximum(level - threshold, 0)
    gain_db = -over * (1 - 1 / ratio)
    smooth = _smooth_gain(gain_db, sr)
    return x * 10 ** (smooth / 20)


def _smooth_gain(gain_db: np.ndarray, sr: int, attack: float = 0.01,
                 release: float = 0.15) -> np.ndarray:
    """Gain reduction that falls fast (attack) and recovers slowly (release): the
    minimum of two one-pole smoothings of it, which is vectorised and close enough."""
    fast = signal.lfilter([1 - np.exp(-1 / (attack * sr))], [1, -np.exp(-1 / (attack * sr))],
                          gain_db)
    slow = signal.lfilter([1 - np.exp(-1 / (release * sr))], [1, -np.exp(-1 / (release * sr))],
                          gain_db)
    return np.minimum(fast, slow)
