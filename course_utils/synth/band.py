"""One clip in memory: a band of sampled instruments playing a song form, then recorded.

``render_clip`` plays a *song*: sections (intro, verse, chorus, bridge, solo, break,
outro) in the form its genre uses, parts that enter and leave, louder and softer sections, drum
fills at phrase ends and builds into choruses. The notes are those ``score``
writes; the instruments are recorded samples of a General MIDI SoundFont
(``soundfont``), each artist with its own drum kit and programs; and the whole
clip goes through the track's recording chain (``chain``). Introduced in
01_audio_basics.

Examples
--------
>>> y = render_clip("rock", 0, seed=0, seconds=4.0)
>>> y.shape, y.dtype, bool(0.3 < abs(y).max() <= 1.0)
((88200,), dtype('float32'), True)
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .. import config
from ..exceptions import ParameterError
from . import soundfont
from .chain import apply_chain, draw_chain
from .sound import INSTRUMENTS, _render_part
from .score import (_artist, _artist_index, _bass_line, _clip_song, _comp_part, _genre_index,
                    _lead_line, _rng)
from .styles import _VELOCITY, STYLES

# General MIDI programs for the course's instrument names (an artist picks one)
PROGRAMS = {
    "piano": (0, 1), "epiano": (4, 5), "guitar": (24, 25, 27), "banjo": (105,), "harp": (46,),
    "crunch": (29,), "distortion": (30,), "organ": (16, 17), "pad": (89, 88, 90),
    "strings": (48, 49), "brass": (61, 56), "sax": (65, 66), "flute": (73,), "synth": (81,),
    "square": (80,), "voice": (53, 52), "bass": (33, 34), "upright": (32,),
    "synthbass": (38, 39), "cello": (42,),
    "808": None,   # a sine sub that slides: synthesised in real hip-hop too (sound.INSTRUMENTS)
}
# General MIDI drum keys for the drum names the styles use
DRUM_KEYS = {"kick": 36, "snare": 38, "brush": 40, "hat": 42, "open": 46, "ride": 51,
             "crash": 49, "clap": 39, "rim": 37, "tom": 45}
KITS = {  # SoundFont drum kits (bank 128 programs) each genre's artists choose from
    "blues": (0, 8, 32), "classical": (48,), "country": (0, 8, 40), "disco": (0, 24),
    "hiphop": (25, 24), "jazz": (32, 40), "metal": (16, 0), "pop": (0, 24, 8),
    "reggae": (0, 8), "rock": (0, 16, 8),
}


@dataclass(frozen=True)
class Section:
    """What plays in one kind of section, and how loud (dB)."""

    parts: frozenset          # of "drums", "bass", "comp", "lead", "pad"
    level_db: float = 0.0
    big_drums: bool = False   # crash on its first bar, ride or open hats


SECTIONS = {
    "intro": Section(frozenset({"comp", "bass"}), -4.0),
    "verse": Section(frozenset({"drums", "bass", "comp", "lead"}), -2.0),
    "prechorus": Section(frozenset({"drums", "bass", "comp", "pad"}), -1.0),
    "chorus": Section(frozenset({"drums", "bass", "comp", "lead", "pad"}), 0.0, True),
    "bridge": Section(frozenset({"bass", "comp", "pad"}), -3.0),
    "solo": Section(frozenset({"drums", "bass", "comp", "solo"}), 0.0, True),
    "break": Section(frozenset({"drums", "bass"}), -1.0),
    "outro": Section(frozenset({"comp", "pad"}), -6.0),
}
FORMS = {  # (section, bars): the song each genre's clips are cut from
    "blues": (("intro", 4), ("verse", 12), ("verse", 12), ("solo", 12), ("verse", 12)),
    "classical": (("intro", 4), ("verse", 8), ("bridge", 8), ("chorus", 8), ("verse", 8),
                  ("outro", 4)),
    "country": (("intro", 4), ("verse", 8), ("chorus", 8), ("solo", 8), ("verse", 8),
                ("chorus", 8)),
    "disco": (("intro", 8), ("verse", 8), ("prechorus", 4), ("chorus", 8), ("break", 8),
              ("chorus", 8)),
    "hiphop": (("intro", 4), ("verse", 16), ("chorus", 8), ("break", 4), ("verse", 16)),
    "jazz": (("intro", 4), ("verse", 8), ("verse", 8), ("bridge", 8), ("verse", 8),
             ("solo", 16)),
    "metal": (("intro", 4), ("verse", 8), ("chorus", 8), ("break", 4), ("solo", 8),
              ("chorus", 8)),
    "pop": (("intro", 4), ("verse", 8), ("prechorus", 4), ("chorus", 8), ("bridge", 4),
            ("chorus", 8)),
    "reggae": (("intro", 4), ("verse", 8), ("chorus", 8), ("break", 8), ("verse", 8)),
    "rock": (("intro", 4), ("verse", 8), ("chorus", 8), ("solo", 8), ("chorus", 8)),
}


@lru_cache(maxsize=1)
def bank() -> soundfont.SoundFont:
    """The General MIDI SoundFont, read once per process."""
    return soundfont.SoundFont(soundfont.default_path())


def render_clip(genre: str, index: int, *, seed: int = config.SEED, seconds: float = 30.0,
                sr: int = config.SR) -> np.ndarray:
    """Render clip ``index`` of a synthetic ``genre`` as a mono waveform.

    A band of sampled instruments plays part of a song in the genre's form,
    recorded through the track's chain. The clip is a fully determined function
    of ``(seed, genre, index)`` (and ``seconds``, ``sr``): its artist fixes the
    band, the sound and most of the chain, and the clip's own generator draws its
    song (tempo, key, progression, groove), session players and sections.

    Parameters
    ----------
    genre : str
        One of ``config.GENRES``: the style the clip is played in.
    index : int in [0, 100000)
        Clip number within the genre; it picks the artist (see ``artist_of``).
    seed : int
        Dataset seed; with ``genre`` and ``index`` it fixes every sample.
    seconds : float > 0
        Length of the clip.
    sr : int > 0
        Sample rate.

    Returns
    -------
    y : np.ndarray [shape=(round(seconds * sr),), dtype=float32]
        Audio in [-1, 1], mastered to the chain's peak level (-6 to -0.5 dBFS).

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
    gi, style = _genre_index(genre), STYLES[genre]
    artist_id = _artist_index(genre, index, seed)
    artist = _artist(style, seed, gi, artist_id)
    rng = _rng(seed, gi, 4, index)
    band = _session(_band(genre, seed, gi, artist_id, artist), genre, artist, rng)
    artist = _this_song(artist, style, rng)
    song = _clip_song(genre, style, artist, seconds, rng)
    sections = _sections(genre, song.n_bars, rng)
    n = int(round(seconds * sr))
    mix = np.zeros(n + 4 * sr, np.float32)            # room for the last notes' release
    if style.drums:
        _play_drums(mix, _drum_hits(song, style, artist, sections, rng), band["kit"], sr)
    comp = artist["comp"][int(rng.integers(2))]
    parts = {"bass": (_bass_line(song, style.bass, rng), band["bass"], 0.9),
             "comp": (_comp_part(song, comp, rng, _rng(artist["seed"], 1)), band["comp"], 0.55),
             "lead": (_lead_line(song, style.lead, style.scale, rng, _rng(artist["seed"])),
                      band["lead"], 0.6),
             "pad": (_comp_part(song, "pad", rng, rng), band["pad"], 0.3)}
    lead_notes = parts["lead"][0]
    parts["solo"] = (lead_notes, band["solo"], 0.6)
    for part, (notes, program, gain) in parts.items():
        level = gain * 10 ** (band["levels"]["lead" if part == "solo" else part] / 20)
        _play_notes(mix, notes, song, sections, part, program, level, sr)
    return apply_chain(mix[:n], band["chain"], sr, rng)


