"""A synthetic 10-genre music dataset with GTZAN's genre names and file layout.

Every lesson runs offline on this set. Ten styles carry GTZAN's genre names and
are played as songs by a band of recorded instruments (a General MIDI SoundFont):
drums, bass, harmony, a lead line and solos, in sections of the style's song form,
through a recording chain (EQ, room, compressor, saturation, bandwidth, noise,
level) drawn per track. Each style has its own tempo range, feel (straight, swung
or shuffled), drum patterns, chord progressions, instruments and forms (see
``STYLES``). Clips are grouped into "artists" who share a band, a sound and part of
the chain, so a random track split leaks, as GTZAN's does. Neighbouring styles share instruments on purpose
(rock/metal, disco/pop, blues/jazz/country), so their confusions look like
GTZAN's. Introduced in 01_audio_basics.

The files follow GTZAN's Kaggle layout::

    <root>/genres_original/<genre>/<genre>.000NN.flac  (22050 Hz, mono, 16-bit FLAC)
    <root>/metadata.csv                                 (track_id, genre, artist)
    <root>/synth_info.json                              (seed, per_genre, seconds, sr, version)

The same ``(seed, genre, index)`` always gives the same bytes, whatever the order
of rendering or the number of worker processes.

The package, lowest layer first; each module imports only those above it:

- ``sound``: synthesised instruments (the 808 sub), filters (numbers to waveforms);
- ``soundfont``: a player for the recorded instruments of a General MIDI SoundFont;
- ``chain``: the recording chain of a track;
- ``styles``: ``Style``, the ``STYLES`` table and the chord notation;
- ``score``: artists, the song's timing and harmony, and the parts' notes;
- ``band``: ``render_clip``, one clip in memory (the band, the song form, the chain);
- ``files``: ``synthesize``, the dataset on disk.

Examples
--------
>>> from course_utils import synth
>>> synth.artist_of("jazz", 0, seed=1)
'jazz-a00'
"""
from .. import config
from .files import FAST_SIZE, FULL_SIZE, VERSION, synthesize
from .band import render_clip
from .score import CROSSOVER, _artist, artist_of  # noqa: F401 - _artist: for tests
from .sound import INSTRUMENTS, Instrument
from .styles import STYLES, Style, _parse_chord  # noqa: F401 - _parse_chord: for tests

SR = config.SR
SEED = config.SEED

__all__ = ["CROSSOVER", "FAST_SIZE", "FULL_SIZE", "INSTRUMENTS", "Instrument", "SEED", "SR",
           "STYLES", "Style", "VERSION", "artist_of", "render_clip", "synthesize"]

# doctest only collects what a module defines itself: run the submodules' examples here
__test__ = {"render_clip": render_clip, "synthesize": synthesize, "artist_of": artist_of}
