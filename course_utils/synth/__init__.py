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

The package, lowest layer first; each module imports only those above it:

- ``sound``: instruments, drum kit, filters and mastering (numbers to waveforms);
- ``styles``: ``Style``, the ``STYLES`` table and the chord notation;
- ``score``: artists, the song's timing and harmony, and the parts' notes;
- ``render``: ``render_clip``, one clip in memory;
- ``files``: ``synthesize``, the dataset on disk.

Version 2 of the sound, which the set moves to once the lessons are re-measured on it,
adds three modules: ``soundfont`` (a player for the recorded instruments of a General
MIDI SoundFont), ``chain`` (a recording chain per track) and ``band`` (``render_song``:
those instruments playing sections of a song form, through the chain).

Examples
--------
>>> from course_utils import synth
>>> synth.artist_of("jazz", 0, seed=1)
'jazz-a00'
"""
from .. import config
from .files import FAST_SIZE, FULL_SIZE, VERSION, synthesize
from .render import render_clip
from .score import CROSSOVER, _artist, artist_of  # noqa: F401 - _artist: for tests
from .sound import INSTRUMENTS, Instrument
from .styles import STYLES, Style, _parse_chord  # noqa: F401 - _parse_chord: for tests

SR = config.SR
SEED = config.SEED

__all__ = ["CROSSOVER", "FAST_SIZE", "FULL_SIZE", "INSTRUMENTS", "Instrument", "SEED", "SR",
           "STYLES", "Style", "VERSION", "artist_of", "render_clip", "synthesize"]

# doctest only collects what a module defines itself: run the submodules' examples here
__test__ = {"render_clip": render_clip, "synthesize": synthesize, "artist_of": artist_of}
