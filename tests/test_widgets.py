"""Tests for course_utils.widgets: the widgets build, and their plain fallbacks compute."""
from __future__ import annotations

import json

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
from course_utils import data, widgets  # noqa: E402
from fakes import tone, write_dataset  # noqa: E402


@pytest.fixture
def clip():
    return tone(220, 4.0)


def test_play_embeds_only_a_short_excerpt(clip):
    short = widgets.play(clip, seconds=1.0)
    longer = widgets.play(clip, seconds=4.0)
    assert short.mimetype in ("audio/mpeg", "audio/wav")
    assert len(short.data) < len(longer.data) / 2


def test_spectrogram_fallback_follows_settings(clip):
    fig = widgets.plot_spectrogram_settings(clip, n_fft=512, hop_length=256, n_mels=32, n_mfcc=13)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["STFT (257, 345)", "log-mel (32, 345)", "MFCC (13, 345)"]


def test_spectrogram_explorer_redraws_on_slider_change(clip, monkeypatch):
    drawn = []
    monkeypatch.setattr(widgets, "plot_spectrogram_settings",
                        lambda y, sr, **settings: drawn.append(settings))
    box = widgets.spectrogram_explorer(clip, seconds=2.0)
    sliders = [w for row in box.children[1:3] for w in row.children]
    assert [s.description for s in sliders] == ["n_fft", "hop_length", "n_mels", "n_mfcc"]
    assert drawn[-1]["n_mels"] == 128                  # the first drawing uses the defaults
    sliders[2].value = 64                              # n_mels: the plot is drawn again
    assert drawn[-1] == {**drawn[0], "n_mels": 64}


def test_augment_changes_length_and_masks(clip):
    y_fast, S = widgets.augment(clip, speed=1.25, time_mask=10, freq_mask=8)
    assert len(y_fast) == pytest.approx(len(clip) / 1.25, rel=0.01)
    assert (S == S.min()).all(axis=0).sum() >= 10          # masked frames
    assert (S == S.min()).all(axis=1).sum() >= 8           # masked bands
    y_up, _ = widgets.augment(clip, pitch=12)
    f0 = lambda y: np.abs(np.fft.rfft(y)).argmax()
    assert f0(y_up) == pytest.approx(2 * f0(clip), rel=0.02)   # one octave up


def test_misclassified_reads_a_runs_predictions(tmp_path):
    root = write_dataset(tmp_path / "ds")
    run = tmp_path / "run"
    run.mkdir()
    identity = data.identity(data.load_dataset(root, progress=False))
    (run / "config.json").write_text(json.dumps({"dataset": str(root), "data_identity": identity}))
    (run / "metrics.json").write_text(json.dumps({
        "dataset": str(root), "genres": ["blues", "jazz", "rock"],
        "confusion_matrix": [[2, 1, 0], [0, 3, 0], [0, 0, 3]],
        "predictions": {"blues.00000": "blues", "blues.00001": "jazz", "jazz.00000": "jazz"}}))
    table = widgets.misclassified(run, "blues", "jazz")
    assert table["track_id"].tolist() == ["blues.00001"]
    assert widgets.misclassified(run, "jazz", "blues").empty
    box = widgets.confusion_explorer(run)
    assert box.children[0].options[0][0] == "blues → jazz (1)"


@pytest.mark.parametrize("value", [
    ({"name": "song.wav", "type": "audio/wav", "size": 4, "content": memoryview(b"RIFF"),
      "last_modified": 0},),                                            # ipywidgets 8
    {"song.wav": {"metadata": {"name": "song.wav", "size": 4}, "content": b"RIFF"}},  # 7.7
], ids=["ipywidgets8", "ipywidgets7"])
def test_upload_reads_both_ipywidgets_value_formats(value, monkeypatch):
    from course_utils import runs
    monkeypatch.setattr(runs, "load_run", lambda run_dir: "the run")
    seen = []

    def opinion(run, path, *, top_k):
        seen.append((run, path.name, path.read_bytes()))
        return {"file": str(path), "top": [{"genre": "rock", "probability": 0.6}]}, {}

    monkeypatch.setattr(widgets, "second_opinion", opinion)
    box = widgets.upload_predict("runs/cnn")
    upload = box.children[0]
    upload.notify_change({"name": "value", "old": (), "new": value, "owner": upload,
                          "type": "change"})
    assert seen == [("the run", "song.wav", b"RIFF")]


def test_upload_reports_a_bad_file_and_keeps_the_widget(monkeypatch, tmp_path, capsys):
    from course_utils import runs
    from course_utils.exceptions import AudioDecodeError
    monkeypatch.setattr(runs, "load_run", lambda run_dir: "the run")

    def opinion(run, path, *, top_k):
        raise AudioDecodeError(path, "could not be decoded")

    monkeypatch.setattr(widgets, "second_opinion", opinion)
    box = widgets.upload_predict("runs/cnn")
    upload = box.children[0]
    upload.notify_change({"name": "value", "old": (), "owner": upload, "type": "change",
                          "new": ({"name": "notes.wav", "content": memoryview(b"text")},)})
    printed = capsys.readouterr().out   # no kernel here: the Output widget passes prints on
    assert "Could not predict notes.wav" in printed and "could not be decoded" in printed
