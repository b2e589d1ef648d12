"""A synthetic 10-genre music dataset with GTZAN's genre names and file layout.

Every lesson runs offline on this set. Ten styles carry GTZAN's genre names and
are rendered in numpy as music: drums, bass, harmony and a lead line. Each style
has its own tempo range, feel (straight, swung or shuffled), drum patterns, chord
progressions, instruments and production (see ``STYLES``). Clips are grouped into
"artists" that share a key, tempo, instruments and mix, so a random track split
leaks, as GTZAN's does. Neighbouring styles share instruments on purpose
(rock/metal, disco/pop, blues/jazz/country), so their confusions look like
GTZAN's. Introduced in 01_audio_basics.

The files follow GTZAN's Kaggle layout::

    <root>/genres_original/<genre>/<genre>.000NN.wav   (22050 Hz, mono, 16-bit)
    <root>/metadata.csv                                 (track_id, genre, artist)
    <root>/synth_info.json                              (seed, per_genre, seconds, sr, version)

The same ``(seed, genre, index)`` always gives the same bytes, whatever the order
of rendering or the number of worker processes.
"""
from __future__ import annotations

import csv
import json
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy import signal
from tqdm.auto import tqdm

from . import config
from .exceptions import ParameterError

SR = config.SR
SEED = config.SEED
VERSION = "1.0"            # bump whenever the sound of any clip changes
FAST_SIZE = (30, 6.0)      # clips per genre, seconds per clip, in FAST mode
FULL_SIZE = (50, 10.0)     # the default set: 500 clips, about 220 MB
_TABLE = 2048              # wavetable length (one period)
_MAX_INDEX = 100_000       # GTZAN file names have a 5-digit index
_DB = 20.0
CROSSOVER = 0.4            # share of artists who borrow a neighbouring style's sound


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