def _band(genre: str, seed: int, gi: int, artist_id: int, artist: dict) -> dict:
    """An artist's instruments, kit, part levels and recording chain (its own generator,
    so ``score``'s artist stays as it is)."""
    rng = _rng(seed, gi, 5, artist_id)
    sound = artist["sound"]
    return {"bass": _pick(rng, sound.bass_instruments), "comp": _pick(rng, sound.comp_instruments),
            "lead": _pick(rng, sound.lead_instruments),
            "pad": _pick(rng, ("pad", "strings", "organ")),
            "kit": int(rng.choice(KITS[_genre_of(sound, genre)])),
            "levels": {p: float(rng.normal(0, 2.0)) for p in ("bass", "comp", "lead", "pad")},
            "chain": draw_chain(rng)}


SESSION_CHANGE = 0.5   # chance that a track swaps one of its artist's instruments or kit
NEIGHBOUR_SHARE = 0.5  # chance that a swapped-in player or kit comes from a neighbouring style
TRACK_CHAIN_SPREAD = 0.5   # a track's chain moves this share of each range from its artist's


def _session(band: dict, genre: str, artist: dict, rng: np.random.Generator) -> dict:
    """This track's line-up: the artist's, but session players and another kit now and
    then (some from a neighbouring style: styles borrow from each other), a solo
    instrument of its own, and its own take on the artist's chain."""
    band = dict(band)
    style = lambda: _neighbour(genre, rng) if rng.random() < NEIGHBOUR_SHARE else genre
    for part, names in (("bass", "bass_instruments"), ("comp", "comp_instruments"),
                        ("lead", "lead_instruments")):
        if rng.random() < SESSION_CHANGE:
            band[part] = _pick(rng, getattr(STYLES[style()], names))
    if rng.random() < SESSION_CHANGE:
        band["kit"] = int(rng.choice(KITS[style()]))
    band["solo"] = _pick(rng, STYLES[style()].lead_instruments)
    band["chain"] = draw_chain(rng, band["chain"], spread=TRACK_CHAIN_SPREAD)
    return band


