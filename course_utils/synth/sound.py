"""The sound of the synthetic set: instruments, drum kit, filters and mastering.

Pitched parts are wavetable tones whose spectrum moves from bright to dull, as
plucked and struck strings do; drums are one synthesised kit per clip; a mix is
mastered with EQ, reverb, compression and background noise. Everything here
turns numbers into waveforms and knows nothing about genres (see ``styles``) or
songs (see ``score``). Introduced in 01_audio_basics.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import signal

_TABLE = 2048              # wavetable length (one period)
_DB = 20.0                 # amplitude decibels: 10 ** (dB / _DB)


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


# ============================================================================
# Drums: one synthesised kit per clip
# ============================================================================
def _drum_kit(kit: dict, sr: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Synthesise the one-shot samples of a drum kit."""
    def tt(seconds):
        return np.arange(int(seconds * sr)) / sr

    def noise(seconds):
        return rng.standard_normal(int(seconds * sr))

    t = tt(0.5)
    f = kit["kick_hz"] * (1 + 2.5 * np.exp(-t / 0.025))
    kick = np.sin(2 * np.pi * np.cumsum(f) / sr) * np.exp(-t / kit["kick_decay"])
    kick[:60] += 0.5 * noise(0.5)[:60]
    t = tt(0.35)
    snare = (kit["snare_tone"] * np.sin(2 * np.pi * kit["snare_hz"] * t) * np.exp(-t / 0.05)
             + _filter(noise(0.35), sr, 1500, "highpass") * 0.5 * np.exp(-t / kit["snare_decay"]))
    brush = (_filter(noise(0.3), sr, 5000, "lowpass") * 0.25 * np.minimum(1, tt(0.3) / 0.01)
             * np.exp(-tt(0.3) / 0.1))
    t = tt(0.12)
    hat = _filter(noise(0.12), sr, kit["hat_hz"], "highpass") * np.exp(-t / kit["hat_decay"])
    t = tt(0.6)
    open_hat = _filter(noise(0.6), sr, kit["hat_hz"], "highpass") * np.exp(-t / 0.22)
    t = tt(1.5)
    bell = sum(np.sin(2 * np.pi * f * kit["ride_ratio"] * t)
               for f in (510, 790, 1150, 1610, 2280, 3400))
    ride = (_filter(noise(1.5), sr, 6000, "highpass") * 0.25 + 0.08 * bell) * np.exp(-t / 0.8)
    t = tt(1.8)
    crash = _filter(noise(1.8), sr, 3500, "highpass") * 0.6 * np.exp(-t / 0.9)
    t = tt(0.3)
    bursts = sum(np.exp(-np.maximum(t - d, 0) / 0.008) * (t >= d) for d in (0, 0.011, 0.022))
    clap = _filter(noise(0.3), sr, (900, 2800), "bandpass") * (bursts + np.exp(-t / 0.09))
    t = tt(0.1)
    rim = ((np.sin(2 * np.pi * 1700 * t) * 0.6 + _filter(noise(0.1), sr, (2000, 5000), "bandpass"))
           * np.exp(-t / 0.012))
    t = tt(0.5)
    tom = (np.sin(2 * np.pi * np.cumsum(kit["kick_hz"] * 2.4 * (1 + 0.4 * np.exp(-t / 0.05))) / sr)
           * np.exp(-t / 0.2))
    return {"kick": kick, "snare": snare, "brush": brush, "hat": hat, "open": open_hat,
            "ride": ride, "crash": crash, "clap": clap, "rim": rim, "tom": tom}


# ============================================================================
# Mastering
# ============================================================================
def _master(y: np.ndarray, artist: dict, rng: np.random.Generator, sr: int) -> np.ndarray:
    """Production: tone, reverb, compression, background noise and level."""
    y = _filter(y, sr, 35, "highpass")
    low_db, high_db = artist["eq"] + rng.normal(0, 3.0, size=2)   # mastering EQ
    y = (y + (10 ** (low_db / _DB) - 1) * _filter(y, sr, 250, "lowpass")
         + (10 ** (high_db / _DB) - 1) * _filter(y, sr, 3000, "highpass"))
    y = _filter(y, sr, min(artist["brightness"] * rng.uniform(0.8, 1.25), 0.45 * sr), "lowpass")
    rt60 = artist["reverb"]
    t = np.arange(int(min(rt60, 2.0) * sr)) / sr
    ir = rng.standard_normal(len(t)) * np.exp(-6.9 * t / rt60)
    ir = _filter(ir, sr, 5000, "lowpass")
    wet = signal.fftconvolve(y, ir)[:len(y)]
    y = y + artist["wet"] * wet * np.sqrt(np.sum(y**2) / (np.sum(wet**2) + 1e-12))
    density = artist["density"]
    y = np.tanh(density * y / (np.abs(y).max() + 1e-9)) / np.tanh(density)
    noise_db = artist["noise"] + rng.normal(0, 3)
    y = y + 10 ** (noise_db / _DB) * _filter(rng.standard_normal(len(y)), sr, 6000, "lowpass")
    peak_db = -1.0 - rng.uniform(0, 4)
    return (y * 10 ** (peak_db / _DB) / (np.abs(y).max() + 1e-9)).astype(np.float32)