INSTRUMENTS: dict[str, Instrument] = {
    # plucked and struck
    "piano": Instrument(0.9, 2.4, 0.25, 0.003, 0.9, 0.0, 0.15, pluck=0.12, n_harm=30),
    "epiano": Instrument(1.5, 3.5, 0.12, 0.002, 1.3, 0.0, 0.2, n_harm=12, detune=5),
    "guitar": Instrument(0.8, 2.0, 0.12, 0.002, 0.7, 0.0, 0.06, pluck=0.18),
    "banjo": Instrument(0.6, 1.4, 0.05, 0.001, 0.25, 0.0, 0.04, pluck=0.08),
    "harp": Instrument(1.4, 2.8, 0.1, 0.002, 0.9, 0.0, 0.2, pluck=0.3, n_harm=20),
    "crunch": Instrument(0.9, 1.6, 0.2, 0.003, 1.5, 0.1, 0.06, pluck=0.2, drive=4.0),
    "distortion": Instrument(1.0, 1.4, 0.3, 0.003, 2.5, 0.3, 0.05, pluck=0.2, drive=14.0),
    # held tones
    "organ": Instrument(0, 0, 1.0, 0.006, np.inf, 1.0, 0.03,
                        harmonics=(1, .8, .6, .5, 0, .35, 0, .3), vibrato=(6.5, .04)),
    "pad": Instrument(1.7, 1.9, 1.0, 0.35, np.inf, 1.0, 0.5, detune=12, n_harm=24),
    "strings": Instrument(1.0, 1.3, 0.3, 0.12, np.inf, 1.0, 0.25, formants=((1100, 1400),),
                          vibrato=(5.5, .12), detune=9, n_harm=30),
    "brass": Instrument(0.7, 3.0, 0.0, 0.05, 1.5, 0.7, 0.08, vibrato=(5.0, .08), n_harm=25),
    "sax": Instrument(1.0, 1.5, 0.3, 0.03, np.inf, 0.8, 0.08, formants=((1400, 900),),
                      vibrato=(5.0, .15), n_harm=30),
    "flute": Instrument(0, 0, 1.0, 0.06, np.inf, 0.9, 0.1, harmonics=(1, .25, .12, .05),
                        vibrato=(5.0, .12)),
    "synth": Instrument(1.0, 1.6, 0.3, 0.01, 0.4, 0.7, 0.1, detune=10),
    "square": Instrument(1.0, 1.8, 0.3, 0.01, 0.5, 0.7, 0.1, even=0.0),
    "voice": Instrument(1.2, 1.4, 0.5, 0.04, np.inf, 0.9, 0.1, vibrato=(5.2, .25), vowels=True),
    # bass
    "bass": Instrument(1.3, 2.8, 0.08, 0.004, 0.8, 0.2, 0.05, pluck=0.25, n_harm=20),
    "upright": Instrument(1.8, 3.5, 0.05, 0.004, 0.4, 0.0, 0.05, n_harm=15),
    "synthbass": Instrument(1.0, 2.6, 0.15, 0.005, np.inf, 0.8, 0.05, n_harm=20),
    "808": Instrument(0, 0, 1.0, 0.002, 0.9, 0.0, 0.1, harmonics=(1,), drive=1.5),
    "cello": Instrument(1.1, 1.4, 0.3, 0.1, np.inf, 1.0, 0.2, formants=((600, 600),),
                        vibrato=(5.0, .1), detune=7, n_harm=30),
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
        s0, s1 = max(i0, 0), min(i0 + len(wave), n)
        if s1 > s0:
            out[s0:s1] += vel * wave[s0 - i0:s1 - i0]
    if inst.drive:                          # an amp: distortion of the whole part
        out = np.tanh(inst.drive * out / (np.abs(out).max() + 1e-9))
        out = _filter(out, sr, 4500, "lowpass", order=4)
    return out


# ============================================================================
# Drums: one synthesised kit per clip, hits placed on a step grid
# ============================================================================
@lru_cache(maxsize=256)
def _sos(sr: int, cutoff, kind: str, order: int):
    return signal.butter(order, cutoff, kind, fs=sr, output="sos")


def _filter(y: np.ndarray, sr: int, cutoff, kind: str, order: int = 2) -> np.ndarray:
    """Butterworth filter; ``cutoff`` in Hz (a pair for a band-pass)."""
    cutoff = tuple(round(c, -1) for c in cutoff) if isinstance(cutoff, tuple) else round(cutoff, -1)
    return signal.sosfilt(_sos(sr, cutoff, kind, order), y)


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
    brush = _filter(noise(0.3), sr, 5000, "lowpass") * 0.25 * np.minimum(1, tt(0.3) / 0.01) * np.exp(-tt(0.3) / 0.1)
    t = tt(0.12)
    hat = _filter(noise(0.12), sr, kit["hat_hz"], "highpass") * np.exp(-t / kit["hat_decay"])
    t = tt(0.6)
    open_hat = _filter(noise(0.6), sr, kit["hat_hz"], "highpass") * np.exp(-t / 0.22)
    t = tt(1.5)
    bell = sum(np.sin(2 * np.pi * f * kit["ride_ratio"] * t) for f in (510, 790, 1150, 1610, 2280, 3400))
    ride = (_filter(noise(1.5), sr, 6000, "highpass") * 0.25 + 0.08 * bell) * np.exp(-t / 0.8)
    t = tt(1.8)
    crash = _filter(noise(1.8), sr, 3500, "highpass") * 0.6 * np.exp(-t / 0.9)
    t = tt(0.3)
    bursts = sum(np.exp(-np.maximum(t - d, 0) / 0.008) * (t >= d) for d in (0, 0.011, 0.022))
    clap = _filter(noise(0.3), sr, (900, 2800), "bandpass") * (bursts + np.exp(-t / 0.09))
    t = tt(0.1)
    rim = (np.sin(2 * np.pi * 1700 * t) * 0.6 + _filter(noise(0.1), sr, (2000, 5000), "bandpass")) * np.exp(-t / 0.012)
    t = tt(0.5)
    tom = np.sin(2 * np.pi * np.cumsum(kit["kick_hz"] * 2.4 * (1 + 0.4 * np.exp(-t / 0.05))) / sr) * np.exp(-t / 0.2)
    return {"kick": kick, "snare": snare, "brush": brush, "hat": hat, "open": open_hat,
            "ride": ride, "crash": crash, "clap": clap, "rim": rim, "tom": tom}


_VELOCITY = {"x": 0.75, "X": 1.0, "g": 0.3, "o": 0.8}


# ============================================================================
# Styles: the design of each genre, as data
# ============================================================================
@dataclass(frozen=True)
class Style:
    """The design of one genre: rhythm, harmony, instruments and production.

    Drum patterns are one bar long, one character per grid step: ``x`` hit,
    ``X`` accent, ``g`` ghost note, ``o`` open hi-hat, ``.`` rest. Chord
    progressions are Roman numerals, one bar per word; ``ii7,V7`` splits a bar.
    """

    summary: str
    tempo: tuple               # BPM range of the style
    grid: int                  # steps per beat: 4 = sixteenths, 3 = triplets (shuffle)
    swing: tuple               # delay of the off-beat sixteenth, as a fraction of a step
    meters: tuple              # beats per bar
    drums: dict                # part -> candidate one-bar patterns ({} = no drums)
    progressions: tuple        # chord progressions
    bass: str                  # bass-line recipe (see _bass_line)
    bass_instruments: tuple
    comp: tuple                # ways the harmony is played (see _comp_part)
    comp_instruments: tuple
    lead: str                  # lead-line recipe (see _lead_line)
    scale: str                 # scale of the lead
    lead_instruments: tuple
    reverb: tuple              # reverberation time range (s)
    brightness: tuple          # master low-pass cut-off range (Hz)
    density: tuple             # master compression (tanh gain) range
    noise: tuple               # background noise range (dB below peak)
    ghosts: float = 0.0        # chance of a ghost snare on any step (jazz comping)
    neighbours: tuple = ()     # styles whose sound (instruments, production) some artists borrow


_S4, _S3 = "....x.......x...", "...x.....x.."        # backbeat on 2 and 4
STYLES: dict[str, Style] = {
    "blues": Style(
        "12-bar shuffle in triplets, dominant-7th chords, boogie bass, bent pentatonic licks",
        (64, 122), 3, (0, 0), (4,),
        {"kick": ("x.....x.....", "x.....x..x.."), "snare": (_S3, "...x..g..x.."),
         "hat": ("x.xx.xx.xx.x", "x..x..x..x.."), "ride": ("x.xx.xx.xx.x",)},
        ("I7 IV7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7", "I7 I7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 I7",
         "i7 iv7 i7 i7 iv7 iv7 i7 i7 bVI7 V7 i7 V7"),
        "boogie", ("bass", "upright"), ("shuffle", "stabs", "pad"),
        ("guitar", "crunch", "piano", "organ", "epiano"),
        "lick", "blues", ("crunch", "guitar", "sax", "voice", "brass"),
        (0.5, 1.6), (3500, 11000), (0.8, 2.5), (-60, -38), neighbours=("jazz", "country", "rock")),
    "classical": Style(
        "no drums; functional harmony, Alberti arpeggios or string chords, rubato, big hall",
        (58, 138), 4, (0, 0), (3, 4),
        {},
        ("I IV V I", "I vi ii V", "i iv V i", "I V vi iii IV I IV V", "i VI iv V", "I ii7 V7 I"),
        "pedal", ("cello", "piano"), ("arp", "pad"), ("piano", "strings", "harp", "organ"),
        "line", "major", ("flute", "strings", "sax", "piano"),
        (1.6, 3.0), (2500, 7000), (0.3, 0.8), (-66, -45), neighbours=("jazz",)),
    "country": Style(
        "boom-chick two-beat, I-IV-V in major, strummed or picked guitars, fiddle or steel",
        (88, 150), 4, (0, 0.08), (4,),
        {"kick": ("x.......x.......", "x.....x.x......."), "snare": (_S4, "....x..g....x..g"),
         "hat": ("x.x.x.x.x.x.x.x.", "xxxxxxxxxxxxxxxx")},
        ("I IV I V", "I I IV IV V V I I", "I V vi IV", "I IV V I", "I I V V"),
        "rootfifth", ("bass", "upright"), ("strum", "arp"), ("guitar", "banjo", "piano", "crunch"),
        "melody", "majpent", ("strings", "guitar", "voice", "crunch"),
        (0.4, 1.4), (3500, 12000), (0.8, 2.5), (-62, -40), neighbours=("blues", "rock", "pop")),
    "disco": Style(
        "four-on-the-floor, open hi-hat off-beats, octave bass, minor-7th vamps, strings",
        (110, 132), 4, (0, 0.05), (4,),
        {"kick": ("x...x...x...x...",), "snare": (_S4, "....x.......x..x"),
         "clap": (_S4,), "hat": ("x.o.x.o.x.o.x.o.", "xxoxxxoxxxoxxxox")},
        ("i7 iv7", "ii7 V7", "Imaj7 ii7", "i7 i7 bVII bVII", "vi7 ii7 V7 Imaj7"),
        "octave", ("bass", "synthbass"), ("stabs", "strum", "pad"),
        ("strings", "epiano", "guitar", "brass", "pad", "piano"),
        "melody", "dorian", ("strings", "synth", "voice", "brass"),
        (0.5, 1.4), (4000, 13000), (1.2, 3.0), (-64, -42), neighbours=("pop", "hiphop")),
    "hiphop": Style(
        "boom-bap: syncopated kick, hard snare, swung hats, 808 sub bass, minor loop, rap",
        (78, 102), 4, (0.1, 0.3), (4,),
        {"kick": ("x......x..x.....", "x.....x...x..x..", "x..x......x....."),
         "snare": (_S4, "....x..g....x..."), "hat": ("x.x.x.x.x.x.x.x.", "xxx.xxx.xxx.xxxg")},
        ("i bVI", "i iv", "i7 bVII", "i i iv bVI", "i7 i7"),
        "sub", ("808", "synthbass", "bass"), ("loop",),
        ("epiano", "piano", "pad", "strings", "brass", "guitar", "organ"),
        "rap", "minor", ("voice",),
        (0.3, 1.2), (3000, 11000), (1.2, 3.0), (-56, -36), neighbours=("pop", "reggae", "disco")),
    "jazz": Style(
        "swung ride cymbal, walking bass, ii-V-I with 7ths and 9ths, comping, horn solos",
        (96, 210), 3, (0, 0), (4,),
        {"ride": ("x..x.xx..x.x",), "hat": (_S3,), "kick": ("g..g..g..g..", "g.....g....."),
         "brush": ("x..x..x..x..", "............")},
        ("ii7,V7 Imaj7 ii7,V7 Imaj7", "Imaj7 vi7 ii7 V7", "iim7b5,V7 i7 iim7b5,V7 i7",
         "I6,vi7 ii7,V7 iii7,vi7 ii7,V7", "ii7 V7 Imaj7 Imaj7"),
        "walking", ("upright", "bass"), ("stabs", "pad"), ("piano", "guitar", "epiano", "organ"),
        "improv", "dorian", ("sax", "brass", "piano", "guitar", "voice"),
        (0.5, 1.6), (3500, 11000), (0.6, 2.0), (-62, -40), ghosts=0.08,
        neighbours=("blues", "classical")),
    "metal": Style(
        "double-kick sixteenths, palm-muted power-chord chugs, minor/phrygian riffs, dense",
        (96, 200), 4, (0, 0), (4,),
        {"kick": ("xxxxxxxxxxxxxxxx", "x.x.x.x.x.x.x.x.", "x.xxx.xxx.xxx.xx"),
         "snare": (_S4, "x...x...x...x..."), "crash": ("x.......x.......", "x...x...x...x...")},
        ("i5 i5 bII5 i5", "i5 bVI5 bVII5 i5", "i5 bV5 iv5 i5", "i5 i5 bVII5 bVI5"),
        "chug", ("bass",), ("chug",), ("distortion",),
        "riff", "phrygian", ("distortion", "crunch"),
        (0.3, 1.2), (4000, 14000), (1.5, 4.0), (-60, -42), neighbours=("rock",)),
    "pop": Style(
        "straight eighths, I-V-vi-IV, pads and piano, a singable repeated vocal hook",
        (92, 128), 4, (0, 0.05), (4,),
        {"kick": ("x.......x.x.....", "x...x...x...x..."), "snare": (_S4,), "clap": (_S4,),
         "hat": ("x.x.x.x.x.x.x.x.", "..x...x...x...x.")},
        ("I V vi IV", "vi IV I V", "I vi IV V", "IV I V vi"),
        "root8", ("bass", "synthbass"), ("pad", "strum", "stabs"),
        ("piano", "pad", "guitar", "epiano", "strings", "crunch", "synth"),
        "melody", "major", ("voice", "synth", "square", "guitar"),
        (0.4, 1.4), (4000, 13000), (1.2, 3.0), (-64, -42), neighbours=("disco", "rock", "country", "hiphop")),
    "reggae": Style(
        "one-drop (kick and rim on beat 3), off-beat skank chords, deep melodic bass, dub echo",
        (62, 92), 4, (0, 0.2), (4,),
        {"kick": ("........x.......", "x...x...x...x..."), "rim": ("........x.......",),
         "hat": ("x.x.x.x.x.x.x.x.", "x.xxx.xxx.xxx.xx")},
        ("i iv", "I IV", "I V", "i bVII", "ii7 V7", "I IV V IV"),
        "reggae", ("bass", "synthbass"), ("skank",), ("guitar", "organ", "epiano", "piano"),
        "melody", "minpent", ("voice", "brass", "organ", "sax", "synth"),
        (0.4, 1.6), (3000, 11000), (1.0, 3.0), (-62, -38), neighbours=("hiphop", "pop")),
    "rock": Style(
        "straight-eighth backbeat, overdriven power chords, I-bVII-IV, pentatonic riffs",
        (98, 160), 4, (0, 0.03), (4,),
        {"kick": ("x.......x.x.....", "x...x...x.x....."), "snare": (_S4,),
         "hat": ("x.x.x.x.x.x.x.x.", "XxXxXxXxXxXxXxXx"), "crash": ("x...............",)},
        ("I bVII IV I", "I IV V IV", "I V vi IV", "i bVI bVII i", "I IV I V"),
        "root8", ("bass",), ("power", "strum"), ("crunch", "distortion", "guitar", "organ", "piano"),
        "riff", "minpent", ("crunch", "voice", "distortion", "guitar"),
        (0.4, 1.4), (4000, 13000), (1.2, 3.5), (-60, -40), neighbours=("metal", "blues", "country", "pop")),
}

_SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10),
           "dorian": (0, 2, 3, 5, 7, 9, 10), "phrygian": (0, 1, 3, 5, 7, 8, 10),
           "majpent": (0, 2, 4, 7, 9), "minpent": (0, 3, 5, 7, 10), "blues": (0, 3, 5, 6, 7, 10)}
