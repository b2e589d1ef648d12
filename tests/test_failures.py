"""Every error path: a clear message that names the input, says what is wrong and gives the fix."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from course_utils import _validate, audio, cli, data, features, train
from course_utils.exceptions import (AudioDecodeError, CourseError, DataNotFoundError,
                                     DatasetError, ParameterError)
from fakes import tone


@pytest.fixture
def bad_files(tmp_path):
    files = {"empty": tmp_path / "empty.wav", "text": tmp_path / "notes.wav",
             "corrupt": tmp_path / "corrupt.wav", "silent": tmp_path / "silent.wav",
             "short": tmp_path / "short.flac"}
    files["empty"].write_bytes(b"")
    files["text"].write_text("these are my notes, not audio")
    sf.write(files["corrupt"], tone(220, 4.0), 22050)
    files["corrupt"].write_bytes(files["corrupt"].read_bytes()[:30])     # truncated header
    sf.write(files["silent"], np.zeros(22050 * 4), 22050)
    sf.write(files["short"], tone(220, 1.0), 22050)
    return files


@pytest.mark.parametrize("kind,message", [
    ("empty", "the file is empty \\(0 bytes\\). Re-download"),
    ("text", "could not be decoded as audio .*Check that it is a wav"),
    ("corrupt", "could not be decoded as audio"),
    ("silent", "silent: its level is .* dBFS.*Check that the right file"),
    ("short", "too short: 1.00 s, but at least 3 s .*Use a longer clip"),
])
def test_bad_audio_named_explained_and_fixable(bad_files, kind, message):
    with pytest.raises(AudioDecodeError, match=message) as err:
        audio.load(bad_files[kind])
    assert str(bad_files[kind]) in str(err.value)


def test_missing_file_and_folder_given_as_file(tmp_path):
    with pytest.raises(DataNotFoundError, match="no such file"):
        audio.load(tmp_path / "nope.wav")
    with pytest.raises(ParameterError, match="is a folder, but a file was expected"):
        audio.load(tmp_path)


def test_missing_dataset_names_path_variable_and_offline_alternative(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    with pytest.raises(DataNotFoundError) as err:
        data.load_dataset("gtzan")
    text = str(err.value)
    for part in (str(tmp_path / "gtzan"), "COURSE_DATA_DIR", "data fetch gtzan", "data synth"):
        assert part in text
    with pytest.raises(DataNotFoundError, match="Check the path"):
        data.load_dataset(tmp_path / "my_music")


def test_folder_without_audio(tmp_path):
    (tmp_path / "blues").mkdir()
    (tmp_path / "blues" / "readme.txt").write_text("no audio here")
    with pytest.raises(DataNotFoundError, match="No audio found under"):
        data.load_dataset(tmp_path)


def test_unusable_dataset(tmp_path):
    (tmp_path / "rock").mkdir()
    sf.write(tmp_path / "rock" / "a.wav", tone(200), 22050)
    with pytest.raises(DatasetError, match="at least 2 usable"):
        data.load_dataset(tmp_path)


def test_bad_batch_reports_and_continues(bad_files, tmp_path):
    good = tmp_path / "good.wav"
    sf.write(good, tone(300, 4.0), 22050)
    fs = features.extract([good, *bad_files.values()], progress=False, cache=False)
    assert list(fs.features) == [str(good)]
    assert set(fs.errors) == {str(p) for p in bad_files.values()}


@pytest.mark.parametrize("call,message", [
    (lambda: _validate.valid_audio(np.zeros((2, 10), np.float32)), r"must be mono, got y.shape=\(2, 10\)\. Call course_utils.audio.to_mono"),
    (lambda: _validate.valid_audio(np.zeros(10, np.int16)), "must be floating-point"),
    (lambda: _validate.valid_audio(np.array([np.nan], np.float32)), "NaN"),
    (lambda: _validate.positive_int(0, "epochs"), "epochs must be a positive integer, got epochs=0"),
    (lambda: data.split_tracks(None, method="shuffle"), "method must be one of"),
    (lambda: features.extract([], kinds=["spectrum"]), "kind must be one of"),
    (lambda: train.parse_augment("reverb"), "augment must be one of"),
])
def test_parameter_errors(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


def test_parameter_error_is_a_value_error():
    assert issubclass(ParameterError, ValueError) and issubclass(ParameterError, CourseError)


def test_cli_errors_without_traceback(tmp_path, bad_files):
    run = lambda *args: subprocess.run([sys.executable, "-m", "course_utils", *args],
                                       capture_output=True, text=True, timeout=120)
    missing = run("data", "verify", "--dataset", str(tmp_path / "nowhere"))
    assert missing.returncode == cli.EXIT_UNUSABLE
    assert "error: Dataset" in missing.stderr and "Traceback" not in missing.stderr
    debug = run("data", "verify", "--dataset", str(tmp_path / "nowhere"), "--debug")
    assert "Traceback" in debug.stderr
    usage = run("train", "--model", "transformer", "--out", str(tmp_path / "r"))
    assert usage.returncode == cli.EXIT_USAGE and "invalid choice" in usage.stderr