def _neighbour(genre: str, rng: np.random.Generator) -> str:
    """A style whose players ``genre`` borrows (itself, if it has no neighbours)."""
    neighbours = STYLES[genre].neighbours
    return str(rng.choice(neighbours)) if neighbours else genre


def _this_song(artist: dict, style, rng: np.random.Generator) -> dict:
    """An artist's songs differ: tempo (within the style's range), key, progression and,
    now and then, the groove of one drum part."""
    lo, hi = style.tempo
    drums = {part: int(rng.integers(len(style.drums[part]))) if rng.random() < SESSION_CHANGE
             else choice for part, choice in artist["drums"].items()}
    progressions = (artist["progressions"] if rng.random() < 0.5
                    else rng.permutation(len(style.progressions))[:2])
    return {**artist, "bpm": float(np.clip(artist["bpm"] * rng.uniform(0.88, 1.12), lo, hi)),
            "key": int(rng.integers(12)) if rng.random() < 0.5 else artist["key"],
            "drums": drums, "progressions": progressions}


def _pick(rng: np.random.Generator, names) -> int | str:
    """A General MIDI program for one of ``names`` (or the name, if it is synthesised)."""
    name = str(rng.choice(names))
    return name if PROGRAMS[name] is None else int(rng.choice(PROGRAMS[name]))


def _genre_of(style, default: str) -> str:
    return next((g for g, s in STYLES.items() if s is style), default)


def _sections(genre: str, n_bars: int, rng: np.random.Generator) -> list[tuple[str, bool]]:
    """``(section, last bar of its phrase)`` for each bar of the clip, starting at a
    random bar of the genre's form (which repeats if the clip is longer)."""
    bars = [(name, i == length - 1 or i % 4 == 3) for name, length in FORMS[genre]
            for i in range(length)]
    start = int(rng.integers(len(bars)))
    return [bars[(start + b) % len(bars)] for b in range(n_bars)]