_DEGREES = {"I": 0, "II": 2, "III": 4, "IV": 5, "V": 7, "VI": 9, "VII": 11}
_QUALITIES = {  # suffix -> (intervals on an upper-case numeral, on a lower-case one)
    "": ((0, 4, 7), (0, 3, 7)), "7": ((0, 4, 7, 10), (0, 3, 7, 10)),
    "maj7": ((0, 4, 7, 11),) * 2, "6": ((0, 4, 7, 9), (0, 3, 7, 9)),
    "5": ((0, 7, 12),) * 2, "m7b5": ((0, 3, 6, 10),) * 2,
}


def _parse_chord(word: str) -> tuple[int, tuple]:
    """``"bVII7"`` -> (10, (0, 4, 7, 10)): root in semitones above the key, intervals."""
    match = re.fullmatch(r"([b#]?)([ivIV]+)(.*)", word)
    accidental, numeral, suffix = match.groups()
    root = _DEGREES[numeral.upper()] + {"b": -1, "#": 1, "": 0}[accidental]
    return root % 12, _QUALITIES[suffix][numeral.islower()]


# ============================================================================
# Artists and clips: random parameters from seeded generators
# ============================================================================
def _rng(*keys: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(k) for k in keys]))


def _genre_index(genre: str) -> int:
    if genre not in config.GENRES:
        raise ParameterError(f"Unknown genre {genre!r}. Use one of {', '.join(config.GENRES)}.")
    return config.GENRES.index(genre)


