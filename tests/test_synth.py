"""Tests for course_utils.synth: determinism, layout, idempotency, artists, sound."""
from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
import scipy
import soundfile as sf

from course_utils import config, synth
from course_utils.exceptions import ParameterError

PER_GENRE, SECONDS, SEED = 2, 3.0, 5
GOLDEN = Path(__file__).parent / "data" / "synth_golden.json"
GOLDEN_SET = {"per_genre": 2, "seconds": 1.5, "seed": SEED}    # the synthesize() part


def _files(root):
    return sorted((root / "genres_original").rglob("*.flac"))


def _bytes(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in _files(root)}


@pytest.fixture(scope="module")
def tiny_set(tmp_path_factory):
    """2 clips per genre x 3 s, rendered in one process."""
    root = tmp_path_factory.mktemp("synth") / "set"
    return synth.synthesize(root, per_genre=PER_GENRE, seconds=SECONDS, seed=SEED, progress=False)


# --- layout -----------------------------------------------------------------
def test_layout_follows_gtzan_kaggle(tiny_set):
    names = [p.relative_to(tiny_set).as_posix() for p in _files(tiny_set)]
    expected = sorted(f"genres_original/{g}/{g}.{i:05d}.flac"
                      for g in config.GENRES for i in range(PER_GENRE))
    assert names == expected
    assert not list(tiny_set.rglob("*.tmp"))


def test_files_are_16_bit_mono_at_sr(tiny_set):
    info = sf.info(tiny_set / "genres_original" / "blues" / "blues.00001.flac")
    assert (info.samplerate, info.channels, info.subtype, info.format) == (
        config.SR, 1, "PCM_16", "FLAC")
    assert info.frames == int(round(SECONDS * config.SR))