def _drum_hits(song, style, artist, sections, rng) -> list[tuple[float, str, float]]:
    """``(time, drum, velocity)``: the artist's patterns, thinned or filled by section."""
    hits, hum = [], artist["humanise"]
    for bar, (name, phrase_end) in enumerate(sections):
        section = SECTIONS[name]
        if "drums" not in section.parts:
            continue
        nxt = sections[bar + 1][0] if bar + 1 < len(sections) else name
        fill = phrase_end and rng.random() < 0.7
        build = name == "prechorus" and nxt == "chorus" and phrase_end
        for part, options in style.drums.items():
            pattern = options[artist["drums"][part]]
            if len(pattern) != song.steps:
                pattern = (pattern * 2)[:song.steps]
            drum = "ride" if part == "hat" and section.big_drums and "ride" in style.drums else part
            if part == "ride" and not section.big_drums and "hat" in style.drums:
                continue
            for step, char in enumerate(pattern):
                if char == "." or (fill or build) and step >= song.steps - song.grid:
                    continue
                hits.append((song.time(bar, step), "open" if char == "o" else drum,
                             _VELOCITY[char]))
        if section.big_drums and (bar == 0 or sections[bar - 1][0] != name):
            hits.append((song.time(bar, 0), "crash", 0.9))     # into a big section
        if build:                                      # a snare roll that swells
            hits += [(song.time(bar, s), "snare", 0.3 + 0.6 * s / song.steps)
                     for s in range(0, song.steps, 2 if song.grid == 4 else 1)]
        elif fill:
            hits += [(song.time(bar, s), "snare" if s % 2 == 0 else "tom", 0.55 + 0.1 * (s % 4))
                     for s in range(song.steps - song.grid, song.steps)]
        hits += [(song.time(bar, s), "snare", 0.25)
                 for s in np.flatnonzero(rng.random(song.steps) < style.ghosts)]
    return [(t + rng.normal(0, hum), d, v * rng.uniform(0.85, 1.1)) for t, d, v in hits]


def _play_drums(mix: np.ndarray, hits, kit: int, sr: int) -> None:
    sf = bank()
    for t, drum, vel in hits:
        _add(mix, sf.note(kit, DRUM_KEYS[drum], _midi_velocity(vel), 0.3, sr=sr,
                          bank=soundfont.DRUM_BANK), t, sr, 0.8)


def _play_notes(mix, notes, song, sections, part, program, level, sr) -> None:
    """Add a part's note events, only in the bars whose section it plays in."""
    sf, bar_s = bank(), 60.0 / song.bpm * song.meter
    kept = []
    for t, dur, midi, vel, bend, vowel in notes:
        bar = int((t - song.start) // bar_s)
        if 0 <= bar < len(sections) and part in SECTIONS[sections[bar][0]].parts:
            kept.append((t, dur, midi, vel * 10 ** (SECTIONS[sections[bar][0]].level_db / 20),
                         bend, vowel))
    if isinstance(program, str):                 # a synthesised instrument
        y = _render_part([(max(t, 0.0), *rest) for t, *rest in kept], INSTRUMENTS[program],
                         len(mix), sr)
        mix += (0.3 * level * y).astype(np.float32)
        return
    for t, dur, midi, vel, bend, _ in kept:
        y = sf.note(program, int(round(midi + bend)), _midi_velocity(vel), dur, sr=sr)
        _add(mix, y, t, sr, level)


def _midi_velocity(v: float) -> int:
    return int(np.clip(round(127 * v), 1, 127))


def _add(mix: np.ndarray, y: np.ndarray, t: float, sr: int, gain: float) -> None:
    i0 = int(round(t * sr))
    if i0 >= len(mix) or i0 + len(y) <= 0:
        return
    a, b = max(i0, 0), min(i0 + len(y), len(mix))
    mix[a:b] += gain * y[a - i0:b - i0]
