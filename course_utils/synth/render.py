"""One clip in memory: its song, its arrangement, the mix and the master.

``render_clip`` ties the layers together: ``score`` writes what the artist's
clip plays, ``sound`` renders and masters it. Introduced in 01_audio_basics.
"""
from __future__ import annotations

import numpy as np

from .. import config
from ..exceptions import ParameterError
from .score import (_artist, _artist_index, _bass_line, _comp_part, _drum_part, _genre_index,
                    _lead_line, _rng, _Song)
from .sound import _DB, INSTRUMENTS, _master, _render_part
from .styles import STYLES, Style, _parse_chord


def render_clip(genre: str, index: int, *, seed: int = config.SEED, seconds: float = 10.0,
                sr: int = config.SR) -> np.ndarray:
    """Render clip ``index`` of a synthetic ``genre`` as a mono waveform.

    The clip is a fully determined function of ``(seed, genre, index)`` (and
    ``seconds``, ``sr``): its artist fixes key, tempo, instruments and mix, and
    the clip's own generator varies tempo, arrangement, melody and levels.

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
    song = _clip_song(genre, style, artist, seconds, rng)
    pre = int(round(-song.start * sr))
    n = pre + int(round(seconds * sr))
    levels, plays, layers = _arrangement(song, style, artist, rng)
    parts = np.zeros(n)
    if plays[0]:
        parts += 0.5 * levels[0] * _drum_part(song, style, artist, n, sr, rng)
    for (on, level, notes, inst), gain in zip(layers, (*levels[1:], 1.0)):
        if on:
            part = _render_part([(t - song.start, *rest) for t, *rest in notes()], inst, n, sr)
            parts += level * gain * part / (np.abs(part).max() + 1e-9)
    return _master(parts[pre:], artist, rng, sr)


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


def _arrangement(song: _Song, style: Style, artist: dict, rng: np.random.Generator) -> tuple:
    """Which parts play on this clip, how loud, and on what instrument.

    Returns ``(levels, plays, layers)``: gains of drums, bass, comp and lead;
    whether drums, bass, comp, lead and a pad play; and per pitched part a
    ``(plays, level, notes, instrument)`` tuple whose ``notes()`` writes the
    part when called (the parts draw from ``rng`` in the order they are mixed).
    """
    levels = 10 ** ((artist["levels"] + rng.normal(0, 2.5, 4)) / _DB)
    plays = rng.random(5) < (0.88 * bool(style.drums), 0.92, 0.92, 0.7, 0.25)
    comp_choice = int(rng.integers(2))
    comp_inst, lead_inst = artist["comp_inst"][comp_choice], artist["lead_inst"]
    if rng.random() < 0.3:                   # a guest instrument on this track
        comp_inst = INSTRUMENTS[rng.choice(artist["sound"].comp_instruments)]
    if rng.random() < 0.3:
        lead_inst = INSTRUMENTS[rng.choice(artist["sound"].lead_instruments)]
    hook_rng = _rng(artist["seed"])
    layers = [  # (plays, level, notes, instrument)
        (plays[1], 0.5, lambda: _bass_line(song, style.bass, rng), artist["bass_inst"]),
        (plays[2] or not plays[1], 0.4,
         lambda: _comp_part(song, artist["comp"][comp_choice], rng, _rng(artist["seed"], 1)), comp_inst),
        (plays[3], 0.35, lambda: _lead_line(song, style.lead, style.scale, rng, hook_rng), lead_inst),
        (plays[4], 0.2, lambda: _comp_part(song, "pad", rng, rng),
         INSTRUMENTS[rng.choice(("pad", "strings", "organ"))]),
    ]
    return levels, plays, layers