def test_metadata_csv(tiny_set):
    with open(tiny_set / "metadata.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["track_id", "genre", "artist"]
    assert len(rows) == PER_GENRE * len(config.GENRES)
    for row in rows:
        genre, index = row["track_id"].split(".")
        assert genre == row["genre"] and re.fullmatch(r"\d{5}", index)
        assert re.fullmatch(rf"{genre}-a\d{{2,}}", row["artist"])
        assert row["artist"] == synth.artist_of(genre, int(index), seed=SEED)


def test_synth_info(tiny_set):
    info = json.loads((tiny_set / "synth_info.json").read_text())
    assert info == {"seed": SEED, "per_genre": PER_GENRE, "seconds": SECONDS,
                    "sr": config.SR, "version": synth.VERSION}


# --- determinism ------------------------------------------------------------
def test_same_seed_same_bytes_with_workers(tiny_set, tmp_path):
    other = synth.synthesize(tmp_path / "par", per_genre=PER_GENRE, seconds=SECONDS,
                             seed=SEED, n_jobs=2, progress=False)
    assert _bytes(other) == _bytes(tiny_set)


def test_same_bytes_whatever_the_order(tiny_set, tmp_path):
    # render only the second clip of each genre first, then fill in the rest
    root = tmp_path / "order"
    for genre in reversed(config.GENRES):
        y = synth.render_clip(genre, 1, seed=SEED, seconds=SECONDS)
        path = root / "genres_original" / genre / f"{genre}.00001.flac"
        path.parent.mkdir(parents=True)
        sf.write(path, y, config.SR, subtype="PCM_16", format="FLAC")
    synth.synthesize(root, per_genre=PER_GENRE, seconds=SECONDS, seed=SEED, progress=False)
    assert _bytes(root) == _bytes(tiny_set)


def test_render_clip_matches_file(tiny_set):
    y = synth.render_clip("jazz", 0, seed=SEED, seconds=SECONDS)
    stored, sr = sf.read(tiny_set / "genres_original" / "jazz" / "jazz.00000.flac", dtype="float32")
    assert sr == config.SR
    np.testing.assert_allclose(stored, y, atol=1.5 / 32768)


def test_different_seeds_differ():
    a = synth.render_clip("rock", 0, seed=1, seconds=2.0)
    b = synth.render_clip("rock", 0, seed=2, seconds=2.0)
    assert not np.allclose(a, b)


def test_different_clips_differ():
    a = synth.render_clip("pop", 0, seed=1, seconds=2.0)
    b = synth.render_clip("pop", 1, seed=1, seconds=2.0)
    assert not np.allclose(a, b)


# --- golden hashes ----------------------------------------------------------
# The exact bytes of a small set, recorded from the generator before a refactor.
# A change that is meant to change the sound bumps synth.VERSION and
# regenerates the file: ``python tests/test_synth.py --regenerate``.
def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _versions() -> dict:
    return {"numpy": np.__version__, "scipy": scipy.__version__,
            "libsndfile": sf.__libsndfile_version__}


def _skip_unless_same(golden: dict, names: tuple) -> None:
    """Floats may differ between releases: compare only on the recorded major.minor."""
    here = _versions()
    for name in names:
        if here[name].split(".")[:2] != golden[name].split(".")[:2]:
            pytest.skip(f"golden hashes were made with {name} {golden[name]}, "
                        f"this is {name} {here[name]}")


def _clip_hash(case: dict) -> str:
    y = synth.render_clip(case["genre"], case["index"], seed=case["seed"],
                          seconds=case["seconds"], sr=case["sr"])
    return _sha256(y.tobytes())


def _set_hashes(root: Path) -> dict:
    synth.synthesize(root, **GOLDEN_SET, progress=False)
    return {p.relative_to(root).as_posix(): _sha256(p.read_bytes())
            for p in sorted(root.rglob("*")) if p.is_file()}


def _golden_clips() -> list[dict]:
    """The cases: per genre, clip 0 and a clip whose artist borrows a neighbour's
    sound (or, if clip 0's does, one whose does not), and a clip in another
    meter if the style has one; then a longer clip (drum fills, crashes) and a
    clip at another sample rate."""
    cases = []
    for gi, (genre, style) in enumerate(synth.STYLES.items()):
        numbers = [int(synth.artist_of(genre, i, seed=SEED).split("-a")[1]) for i in range(40)]
        artists = [synth._artist(style, SEED, gi, number) for number in numbers]
        crossover = [a["sound"] is not style for a in artists]
        other = crossover.index(not crossover[0])
        cases += [(genre, 0), (genre, other)]
        meters = [a["meter"] != artists[0]["meter"] for a in artists]
        if any(meters):                              # classical: both 3/4 and 4/4
            cases.append((genre, meters.index(True)))
    clips = [{"genre": g, "index": i, "seed": SEED, "seconds": 3.0, "sr": config.SR}
             for g, i in cases]
    clips += [{"genre": "rock", "index": 0, "seed": 1, "seconds": 8.0, "sr": config.SR},
              {"genre": "jazz", "index": 2, "seed": SEED, "seconds": 1.0, "sr": 44100}]
    return clips


def _regenerate() -> None:
    clips = [{**case, "sha256": _clip_hash(case)} for case in _golden_clips()]
    with tempfile.TemporaryDirectory() as tmp:
        files = _set_hashes(Path(tmp) / "set")
    golden = {"about": "sha256 of course_utils.synth output; see tests/test_synth.py",
              **_versions(), "version": synth.VERSION, "clips": clips,
              "synthesize": {**GOLDEN_SET, "files": files}}
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(golden, indent=1) + "\n")


def test_clips_match_golden_hashes():
    golden = json.loads(GOLDEN.read_text())
    _skip_unless_same(golden, ("numpy", "scipy"))
    assert golden["version"] == synth.VERSION, "regenerate the golden hashes with the new VERSION"
    got = [{**case, "sha256": _clip_hash(case)} for case in golden["clips"]]
    assert got == golden["clips"]


def test_files_match_golden_hashes(tmp_path):
    golden = json.loads(GOLDEN.read_text())
    _skip_unless_same(golden, ("numpy", "scipy", "libsndfile"))
    assert _set_hashes(tmp_path / "set") == golden["synthesize"]["files"]


