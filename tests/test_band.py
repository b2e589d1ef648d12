"""Synthetic genres v2: the band, its song forms and its determinism."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils import config
from course_utils.synth import STYLES, band
from course_utils.synth.score import _artist, _clip_song, _rng

SR = config.SR


def test_every_instrument_kit_and_form_is_defined():
    for genre, style in STYLES.items():
        names = {*style.bass_instruments, *style.comp_instruments, *style.lead_instruments}
        assert names <= set(band.PROGRAMS), genre
        assert set(style.drums) <= set(band.DRUM_KEYS), genre
        assert genre in band.KITS and genre in band.FORMS
        assert {name for name, _ in band.FORMS[genre]} <= set(band.SECTIONS)
    sf = band.bank()
    for programs in band.PROGRAMS.values():
        assert programs is None or all((0, p) in sf.presets for p in programs)
    assert all((128, k) in sf.presets for kits in band.KITS.values() for k in kits)


def test_the_same_clip_gives_the_same_bytes_in_any_order():
    a = band.render_clip("disco", 3, seed=11, seconds=3.0)
    band.render_clip("metal", 5, seed=11, seconds=3.0)           # something in between
    assert band.render_clip("disco", 3, seed=11, seconds=3.0).tobytes() == a.tobytes()
    assert band.render_clip("disco", 4, seed=11, seconds=3.0).tobytes() != a.tobytes()


@pytest.mark.parametrize("genre", config.GENRES)
def test_each_genre_renders_at_a_mastered_level(genre):
    y = band.render_clip(genre, 1, seed=5, seconds=4.0)
    assert y.shape == (4 * SR,) and y.dtype == np.float32
    assert 10 ** (-6.5 / 20) < np.abs(y).max() <= 1.0          # the chain's peak level
    assert np.sqrt(np.mean(y ** 2)) > 0.01                      # music, not a noise floor


def test_drums_follow_the_sections():
    style, rng = STYLES["rock"], np.random.default_rng(0)
    artist = _artist(style, 0, config.GENRES.index("rock"), 0)
    song = _clip_song("rock", style, artist, 30.0, _rng(1))
    sections = [("intro", False)] * 4 + [("chorus", False)] * (song.n_bars - 4)
    hits = band._drum_hits(song, style, artist, sections, rng)
    bar_s = 60 / song.bpm * song.meter
    bar_of = lambda t: int((t - song.start + 0.05) // bar_s)
    assert not [h for h in hits if bar_of(h[0]) < 4]              # the intro has no drums
    crashes = [bar_of(t) for t, d, _ in hits if d == "crash"]
    assert min(crashes) == 4                                     # into the chorus
    assert any(d == "kick" for _, d, _ in hits)


def test_sections_cycle_through_the_genre_form():
    sections = band._sections("pop", 64, np.random.default_rng(3))
    names = [n for n, _ in sections]
    assert set(names) == {n for n, _ in band.FORMS["pop"]}      # 64 bars cover the whole form
    total = sum(length for _, length in band.FORMS["pop"])
    assert names[:64 - total] == names[total:]                  # then it repeats
