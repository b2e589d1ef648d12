"""Synthesised sound for the synthetic set: wavetable instruments and shared filters.

Pitched parts rendered here are wavetable tones whose spectrum moves from bright to
dull, as plucked and struck strings do; the set uses them where real productions
use a synthesiser too (hip-hop's 808 sub-bass), and every other part is played by
``soundfont``. ``_sos`` is the cached Butterworth design ``chain`` and ``soundfont``
share. Everything here turns numbers into waveforms and knows nothing about genres
(see ``styles``) or songs (see ``score``). Introduced in 01_audio_basics.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import signal

_TABLE = 2048              # wavetable length (one period)


# ============================================================================
# Instruments: wavetable tones whose spectrum moves from bright to dull
# ============================================================================
@dataclass(frozen=True)
class Instrument:
    """A pitched timbre: harmonic spectrum, envelope and modulation.

    Harmonic ``k`` has amplitude ``k ** -tilt`` at the attack and
    ``k ** -tilt_end`` once the tone settles (after ``bright_decay`` seconds),
    which is how plucked and struck strings lose their brightness.
    """

    tilt: float                  # spectral slope at the attack
    tilt_end: float              # spectral slope of the settled tone
    bright_decay: float          # seconds; 0 = brightness follows loudness (brass)
    attack: float                # seconds
    decay: float                 # amplitude decay time constant, seconds (inf: held)
    sustain: float               # level the decay settles to (0 = plucked)
    release: float               # seconds after the note ends
    pluck: float = 0.0           # pluck position along the string (comb notches)
    even: float = 1.0            # gain of even harmonics (0: hollow, clarinet-like)
    harmonics: tuple = ()        # explicit harmonic levels (organ drawbars)
    formants: tuple = ()         # (centre Hz, width Hz) resonances
    vibrato: tuple = (0.0, 0.0)  # (rate Hz, depth in semitones)
    detune: float = 0.0          # cents of a second oscillator (chorus, ensemble)
    drive: float = 0.0           # tanh distortion of the whole part (guitar amp)
    n_harm: int = 40             # most harmonics rendered
    vowels: bool = False         # formants change from note to note (a voice)


# Each entry: spectrum (tilt, tilt_end, bright_decay), then envelope (attack,
# decay, sustain, release), then what sets the instrument apart.
INSTRUMENTS: dict[str, Instrument] = {
    # plucked and struck
    "piano": Instrument(
        tilt=0.9, tilt_end=2.4, bright_decay=0.25,
        attack=0.003, decay=0.9, sustain=0.0, release=0.15,
        pluck=0.12, n_harm=30),
    "epiano": Instrument(
        tilt=1.5, tilt_end=3.5, bright_decay=0.12,
        attack=0.002, decay=1.3, sustain=0.0, release=0.2,
        n_harm=12, detune=5),
    "guitar": Instrument(
        tilt=0.8, tilt_end=2.0, bright_decay=0.12,
        attack=0.002, decay=0.7, sustain=0.0, release=0.06,
        pluck=0.18),
    "banjo": Instrument(
        tilt=0.6, tilt_end=1.4, bright_decay=0.05,
        attack=0.001, decay=0.25, sustain=0.0, release=0.04,
        pluck=0.08),
    "harp": Instrument(
        tilt=1.4, tilt_end=2.8, bright_decay=0.1,
        attack=0.002, decay=0.9, sustain=0.0, release=0.2,
        pluck=0.3, n_harm=20),
    "crunch": Instrument(
        tilt=0.9, tilt_end=1.6, bright_decay=0.2,
        attack=0.003, decay=1.5, sustain=0.1, release=0.06,
        pluck=0.2, drive=4.0),
    "distortion": Instrument(
        tilt=1.0, tilt_end=1.4, bright_decay=0.3,
        attack=0.003, decay=2.5, sustain=0.3, release=0.05,
        pluck=0.2, drive=14.0),
    # held tones
    "organ": Instrument(
        tilt=0, tilt_end=0, bright_decay=1.0,
        attack=0.006, decay=np.inf, sustain=1.0, release=0.03,
        harmonics=(1, .8, .6, .5, 0, .35, 0, .3), vibrato=(6.5, .04)),
    "pad": Instrument(
        tilt=1.7, tilt_end=1.9, bright_decay=1.0,
        attack=0.35, decay=np.inf, sustain=1.0, release=0.5,
        detune=12, n_harm=24),
    "strings": Instrument(
        tilt=1.0, tilt_end=1.3, bright_decay=0.3,
        attack=0.12, decay=np.inf, sustain=1.0, release=0.25,
        formants=((1100, 1400),), vibrato=(5.5, .12), detune=9, n_harm=30),
    "brass": Instrument(
        tilt=0.7, tilt_end=3.0, bright_decay=0.0,
        attack=0.05, decay=1.5, sustain=0.7, release=0.08,
        vibrato=(5.0, .08), n_harm=25),
    "sax": Instrument(
        tilt=1.0, tilt_end=1.5, bright_decay=0.3,
        attack=0.03, decay=np.inf, sustain=0.8, release=0.08,
        formants=((1400, 900),), vibrato=(5.0, .15), n_harm=30),
    "flute": Instrument(
        tilt=0, tilt_end=0, bright_decay=1.0,
        attack=0.06, decay=np.inf, sustain=0.9, release=0.1,
        harmonics=(1, .25, .12, .05), vibrato=(5.0, .12)),
    "synth": Instrument(
        tilt=1.0, tilt_end=1.6, bright_decay=0.3,
        attack=0.01, decay=0.4, sustain=0.7, release=0.1,
        detune=10),
    "square": Instrument(
        tilt=1.0, tilt_end=1.8, bright_decay=0.3,
        attack=0.01, decay=0.5, sustain=0.7, release=0.1,
        even=0.0),
    "voice": Instrument(
        tilt=1.2, tilt_end=1.4, bright_decay=0.5,
        attack=0.04, decay=np.inf, sustain=0.9, release=0.1,
        vibrato=(5.2, .25), vowels=True),
    # bass
    "bass": Instrument(
        tilt=1.3, tilt_end=2.8, bright_decay=0.08,
        attack=0.004, decay=0.8, sustain=0.2, release=0.05,
        pluck=0.25, n_harm=20),
    "upright": Instrument(
        tilt=1.8, tilt_end=3.5, bright_decay=0.05,
        attack=0.004, decay=0.4, sustain=0.0, release=0.05,
        n_harm=15),
    "synthbass": Instrument(
        tilt=1.0, tilt_end=2.6, bright_decay=0.15,
        attack=0.005, decay=np.inf, sustain=0.8, release=0.05,
        n_harm=20),
    "808": Instrument(
        tilt=0, tilt_end=0, bright_decay=1.0,
        attack=0.002, decay=0.9, sustain=0.0, release=0.1,
        harmonics=(1,), drive=1.5),
    "cello": Instrument(
        tilt=1.1, tilt_end=1.4, bright_decay=0.3,
        attack=0.1, decay=np.inf, sustain=1.0, release=0.2,
        formants=((600, 600),), vibrato=(5.0, .1), detune=7, n_harm=30),
}

# (F1, F2, F3) of five vowels, for the "voice" instrument
_VOWELS = ((730, 1090, 2440), (530, 1840, 2480), (270, 2290, 3010),
           (570, 840, 2410), (300, 870, 2240))


def _amplitudes(inst: Instrument, f0: float, tilt: float, sr: int, vowel: int) -> np.ndarray:
    """Levels of the harmonics of one note (zero above Nyquist)."""
    n = max(1, min(inst.n_harm, int(sr / 2 / f0)))
    k = np.arange(1, n + 1, dtype=float)
    if inst.harmonics:
        amps = np.zeros(n)
        m = min(n, len(inst.harmonics))
        amps[:m] = inst.harmonics[:m]
        return amps
    amps = k ** -tilt
    amps[1::2] *= inst.even
    if inst.pluck:
        amps *= 0.15 + np.abs(np.sin(np.pi * k * inst.pluck))
    formants = inst.formants
    if inst.vowels:
        formants = tuple((f, 90 + 0.08 * f) for f in _VOWELS[vowel % len(_VOWELS)])
    if formants:
        fk = k * f0
        amps *= 0.2 + sum(np.exp(-0.5 * ((fk - fc) / bw) ** 2) for fc, bw in formants)
    return amps


def _wavetable(amps: np.ndarray) -> np.ndarray:
    """One period of a sum of sines with the given harmonic levels."""
    spec = np.zeros(_TABLE // 2 + 1, dtype=complex)
    spec[1:len(amps) + 1] = -0.5j * _TABLE * amps
    return np.fft.irfft(spec, _TABLE)


def _note(inst: Instrument, midi: float, dur: float, sr: int, *,
          bend: float = 0.0, vowel: int = -1) -> np.ndarray:
    """Render one note of ``dur`` seconds (plus the release) as a waveform."""
    f0 = 440.0 * 2 ** ((midi - 69) / 12)
    n = int((dur + inst.release) * sr)
    t = np.arange(n) / sr
    ratio = np.ones(n)
    if inst.vibrato[1]:
        ratio *= 2 ** (inst.vibrato[1] / 12 * np.sin(2 * np.pi * inst.vibrato[0] * t)
                       * np.minimum(1, t / 0.3))
    if bend:                               # slide up into the note (blues bends, steel)
        ratio *= 2 ** (-bend / 12 * np.exp(-t / 0.07))
    phase = np.cumsum(ratio) * (f0 / sr)
    # amplitude envelope: attack ramp, decay to sustain, release after the note
    env = inst.sustain + (1 - inst.sustain) * np.exp(-t / inst.decay)
    env *= np.minimum(1.0, t / inst.attack)
    off = int(dur * sr)
    if off < n:
        env[off:] *= np.linspace(1, 0, n - off) ** 2
    bright = _wavetable(_amplitudes(inst, f0, inst.tilt, sr, vowel))
    dull = _wavetable(_amplitudes(inst, f0, inst.tilt_end, sr, vowel))
    mix = env if inst.bright_decay == 0 else np.exp(-t / inst.bright_decay)
    idx = ((phase % 1.0) * _TABLE).astype(np.intp)
    y = dull[idx] + mix * (bright[idx] - dull[idx])
    if inst.detune:
        idx = ((phase * 2 ** (inst.detune / 1200) + 0.37) % 1.0 * _TABLE).astype(np.intp)
        y = 0.6 * (y + dull[idx] + mix * (bright[idx] - dull[idx]))
    return y * env / (np.abs(bright).max() + 1e-9)


def _add_at(out: np.ndarray, i0: int, wave: np.ndarray, gain: float) -> None:
    """Mix ``gain * wave`` into ``out`` from sample ``i0`` on, cut to fit."""
    n = len(out)
    s0, s1 = max(i0, 0), min(i0 + len(wave), n)
    if s1 > s0:
        out[s0:s1] += gain * wave[s0 - i0:s1 - i0]


def _render_part(notes: list, inst: Instrument, n: int, sr: int) -> np.ndarray:
    """Mix note events ``(time, dur, midi, velocity, bend, vowel)`` into one track."""
    out = np.zeros(n)
    cache: dict = {}
    for t, dur, midi, vel, bend, vowel in notes:
        vowel = max(vowel, 0) if inst.vowels else -1
        i0 = int(round(t * sr))
        if i0 >= n or dur <= 0:
            continue
        key = (midi, round(dur * 200), vowel)
        if bend or key not in cache:
            wave = _note(inst, midi, dur, sr, bend=bend, vowel=vowel)
            if not bend:
                cache[key] = wave
        else:
            wave = cache[key]
        _add_at(out, i0, wave, vel)
    if inst.drive:                          # an amp: distortion of the whole part
        out = np.tanh(inst.drive * out / (np.abs(out).max() + 1e-9))
        out = _filter(out, sr, 4500, "lowpass", order=4)
    return out


# ============================================================================
# Filters
# ============================================================================
@lru_cache(maxsize=256)
def _sos(sr: int, cutoff, kind: str, order: int):
    return signal.butter(order, cutoff, kind, fs=sr, output="sos")


def _filter(y: np.ndarray, sr: int, cutoff, kind: str, order: int = 2) -> np.ndarray:
    """Butterworth filter; ``cutoff`` in Hz (a pair for a band-pass)."""
    cutoff = tuple(round(c, -1) for c in cutoff) if isinstance(cutoff, tuple) else round(cutoff, -1)
    return signal.sosfilt(_sos(sr, cutoff, kind, order), y)