# --- idempotency ------------------------------------------------------------
def test_second_call_rewrites_nothing(tiny_set):
    before = {p: p.stat().st_mtime_ns for p in [*_files(tiny_set), tiny_set / "metadata.csv"]}
    synth.synthesize(tiny_set, per_genre=PER_GENRE, seconds=SECONDS, seed=SEED, progress=False)
    after = {p: p.stat().st_mtime_ns for p in before}
    assert after == before


def test_missing_file_is_rendered_alone(tmp_path):
    root = synth.synthesize(tmp_path / "s", per_genre=1, seconds=1.0, seed=3, progress=False)
    missing = root / "genres_original" / "metal" / "metal.00000.flac"
    content = missing.read_bytes()
    keep = root / "genres_original" / "pop" / "pop.00000.flac"
    mtime = keep.stat().st_mtime_ns
    missing.unlink()
    synth.synthesize(root, per_genre=1, seconds=1.0, seed=3, progress=False)
    assert missing.read_bytes() == content
    assert keep.stat().st_mtime_ns == mtime


def test_a_version_1_wav_set_is_replaced(tmp_path):
    root = synth.synthesize(tmp_path / "s", per_genre=1, seconds=0.5, seed=3, progress=False)
    old = root / "genres_original" / "rock" / "rock.00000.wav"
    sf.write(old, np.zeros(100), config.SR)
    info = root / "synth_info.json"
    info.write_text(info.read_text().replace(synth.VERSION, "1.0"))
    synth.synthesize(root, per_genre=1, seconds=0.5, seed=3, progress=False)
    assert not old.exists() and len(_files(root)) == len(config.GENRES)


def test_new_settings_rerender_and_drop_surplus(tmp_path):
    root = synth.synthesize(tmp_path / "s", per_genre=2, seconds=1.0, seed=3, progress=False)
    old = (root / "genres_original" / "disco" / "disco.00000.flac").read_bytes()
    synth.synthesize(root, per_genre=1, seconds=1.0, seed=4, progress=False)
    assert len(_files(root)) == len(config.GENRES)
    assert (root / "genres_original" / "disco" / "disco.00000.flac").read_bytes() != old
    assert json.loads((root / "synth_info.json").read_text())["seed"] == 4


def test_fast_mode_picks_the_default_size(tmp_path, monkeypatch):
    # the sizes live where synthesize() reads them: in synth.files
    monkeypatch.setattr(synth.files, "FAST_SIZE", (1, 0.5))
    monkeypatch.setattr(synth.files, "FULL_SIZE", (2, 0.25))
    monkeypatch.setenv("COURSE_FAST", "1")
    sizes = {}
    for name, fast in (("env", None), ("full", False)):
        root = synth.synthesize(tmp_path / name, fast=fast, progress=False)
        info = json.loads((root / "synth_info.json").read_text())
        sizes[name] = (info["per_genre"], info["seconds"], len(_files(root)))
    assert sizes == {"env": (1, 0.5, len(config.GENRES)), "full": (2, 0.25, 2 * len(config.GENRES))}


def test_default_root_is_under_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    root = synth.synthesize(per_genre=1, seconds=0.5, progress=False)
    assert root == tmp_path / "synthetic"
    assert (root / "metadata.csv").exists()


# --- artists ----------------------------------------------------------------
@pytest.mark.parametrize("genre", config.GENRES)
def test_artists_are_blocks_of_several_clips(genre):
    artists = [synth.artist_of(genre, i, seed=SEED) for i in range(60)]
    _, counts = np.unique(artists, return_counts=True)
    assert 60 / 6 <= len(counts) <= 60 / 2 + 1
    assert counts[:-1].min() >= 2 and counts.max() <= 6      # the last block may be cut off
    assert artists == sorted(artists, key=lambda a: int(a.split("-a")[1]))


def test_artists_depend_on_seed():
    a = [synth.artist_of("blues", i, seed=1) for i in range(40)]
    b = [synth.artist_of("blues", i, seed=2) for i in range(40)]
    assert a != b


def test_clips_of_one_artist_share_tempo_and_sound():
    # the artist's parameters are shared; clips of two artists differ more
    style = synth.STYLES["disco"]
    gi = config.GENRES.index("disco")
    one = synth._artist(style, SEED, gi, 0)
    again = synth._artist(style, SEED, gi, 0)
    other = synth._artist(style, SEED, gi, 1)
    assert one["bpm"] == again["bpm"] and one["kit"] == again["kit"]
    assert one["bpm"] != other["bpm"]


