"""musicnn's tags and the zero-shot genre: the mapping, the library call and the ``tags`` command."""
from __future__ import annotations

import csv
import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from course_utils import cli, config, pretrained, tagging
from fakes import tone


def test_mapping_names_real_tags_and_every_genre():
    assert set(tagging.GENRE_TAGS) == set(config.GENRES)
    for genre, tags in tagging.GENRE_TAGS.items():
        for model, tag in tags:
            assert tag in pretrained.TAGS[model], (genre, model, tag)
    assert tagging.UNREACHABLE == ("reggae",)


def test_zero_shot_takes_the_best_tag_of_each_genre():
    means = {"MSD_musicnn": {"dance": 0.1, "70s": 0.5, "funk": 0.2, "rock": 0.4},
             "MTT_musicnn": {"classical": 0.45, "rock": 0.9}}      # MTT's rock is not mapped
    scores = tagging.zero_shot_scores(means)
    assert scores["disco"] == 0.5 and scores["rock"] == 0.4 and scores["classical"] == 0.45
    assert scores["reggae"] == 0.0 and scores["jazz"] == 0.0
    assert tagging.zero_shot(means) == {"genre": "disco", "score": 0.5}
    mine = {g: () for g in config.GENRES} | {"rock": (("MTT_musicnn", "rock"),)}
    assert tagging.zero_shot(means, mapping=mine) == {"genre": "rock", "score": 0.9}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Tones in the five formats the course reads, one in a sub-folder, and two bad files."""
    root = tmp_path_factory.mktemp("tags") / "mine"
    (root / "sub").mkdir(parents=True)
    y = tone(330, 4.0)
    for name, fmt in (("a.wav", "WAV"), ("b.flac", "FLAC"), ("c.ogg", "OGG"), ("d.au", "AU"),
                      ("sub/e.mp3", "MP3")):
        sf.write(root / name, y, 22050, format=fmt)
    (root / "broken.wav").write_bytes(b"RIFF not really audio")
    sf.write(root / "short.wav", y[:22050], 22050)                 # 1 s: under musicnn's 3 s
    return root


def course(*args):
    return subprocess.run([sys.executable, "-m", "course_utils", "tags", *map(str, args)],
                          capture_output=True, text=True, timeout=600)


def test_tags_command_on_a_folder_names_bad_files_and_carries_on(folder, tmp_path):
    result = course(folder, "--json", "--top-k", "3", "--csv", tmp_path / "t.csv")
    assert result.returncode == cli.EXIT_PARTIAL, result.stderr[-2000:]
    rows = json.loads(result.stdout)
    names = [r["file"].split("/")[-1] for r in rows]
    assert names == ["a.wav", "b.flac", "broken.wav", "c.ogg", "d.au", "short.wav", "e.mp3"]
    bad = {r["file"].split("/")[-1]: r["error"] for r in rows if "error" in r}
    assert set(bad) == {"broken.wav", "short.wav"}
    assert "short.wav" in bad["short.wav"] and "broken.wav" in bad["broken.wav"]
    assert "broken.wav" in result.stderr and "short.wav" in result.stderr
    for r in rows:
        if "error" in r:
            continue
        assert r["file"].startswith(str(folder))                    # the path as found
        assert len(r["tags"]) == 6 and {t["model"] for t in r["tags"]} == set(tagging.BOTH)
        probs = [t["probability"] for t in r["tags"]]
        assert probs == sorted(probs, reverse=True) and all(0 <= p <= 1 for p in probs)
        assert r["zero_shot"]["genre"] in config.GENRES
    good = [r for r in rows if "error" not in r]
    first = good[0]                                                 # the same tone: same tags
    for r in good[1:4]:                                             # (lossless and ogg)
        np.testing.assert_allclose([t["probability"] for t in r["tags"]],
                                   [t["probability"] for t in first["tags"]], atol=0.05)
    with open(tmp_path / "t.csv") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 7 and table[2]["error"] and table[0]["zero_shot_genre"]


def test_tags_command_one_model_plain_output_and_exit_codes(folder):
    one = course(folder / "a.wav", "--pretrained", "MSD_musicnn", "--top-k", "2")
    assert one.returncode == cli.EXIT_OK, one.stderr[-2000:]
    assert one.stdout.startswith(f"{folder / 'a.wav'}: zero-shot ")
    assert one.stdout.count("tags:") == 1
    only_bad = course(folder / "broken.wav")
    assert only_bad.returncode == cli.EXIT_UNUSABLE and "broken.wav" in only_bad.stderr
    missing = course(folder / "nope.wav")
    assert missing.returncode == cli.EXIT_UNUSABLE and "no such file" in missing.stderr
    assert course(folder, "--top-k", "0").returncode == cli.EXIT_USAGE


@pytest.mark.gtzan
def test_zero_shot_hears_real_classical_and_blues(gtzan_sample):
    """On the real clips of ../shared/data: the genres musicnn's vocabulary covers well."""
    files = sorted((gtzan_sample / "genres_original").glob("*/*.wav"))
    scores = tagging.zero_shot_probs(files)
    said = [config.GENRES[i] for i in scores.argmax(1)]
    truth = [f.parent.name for f in files]
    for genre in ("classical", "blues"):
        assert all(s == genre for s, t in zip(said, truth) if t == genre), (said, truth)
    assert np.mean([s == t for s, t in zip(said, truth)]) >= 0.5    # 10 of 14 when written
