"""Real GTZAN checks on the sample in ../shared/data (skipped, with a reason, when absent)."""
from __future__ import annotations

import csv

import numpy as np
import pytest
import soundfile as sf

from course_utils import audio, data, features

pytestmark = pytest.mark.gtzan


def _csv_rows(root):
    with open(root / "features_30_sec.csv", newline="") as fh:
        return {row["filename"]: row for row in csv.DictReader(fh)}


@pytest.mark.parametrize("layout,ext,count", [("genres", ".au", 10), ("genres_original", ".wav", 14)])
def test_both_layouts_load(gtzan_sample, layout, ext, count):
    tracks = data.load_dataset(gtzan_sample / layout, min_per_genre=1, progress=False)
    assert len(tracks) == count and tracks.attrs["genres"] == sorted(tracks["genre"].unique())
    assert all(p.endswith(ext) for p in tracks["path"])
    assert "blues.00000" in set(tracks["track_id"])   # the same id for the .au and .wav copy


def test_au_and_wav_copies_decode_identically(gtzan_sample):
    au, _ = audio.load(gtzan_sample / "genres" / "rock" / "rock.00000.au")
    wav, _ = audio.load(gtzan_sample / "genres_original" / "rock" / "rock.00000.wav")
    np.testing.assert_array_equal(au, wav)


def test_sample_counts_match_the_kaggle_csv(gtzan_sample):
    rows = _csv_rows(gtzan_sample)
    wavs = sorted((gtzan_sample / "genres_original").rglob("*.wav"))
    assert len(wavs) == 14
    for f in wavs:
        assert sf.info(str(f)).frames == int(rows[f.name]["length"]), f.name


def test_mfcc_means_match_the_kaggle_csv(gtzan_sample):
    """Our MFCC means agree with the CSV's mfcc1..20_mean to within 0.1 (absolute).

    Both are librosa's defaults (n_fft 2048, hop 512, 128 mels, power_to_db with
    top_db=80); the CSV was made with an older librosa and resampler, which moves
    the values by at most ~0.03 on these clips (mfcc1 is about -100 to -300), so
    0.1 leaves margin without hiding a real change such as another n_mels (> 1).
    """
    rows = _csv_rows(gtzan_sample)
    worst = 0.0
    for f in sorted((gtzan_sample / "genres_original").rglob("*.wav")):
        y, sr = audio.load(f)
        M = features.mfcc(y, sr=sr, deltas=False)
        ours = M.mean(axis=1)
        theirs = np.array([float(rows[f.name][f"mfcc{i}_mean"]) for i in range(1, 21)])
        worst = max(worst, float(np.abs(ours - theirs).max()))
    assert worst < 0.1, f"largest MFCC-mean difference {worst:.4f}"


def test_verify_names_planted_bad_files(gtzan_sample, tmp_path):
    import shutil
    copy = shutil.copytree(gtzan_sample / "genres_original", tmp_path / "genres_original")
    (copy / "jazz" / "jazz.00054.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt broken")
    (copy / "pop" / "pop.00001.wav").write_bytes(b"")
    sf.write(copy / "rock" / "rock.00001.wav", np.zeros(22050 * 30, dtype=np.int16), 22050)
    sf.write(copy / "metal" / "metal.00001.wav", np.full(22050, 1000, dtype=np.int16), 22050)
    shutil.copy(copy / "blues" / "blues.00000.wav", copy / "blues" / "blues.00099.wav")
    report = data.verify(tmp_path, progress=False)
    reasons = {b["path"].split("/")[-1]: b["reason"] for b in report["bad"]}
    assert reasons["jazz.00054.wav"].startswith("undecodable")
    assert "known fault: undecodable in the Kaggle copy" in reasons["jazz.00054.wav"]
    assert reasons["pop.00001.wav"] == "the file is empty (0 bytes)"
    assert reasons["rock.00001.wav"].startswith("silent")
    assert reasons["metal.00001.wav"].startswith("too short")
    assert any("blues.00099.wav" in p for group in report["duplicates"] for p in group)
    text = data.format_report(report)
    for name in reasons:
        assert name in text