# --- sound ------------------------------------------------------------------
@pytest.mark.parametrize("genre", config.GENRES)
def test_clip_is_sound_audio(genre):
    y = synth.render_clip(genre, 4, seed=SEED, seconds=SECONDS)
    assert y.shape == (int(round(SECONDS * config.SR)),) and y.dtype == np.float32
    assert np.all(np.isfinite(y))
    peak = np.abs(y).max()
    assert 10 ** (-6.5 / 20) <= peak <= 1.0                          # the chain's peak level
    assert 20 * np.log10(np.sqrt(np.mean(y ** 2))) > -35          # not silent
    assert np.mean(np.abs(y) > 0.99 * peak) < 0.01                # not squashed flat


def test_styles_cover_the_genres_and_parse():
    assert tuple(synth.STYLES) == config.GENRES
    for name, style in synth.STYLES.items():
        for progression in style.progressions:
            for word in progression.replace(",", " ").split():
                synth._parse_chord(word)
        for patterns in style.drums.values():
            assert all(len(p) == style.grid * 4 for p in patterns), name


def _recipe_song(n_bars: int = 8):
    """Eight 4/4 bars of sixteenths in C, alternating I7 and IV7."""
    bars = [[synth._parse_chord("I7")], [synth._parse_chord("IV7")]]
    return synth.score._Song(bpm=100.0, meter=4, grid=4, swing=0.0, start=0.0, n_bars=n_bars,
                             key=0, bars=bars)


def test_every_recipe_a_style_names_plays_its_own_part():
    # a recipe name that the part ladders do not know would leave a part silent
    song, styles = _recipe_song(), synth.STYLES.values()
    bass = {s.bass: synth.score._bass_line(song, s.bass, np.random.default_rng(0)) for s in styles}
    comp = {r: synth.score._comp_part(song, r, np.random.default_rng(0), np.random.default_rng(1))
            for s in styles for r in s.comp}
    lead = {s.lead: synth.score._lead_line(song, s.lead, s.scale, np.random.default_rng(0),
                                           np.random.default_rng(1)) for s in styles}
    for part in (bass, comp, lead):
        assert all(part.values()), [recipe for recipe, notes in part.items() if not notes]
    for part in (bass, comp):                         # and no two recipes play the same notes
        assert len({tuple(notes) for notes in part.values()}) == len(part), sorted(part)
    assert len(bass) >= 8 and len(comp) >= 8
    in_bar = [t for t, *_ in bass["pedal"] if t < 60.0 / song.bpm * 4]
    assert len(in_bar) == 1                           # the pedal holds one note a bar


def test_artists_draw_tempo_from_their_style():
    for gi, (genre, style) in enumerate(synth.STYLES.items()):
        bpms = [synth._artist(style, SEED, gi, a)["bpm"] for a in range(20)]
        assert style.tempo[0] <= min(bpms) and max(bpms) <= style.tempo[1], genre
        assert np.ptp(bpms) > 0.3 * np.ptp(style.tempo), genre       # the whole range is used


# --- errors -----------------------------------------------------------------
def test_unknown_genre():
    with pytest.raises(ParameterError, match="Unknown genre 'polka'"):
        synth.render_clip("polka", 0)


@pytest.mark.parametrize("index", [-1, 100_000])
def test_index_out_of_range(index):
    with pytest.raises(ParameterError, match=f"index={index}"):
        synth.artist_of("rock", index)


def test_bad_sizes(tmp_path):
    with pytest.raises(ParameterError, match="per_genre=0"):
        synth.synthesize(tmp_path, per_genre=0)
    with pytest.raises(ParameterError, match="seconds=-1"):
        synth.render_clip("rock", 0, seconds=-1)
    with pytest.raises(ParameterError, match="n_jobs=0"):
        synth.synthesize(tmp_path, per_genre=1, n_jobs=0)


if __name__ == "__main__" and sys.argv[1:] == ["--regenerate"]:
    _regenerate()
