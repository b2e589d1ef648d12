"""What each clip plays: its artist, its song, and the parts as note events.

An *artist* is a block of 2-6 consecutive clips of one genre that share a key,
tempo, instruments and mix (so a random track split leaks, as GTZAN's does); a
share ``CROSSOVER`` of artists borrow a neighbouring style's sound. A clip's
*song* fixes where every grid step falls and which chord plays; the *parts*
(drums, bass, comp, lead) are written on it from the recipes its ``Style``
names. Every random choice comes from a generator seeded by
``(seed, genre, ...)``, so a clip never depends on the others. Introduced in
01_audio_basics.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from .. import config
from ..exceptions import ParameterError
from .sound import INSTRUMENTS
from .styles import _SCALES, _VELOCITY, STYLES, Style, _parse_chord

CROSSOVER = 0.5            # share of artists who borrow a neighbouring style's sound
_MAX_INDEX = 100_000       # GTZAN file names have a 5-digit index


# ============================================================================
# Artists: random parameters from seeded generators
# ============================================================================
def _rng(*keys: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(k) for k in keys]))


def _genre_index(genre: str) -> int:
    if genre not in config.GENRES:
        raise ParameterError(f"Unknown genre {genre!r}. Use one of {', '.join(config.GENRES)}.")
    return config.GENRES.index(genre)


@lru_cache(maxsize=64)
def _artist_starts(seed: int, genre_index: int) -> np.ndarray:
    """First clip index of each artist: blocks of 2-6 clips drawn once per genre."""
    sizes = _rng(seed, genre_index, 2).integers(2, 7, size=_MAX_INDEX // 2 + 1)
    return np.concatenate([[0], np.cumsum(sizes)])


def _artist_index(genre: str, index: int, seed: int) -> int:
    if not 0 <= int(index) < _MAX_INDEX:
        raise ParameterError(f"Clip index must be in [0, {_MAX_INDEX}), got index={index}.")
    starts = _artist_starts(int(seed), _genre_index(genre))
    return int(np.searchsorted(starts, int(index), side="right") - 1)


def artist_of(genre: str, index: int, *, seed: int = config.SEED) -> str:
    """Name of the synthetic artist who "recorded" clip ``index`` of ``genre``.

    Artists are blocks of 2-6 consecutive clips that share a key, tempo,
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

    # Nine of these draws are read by nothing since the band renderer (band.py) plays General
    # MIDI programs: bass_inst, comp_inst, lead_inst, reverb, wet, eq, brightness, density and
    # noise, and with them the instrument choices and the reverb, brightness, density and noise
    # ranges of each style (styles.py) and most of INSTRUMENTS (sound.py), so tuning those
    # changes no clip. They stay on purpose: every draw advances the random stream, so removing
    # one would change every later draw, hence every clip, every lesson's stored outputs and
    # every benchmark. tests/test_synth.py's golden hashes hold the bytes.
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


# ============================================================================
# The song: timing and harmony
# ============================================================================
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
# Parts: drums as audio; bass, harmony (comp) and lead as note events
# ============================================================================
# A note event is ``(time s, duration s, midi, velocity, bend semitones, vowel)``.
BASS_LOW = 28   # MIDI: the bass plays in the octave above E1


def _bass_line(song: _Song, recipe: str, rng: np.random.Generator) -> list:
    """The bass part: note events, one beat at a time, from the root ``r`` of the
    beat's chord in the octave above MIDI 28.

    Recipes (``Style.bass``):

    - ``root8``: eighth notes on the root, the first of each beat louder, one in
      ten an octave up (pop, rock);
    - ``boogie``: root, third, fifth, sixth, one per beat, each repeated softer
      on the off-beat (blues);
    - ``walking``: one note per beat: the root on beat 1, a chord tone (maybe an
      octave down) in between, and a semitone above or below the next chord's
      root on the last beat (jazz);
    - ``rootfifth``: root on beat 1, the fifth below on beat 3, sometimes a
      passing semitone below on beat 4 (country's boom-chick);
    - ``octave``: root then the octave above, on every eighth (disco);
    - ``sub``: long roots on beats 1 and 3, sometimes one on the last sixteenth
      of beat 2 or on beat 4; a fifth of them slide down into the note from a
      tone above (hip-hop's 808);
    - ``reggae``: a fixed one-bar riff of root, fifth and third that leaves the
      downbeat empty (reggae);
    - ``chug``: the root on every grid step (metal);
    - ``pedal``: one held root per bar (classical).
    """
    notes, beat, low = [], 60.0 / song.bpm, BASS_LOW

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
    """The harmony part: note events, one grid step at a time. ``pattern_rng``
    fixes the stab rhythm and strum pattern (per artist: a "sample" it reuses).

    Recipes (``Style.comp``; ``pad`` also plays under any style, see ``render``):

    - ``pad``: the bar's chord held for the whole bar;
    - ``stabs``: short chords on a random two-bar rhythm (blues, disco, jazz);
    - ``loop``: the same rhythm with longer chords, a sampled loop (hip-hop);
    - ``strum``: chords strummed down (``D``) or up (``U``) on the eighths of a
      one-bar pattern, the notes 12 ms apart (country, disco, pop, rock);
    - ``arp``: an Alberti-like arpeggio on the eighths: the chord's lowest,
      third, second and third notes (classical);
    - ``skank``: short chords on beats 2 and 4 (reggae);
    - ``shuffle``: the root with its fifth (odd beats) or sixth (even beats) on
      the long and short notes of each triplet beat (blues);
    - ``power``: root, fifth and octave on the eighths (rock);
    - ``chug``: root and fifth, palm-muted, on the beats and stab rhythm (metal).
    """
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


def _clip_song(genre: str, style: Style, artist: dict, seconds: float,
               rng: np.random.Generator) -> _Song:
    """The stretch of the artist's song that this clip plays: tempo, key, chords, start."""
    bpm = artist["bpm"] * rng.uniform(0.96, 1.04)
    key = (artist["key"] + (0 if rng.random() < 0.75 else rng.choice((-2, 2, 5, 7)))) % 12
    words = style.progressions[artist["progressions"][rng.integers(len(artist["progressions"]))]].split()
    bars = [[_parse_chord(c) for c in w.split(",")] for w in words]
    offset = int(rng.integers(len(bars)))
    bars = bars[offset:] + bars[:offset]
    meter = artist["meter"]
    bar_s = 60.0 / bpm * meter
    start = -bar_s * (1 + rng.random())     # begin mid-song, one bar or more of pre-roll
    return _Song(bpm, meter, style.grid, artist["swing"], start,
                 int((seconds - start) / bar_s) + 1, key, bars,
                 rubato=0.04 if genre == "classical" else 0.0)