@lru_cache(maxsize=64)
def _artist_starts(seed: int, genre_index: int) -> np.ndarray:
    """First clip index of each artist: blocks of 3-8 clips drawn once per genre."""
    sizes = _rng(seed, genre_index, 2).integers(3, 9, size=_MAX_INDEX // 3 + 1)
    return np.concatenate([[0], np.cumsum(sizes)])


def _artist_index(genre: str, index: int, seed: int) -> int:
    if not 0 <= int(index) < _MAX_INDEX:
        raise ParameterError(f"Clip index must be in [0, {_MAX_INDEX}), got index={index}.")
    starts = _artist_starts(int(seed), _genre_index(genre))
    return int(np.searchsorted(starts, int(index), side="right") - 1)


def artist_of(genre: str, index: int, *, seed: int = SEED) -> str:
    """Name of the synthetic artist who "recorded" clip ``index`` of ``genre``.

    Artists are blocks of 3-8 consecutive clips that share a key, tempo,
    instruments and mix. The blocks depend only on ``seed`` and ``genre``, not
    on how many clips are rendered.

    Parameters
    ----------
    genre : str
        One of ``config.GENRES``.
    index : int >= 0
        Clip number within the genre.
    seed : int
        Dataset seed.

    Returns
    -------
    artist : str
        Like ``"blues-a03"``.

    Raises
    ------
    ParameterError
        If ``genre`` is unknown or ``index`` is out of range.

    Examples
    --------
    >>> artist_of("blues", 0, seed=1) == artist_of("blues", 1, seed=1)
    True
    """
    return f"{genre}-a{_artist_index(genre, index, seed):02d}"


def _artist(style: Style, seed: int, genre_index: int, artist: int) -> dict:
    """The fixed style parameters one artist uses on all of its clips."""
    rng = _rng(seed, genre_index, 1, artist)
    sound = style                             # a crossover artist borrows a neighbour's sound
    if style.neighbours and rng.random() < CROSSOVER:
        sound = STYLES[style.neighbours[rng.integers(len(style.neighbours))]]

    def pick(options):
        return options[rng.integers(len(options))]

    def timbre(name):  # each artist's own take on a shared instrument
        inst = INSTRUMENTS[name]
        return replace(inst, tilt=inst.tilt * rng.uniform(0.85, 1.15),
                       tilt_end=inst.tilt_end * rng.uniform(0.85, 1.15),
                       decay=inst.decay * rng.uniform(0.75, 1.3),
                       drive=inst.drive * rng.uniform(0.6, 1.5))

    return {
        "sound": sound, "bpm": rng.uniform(*style.tempo), "key": int(rng.integers(12)),
        "meter": pick(style.meters), "swing": rng.uniform(*style.swing),
        "drums": {part: int(rng.integers(len(p))) for part, p in style.drums.items()},
        "progressions": rng.permutation(len(style.progressions))[:2],
        "comp": [pick(style.comp) for _ in range(2)],
        "bass_inst": timbre(pick(sound.bass_instruments)),
        "comp_inst": [timbre(pick(sound.comp_instruments)) for _ in range(2)],
        "lead_inst": timbre(pick(sound.lead_instruments)),
        "kit": {"kick_hz": rng.uniform(42, 62), "kick_decay": rng.uniform(0.12, 0.4),
                "snare_hz": rng.uniform(150, 260), "snare_tone": rng.uniform(0.2, 0.8),
                "snare_decay": rng.uniform(0.06, 0.18), "hat_hz": rng.uniform(5000, 9000),
                "hat_decay": rng.uniform(0.015, 0.05), "ride_ratio": rng.uniform(0.85, 1.2)},
        "levels": rng.normal(0, 3.5, size=4),  # dB: drums, bass, comp, lead
        "reverb": rng.uniform(*sound.reverb), "wet": rng.uniform(0.1, 0.35),
        "eq": rng.normal(0, 4.0, size=2),      # dB: low shelf, high shelf
        "brightness": rng.uniform(*sound.brightness), "density": rng.uniform(*sound.density),
        "noise": rng.uniform(*sound.noise), "humanise": rng.uniform(0.002, 0.012),
        "seed": int(rng.integers(2**31)),      # a riff or hook the artist keeps
    }


@dataclass
class _Song:
    """Timing and harmony of one clip: where every grid step falls, which chord plays."""

    bpm: float
    meter: int
    grid: int
    swing: float
    start: float            # time of the first bar (negative: the clip starts mid-song)
    n_bars: int
    key: int                # tonic pitch class
    bars: list              # chords per bar, cycled
    rubato: float = 0.0

    @property
    def steps(self) -> int:
        return self.meter * self.grid

    def time(self, bar: int, step: float) -> float:
        step_dur = 60.0 / self.bpm / self.grid
        t = self.start + (bar * self.steps + step) * step_dur
        if self.grid == 4 and int(step) % 2 == 1:
            t += self.swing * step_dur
        if self.rubato:
            t += self.rubato * np.sin(2 * np.pi * (bar * self.steps + step) / (4 * self.steps))
        return t

    def chord(self, bar: int, step: int = 0) -> tuple[int, tuple]:
        chords = self.bars[bar % len(self.bars)]
        return chords[min(len(chords) - 1, step * len(chords) // self.steps)]


def _voicing(song: _Song, root: int, intervals: tuple, low: int, high: int) -> list[int]:
    """Chord tones folded into the register [low, high)."""
    notes = []
    for iv in intervals:
        midi = low + (song.key + root + iv - low) % 12
        notes.append(midi if midi < high else midi - 12)
    return sorted(set(notes))


# ============================================================================
# Parts: drums, bass, harmony (comp) and lead as note events
# ============================================================================
def _drum_part(song: _Song, style: Style, artist: dict, n: int, sr: int,
               rng: np.random.Generator) -> np.ndarray:
    kit = _drum_kit(artist["kit"], sr, rng)
    out = np.zeros(n)
    hum = artist["humanise"]

    def hit(name, t, vel):
        i0 = int(round((t - song.start + rng.normal(0, hum)) * sr))
        sample = kit[name]
        s0, s1 = max(i0, 0), min(i0 + len(sample), n)
        if s1 > s0:
            out[s0:s1] += vel * rng.uniform(0.85, 1.1) * sample[s0 - i0:s1 - i0]

    for bar in range(song.n_bars):
        fill = bar % 4 == 3 and rng.random() < 0.5
        for part, options in style.drums.items():
            pattern = options[artist["drums"][part]]
            if len(pattern) != song.steps:          # 3/4 bars reuse the first beats
                pattern = (pattern * 2)[:song.steps]
            for step, char in enumerate(pattern):
                if char == "." or rng.random() < 0.03:
                    continue
                if fill and step >= song.steps - song.grid:
                    break
                name = "open" if char == "o" else part
                hit(name, song.time(bar, step), _VELOCITY[char])
        if fill:                                   # a snare/tom fill into the next phrase
            for step in range(song.steps - song.grid, song.steps):
                hit("snare" if step % 2 == 0 else "tom", song.time(bar, step), 0.5 + 0.1 * (step % 4))
        if bar % 4 == 0 and bar > 0 and "crash" not in style.drums:
            hit("crash", song.time(bar, 0), 0.7)
        for step in np.flatnonzero(rng.random(song.steps) < style.ghosts):
            hit("snare", song.time(bar, step), 0.25)   # snare comping
    return out


def _bass_line(song: _Song, recipe: str, rng: np.random.Generator) -> list:
    notes, beat = [], 60.0 / song.bpm
    low = 28

    def add(bar, step, dur_steps, midi, vel=0.9, bend=0.0):
        dur = dur_steps * beat / song.grid
        notes.append((song.time(bar, step), dur, float(midi), vel, bend, -1))

    for bar in range(song.n_bars):
        for beat_i in range(song.meter):
            step = beat_i * song.grid
            root, ivs = song.chord(bar, step)
            r = low + (song.key + root - low) % 12
            nxt_root = song.chord(bar + (beat_i + 1) // song.meter, ((beat_i + 1) % song.meter) * song.grid)[0]
            if recipe == "root8":
                for half in (0, 2):
                    add(bar, step + half, 1.7, r + (12 if rng.random() < 0.1 else 0), 0.8 + 0.2 * (half == 0))
            elif recipe == "boogie":
                seq = (0, ivs[1], 7, 9) if song.meter == 4 else (0, 7, 9)
                add(bar, step, 1.8, r + seq[beat_i % len(seq)])
                add(bar, step + 2, 0.9, r + seq[beat_i % len(seq)], 0.6)
            elif recipe == "walking":
                if beat_i == 0:
                    midi = r
                elif beat_i == song.meter - 1:
                    midi = low + (song.key + nxt_root - low) % 12 + rng.choice((-1, 1))
                else:
                    midi = r + ivs[rng.integers(1, len(ivs))] - 12 * (rng.random() < 0.3)
                add(bar, step, song.grid * 0.9, midi)
            elif recipe == "rootfifth":
                if beat_i % 2 == 0:
                    add(bar, step, song.grid * 0.9, r if beat_i == 0 else r - 5)
                elif beat_i == 3 and rng.random() < 0.3:
                    add(bar, step, song.grid * 0.5, r - 1)
            elif recipe == "octave":
                for half in (0, 2):
                    add(bar, step + half, 1.2, r + 12 * (half == 2), 0.9)
            elif recipe == "sub":
                if beat_i in (0, 2) or rng.random() < 0.25:
                    add(bar, step + (3 if beat_i == 1 else 0), song.grid * 1.8, r, 1.0,
                        bend=-2.0 * (rng.random() < 0.2))
            elif recipe == "reggae":
                riff = ((2, 0), (3, 0), (6, 7), (10, ivs[1]), (12, 0), (14, 7))
                for s, iv in riff:
                    if s // 4 == beat_i:
                        add(bar, s, 1.6, r + iv, 1.0)
            elif recipe == "chug":
                for s in range(song.grid):
                    add(bar, step + s, 0.8, r, 0.9)
            elif recipe == "pedal" and beat_i == 0:
                add(bar, 0, song.steps * 0.97, r, 0.8)
    return notes


def _comp_part(song: _Song, recipe: str, rng: np.random.Generator, pattern_rng) -> list:
    notes, step_dur = [], 60.0 / song.bpm / song.grid
    # the rhythm of stabs and loops is fixed per artist (a "sample" it reuses)
    stab_mask = pattern_rng.random(song.steps * 2) < (0.18 if song.grid == 4 else 0.22)
    stab_mask[0] = True
    strum = pattern_rng.choice(["D.D.DUDU", "D.DU.UDU", "D...DUDU", "D.D.D.D."])

    def chord_notes(bar, step, low=52, high=67):
        root, ivs = song.chord(bar, step)
        return _voicing(song, root, ivs, low, high)

    for bar in range(song.n_bars):
        for step in range(song.steps):
            t = song.time(bar, step)
            beat_pos = step % song.grid == 0
            if recipe == "pad" and step == 0:
                for m in chord_notes(bar, 0, 48, 66):
                    notes.append((t, song.steps * step_dur * 0.98, m, 0.5, 0, -1))
            elif recipe in ("stabs", "loop") and stab_mask[(bar % 2) * song.steps + step]:
                dur = step_dur * (1.5 if recipe == "stabs" else 3.5)
                for m in chord_notes(bar, step):
                    notes.append((t, dur, m, 0.6, 0, -1))
            elif recipe == "strum" and step % 2 == 0:
                char = strum[(step // 2) % len(strum)]
                if char != ".":
                    tones = chord_notes(bar, step, 45, 70)
                    tones = tones if char == "D" else tones[::-1]
                    for i, m in enumerate(tones):
                        notes.append((t + 0.012 * i, step_dur * 1.9, m, 0.55 if char == "D" else 0.35, 0, -1))
            elif recipe == "arp" and step % 2 == 0:
                tones = chord_notes(bar, step, 48, 72)
                order = (0, 2, 1, 2) if len(tones) >= 3 else (0, 1)
                m = tones[order[(step // 2) % len(order)] % len(tones)]
                notes.append((t, step_dur * 3.5, m, 0.5, 0, -1))
            elif recipe == "skank" and step % 8 == 4:
                for m in chord_notes(bar, step, 55, 72):
                    notes.append((t, step_dur * 0.8, m, 0.6, 0, -1))
            elif recipe in ("power", "chug", "shuffle"):
                root, _ = song.chord(bar, step)
                r = 40 + (song.key + root - 40) % 12
                if recipe == "shuffle" and step % song.grid in (0, 2):
                    top = 7 if (step // song.grid) % 2 == 0 else 9
                    for m in (r, r + top):
                        notes.append((t, step_dur * 1.8, m, 0.6, 0, -1))
                elif recipe == "power" and step % 2 == 0:
                    for m in (r, r + 7, r + 12):
                        notes.append((t, step_dur * (1.8 if beat_pos else 1.2), m, 0.6, 0, -1))
                elif recipe == "chug" and (beat_pos or stab_mask[step] or stab_mask[step + 1]):
                    for m in (r, r + 7):
                        notes.append((t, step_dur * (2.5 if step == 0 else 0.7), m, 0.7, 0, -1))
    return notes


def _lead_line(song: _Song, recipe: str, scale: str, rng: np.random.Generator, hook_rng) -> list:
    """A melody: a random walk on the scale, pulled to chord tones on the beat."""
    step_dur = 60.0 / song.bpm / song.grid
    low, high = (45, 70) if recipe == "riff" else (60, 82)
    pool = [m for m in range(low, high) if (m - song.key) % 12 in _SCALES[scale]]
    density = {"melody": 0.35, "lick": 0.45, "improv": 0.8, "riff": 0.6,
               "line": 0.5, "rap": 0.7}[recipe]
    allowed = (lambda s: s % 2 == 0) if song.grid == 4 else (lambda s: s % song.grid in (0, 2))
    if recipe in ("riff", "rap"):
        allowed = lambda s: True                   # noqa: E731 - sixteenths
    phrase = 2 * song.steps
    hook = None
    notes = []
    for first in range(0, song.n_bars, 2):
        if recipe in ("melody", "riff") and hook is not None and hook_rng.random() < 0.7:
            shape = hook                          # repeat the hook
        else:
            gen = hook_rng if hook is None else rng
            onsets = [s for s in range(phrase) if allowed(s) and gen.random() < density]
            pos, shape = len(pool) // 2, []
            for s in onsets:
                pos = int(np.clip(pos + gen.choice((-2, -1, -1, 1, 1, 2, 0)), 0, len(pool) - 1))
                shape.append((s, pos))
            hook = hook or shape
        if recipe in ("lick", "melody") and rng.random() < 0.3:
            continue                              # breathing space
        for i, (s, pos) in enumerate(shape):
            bar, step = first + s // song.steps, s % song.steps
            if bar >= song.n_bars:
                break
            nxt = shape[i + 1][0] if i + 1 < len(shape) else phrase
            midi = pool[pos]
            if recipe == "rap":
                midi, dur = pool[len(pool) // 3] + rng.integers(-1, 2), step_dur * 0.7
            else:
                dur = (nxt - s) * step_dur * (0.6 if recipe == "riff" else 0.92)
            if step % song.grid == 0 and recipe != "rap":  # land on a chord tone
                root, ivs = song.chord(bar, step)
                tones = [(song.key + root + iv) % 12 for iv in ivs]
                while midi % 12 not in tones and midi > low:
                    midi -= 1
            bend = 1.0 if recipe == "lick" and rng.random() < 0.3 else 0.0
            notes.append((song.time(bar, step), dur, float(midi), 0.7, bend, int(rng.integers(5))))
    return notes


# ============================================================================
# One clip
# ============================================================================
def render_clip(genre: str, index: int, *, seed: int = SEED, seconds: float = 10.0,
                sr: int = SR) -> np.ndarray:
    """Render clip ``index`` of a synthetic ``genre`` as a mono waveform.

    The clip is a fully determined function of ``(seed, genre, index)`` (and
    ``seconds``, ``sr``): its artist fixes key, tempo, instruments and mix, and
    the clip's own generator varies tempo, arrangement, melody and levels.

    Parameters
    ----------
    genre : str
        One of ``config.GENRES``.
    index : int >= 0
        Clip number within the genre.
    seed : int
        Dataset seed.
    seconds : float > 0
        Length of the clip.
    sr : int > 0
        Sample rate.

    Returns
    -------
    y : np.ndarray [shape=(round(seconds * sr),), dtype=float32]
        Audio in [-1, 1], peaking between -5 and -1 dBFS.

    Raises
    ------
    ParameterError
        If ``genre`` is unknown or ``index``, ``seconds`` or ``sr`` is out of range.

    See Also
    --------
    synthesize : render a whole dataset to files.

    Examples
    --------
    >>> y = render_clip("reggae", 3, seed=0, seconds=2.0)
    >>> y.shape, y.dtype
    ((44100,), dtype('float32'))
    """
    if not seconds > 0 or not sr > 0:
        raise ParameterError(f"seconds and sr must be positive, got seconds={seconds}, sr={sr}.")
    gi = _genre_index(genre)
    style = STYLES[genre]
    artist_id = _artist_index(genre, index, seed)
    artist = _artist(style, seed, gi, artist_id)
    rng = _rng(seed, gi, 0, index)
    hook_rng = _rng(artist["seed"])

    bpm = artist["bpm"] * rng.uniform(0.96, 1.04)
    key = (artist["key"] + (0 if rng.random() < 0.75 else rng.choice((-2, 2, 5, 7)))) % 12
    words = style.progressions[artist["progressions"][rng.integers(len(artist["progressions"]))]].split()
    bars = [[_parse_chord(c) for c in w.split(",")] for w in words]
    offset = int(rng.integers(len(bars)))
    bars = bars[offset:] + bars[:offset]
    meter = artist["meter"]
    bar_s = 60.0 / bpm * meter
    start = -bar_s * (1 + rng.random())     # begin mid-song, one bar or more of pre-roll
    song = _Song(bpm, meter, style.grid, artist["swing"], start,
                 int((seconds - start) / bar_s) + 1, key, bars,
                 rubato=0.04 if genre == "classical" else 0.0)

    pre = int(round(-start * sr))
    n = pre + int(round(seconds * sr))
    # the arrangement of this stretch of the song: which parts play, on what
    levels = 10 ** ((artist["levels"] + rng.normal(0, 2.5, 4)) / _DB)
    plays = rng.random(5) < (0.88 * bool(style.drums), 0.92, 0.92, 0.7, 0.25)
    comp_choice = int(rng.integers(2))
    comp_inst, lead_inst = artist["comp_inst"][comp_choice], artist["lead_inst"]
    if rng.random() < 0.3:                   # a guest instrument on this track
        comp_inst = INSTRUMENTS[rng.choice(artist["sound"].comp_instruments)]
    if rng.random() < 0.3:
        lead_inst = INSTRUMENTS[rng.choice(artist["sound"].lead_instruments)]
    shift = lambda notes: [(t - start, *rest) for t, *rest in notes]  # noqa: E731
    layers = [  # (plays, level, notes, instrument)
        (plays[1], 0.5, lambda: _bass_line(song, style.bass, rng), artist["bass_inst"]),
        (plays[2] or not plays[1], 0.4,
         lambda: _comp_part(song, artist["comp"][comp_choice], rng, _rng(artist["seed"], 1)), comp_inst),
        (plays[3], 0.35, lambda: _lead_line(song, style.lead, style.scale, rng, hook_rng), lead_inst),
        (plays[4], 0.2, lambda: _comp_part(song, "pad", rng, rng),
         INSTRUMENTS[rng.choice(("pad", "strings", "organ"))]),
    ]
    parts = np.zeros(n)
    if plays[0]:
        parts += 0.5 * levels[0] * _drum_part(song, style, artist, n, sr, rng)
    for (on, level, notes, inst), gain in zip(layers, (*levels[1:], 1.0)):
        if on:
            part = _render_part(shift(notes()), inst, n, sr)
            parts += level * gain * part / (np.abs(part).max() + 1e-9)
    return _master(parts[pre:], artist, rng, sr)


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


# ============================================================================
# The dataset on disk
# ============================================================================
def _clip_path(root: Path, genre: str, index: int) -> Path:
    return root / "genres_original" / genre / f"{genre}.{index:05d}.wav"


def _write_atomic(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _render_file(task: tuple) -> str:
    root, genre, index, seed, seconds, sr = task
    path = _clip_path(Path(root), genre, index)
    y = render_clip(genre, index, seed=seed, seconds=seconds, sr=sr)
    _write_atomic(path, lambda tmp: sf.write(tmp, y, sr, subtype="PCM_16", format="WAV"))
    return str(path)


def synthesize(root: str | os.PathLike | None = None, *, per_genre: int | None = None,
               seconds: float | None = None, seed: int = SEED, fast: bool | None = None,
               n_jobs: int = 1, progress: bool = True) -> Path:
    """Render the synthetic dataset to WAV files in GTZAN's Kaggle layout.

    Idempotent: when ``synth_info.json`` matches and every file exists, it
    returns at once. Otherwise it renders only what is missing (or everything,
    if the seed, length or generator version changed) and removes clips beyond
    ``per_genre``.

    Parameters
    ----------
    root : path, optional
        Dataset folder. Default: ``config.data_dir() / "synthetic"``.
    per_genre : int > 0, optional
        Clips per genre. Default: 50, or 30 in FAST mode.
    seconds : float > 0, optional
        Length of each clip. Default: 10.0, or 6.0 in FAST mode.
    seed : int
        Dataset seed; the same seed always gives the same files.
    fast : bool, optional
        Use the small FAST-mode defaults. Default: ``config.fast()``.
    n_jobs : int
        Worker processes (``-1``: one per CPU). Files do not depend on it.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    root : pathlib.Path
        The dataset folder.

    Raises
    ------
    ParameterError
        If ``per_genre``, ``seconds`` or ``n_jobs`` is out of range.

    See Also
    --------
    render_clip : render one clip in memory.

    Examples
    --------
    >>> import tempfile
    >>> root = synthesize(tempfile.mkdtemp(), per_genre=1, seconds=1.0, progress=False)
    >>> sorted(p.name for p in (root / "genres_original" / "jazz").iterdir())
    ['jazz.00000.wav']
    """
    fast = config.fast() if fast is None else fast
    default_n, default_s = FAST_SIZE if fast else FULL_SIZE
    per_genre = default_n if per_genre is None else int(per_genre)
    seconds = default_s if seconds is None else float(seconds)
    if not 0 < per_genre <= _MAX_INDEX:
        raise ParameterError(f"per_genre must be in [1, {_MAX_INDEX}], got per_genre={per_genre}.")
    if not seconds > 0:
        raise ParameterError(f"seconds must be positive, got seconds={seconds}.")
    if n_jobs == 0 or n_jobs < -1:
        raise ParameterError(f"n_jobs must be -1 (all CPUs) or a positive count, got n_jobs={n_jobs}.")
    root = Path(root) if root is not None else config.data_dir() / "synthetic"
    info = {"seed": int(seed), "per_genre": per_genre, "seconds": seconds, "sr": SR,
            "version": VERSION}
    info_path = root / "synth_info.json"
    old = json.loads(info_path.read_text()) if info_path.exists() else {}
    same_clips = all(old.get(k) == info[k] for k in ("seed", "seconds", "sr", "version"))
    paths = {(g, i): _clip_path(root, g, i) for g in config.GENRES for i in range(per_genre)}
    if old == info and all(p.exists() for p in paths.values()):
        return root

    for genre in config.GENRES:                     # drop stale and surplus clips
        folder = root / "genres_original" / genre
        folder.mkdir(parents=True, exist_ok=True)
        for path in folder.glob(f"{genre}.*.wav"):
            match = re.fullmatch(rf"{genre}\.(\d{{5}})\.wav", path.name)
            if match and (not same_clips or int(match.group(1)) >= per_genre):
                path.unlink()
    if info_path.exists():
        info_path.unlink()
    todo = [(str(root), g, i, int(seed), seconds, SR) for (g, i), p in paths.items() if not p.exists()]
    bar = tqdm(total=len(todo), desc="synthesising", unit="clip", disable=not progress)
    if n_jobs == 1:
        for task in todo:
            _render_file(task)
            bar.update()
    else:
        workers = os.cpu_count() if n_jobs == -1 else n_jobs
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for _ in pool.map(_render_file, todo, chunksize=4):
                bar.update()
    bar.close()

    def write_metadata(tmp):
        with open(tmp, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["track_id", "genre", "artist"])
            for g, i in paths:
                writer.writerow([f"{g}.{i:05d}", g, artist_of(g, i, seed=seed)])

    _write_atomic(root / "metadata.csv", write_metadata)
    _write_atomic(info_path, lambda tmp: tmp.write_text(json.dumps(info, indent=2) + "\n"))
    return root
