"""Tests for course_utils.audio: loading, downmixing, resampling, segmenting."""
from __future__ import annotations

import logging

import numpy as np
import pytest
import soundfile as sf

from course_utils import audio
from course_utils.exceptions import AudioDecodeError, ParameterError
from fakes import tone


@pytest.mark.parametrize("ext,subtype", [(".wav", "PCM_16"), (".flac", "PCM_16"),
                                         (".ogg", "VORBIS"), (".au", "PCM_16")])
def test_load_formats(tmp_path, ext, subtype):
    f = tmp_path / f"clip{ext}"
    sf.write(f, tone(220, 4.0), 22050, subtype=subtype)
    y, sr = audio.load(f)
    assert sr == 22050 and y.dtype == np.float32 and abs(len(y) - 4 * 22050) < 2048


def test_stereo_44k_is_downmixed_and_resampled_with_a_note(tmp_path, caplog):
    left = tone(220, 4.0, 44100)
    sf.write(tmp_path / "st.wav", np.stack([left, -left * 0.5], axis=1), 44100)
    with caplog.at_level(logging.INFO, logger="course_utils"):
        y, sr = audio.load(tmp_path / "st.wav")
    assert (sr, y.ndim, len(y)) == (22050, 1, 4 * 22050)
    assert "2 channels downmixed" in caplog.text and "resampled from 44100 Hz" in caplog.text
    np.testing.assert_allclose(np.abs(y).max(), np.abs(0.25 * left).max(), rtol=0.1)


def test_to_mono_averages_channels():
    stereo = np.stack([np.ones(4), np.zeros(4)]).astype(np.float32)
    np.testing.assert_allclose(audio.to_mono(stereo), 0.5)


def test_segment_drops_trailing_partial():
    x = np.arange(10.0)
    segs = audio.segment(x, length=4)
    assert segs.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert audio.segment(x, length=4, hop=3).shape == (3, 4)
    assert audio.segment(np.zeros((2, 9)), length=3).shape == (3, 2, 3)
    with pytest.raises(ParameterError, match="too short"):
        audio.segment(x, length=11)


def test_describe(tmp_path):
    sf.write(tmp_path / "a.wav", tone(220, 4.0), 22050)
    info = audio.describe(tmp_path / "a.wav")
    assert info["sr"] == 22050 and info["channels"] == 1 and info["seconds"] == pytest.approx(4.0)


def test_a_bug_in_decoding_surfaces_as_a_bug_and_decoder_errors_are_chained(tmp_path,
                                                                            monkeypatch):
    good, text = tmp_path / "good.wav", tmp_path / "notes.wav"
    sf.write(good, 0.1 * np.sin(np.arange(22050 * 4) / 10), 22050)
    text.write_text("not audio")
    with pytest.raises(AudioDecodeError, match="notes.wav: could not be decoded") as info:
        audio.load(text)
    assert isinstance(info.value.__cause__, audio.DECODE_ERRORS)     # the decoder's own error

    def broken(*args, **kwargs):
        raise TypeError("a programming error")
    monkeypatch.setattr(audio.librosa, "load", broken)
    with pytest.raises(TypeError, match="a programming error"):     # not "a corrupt file"
        audio.load(good)


def test_load_and_the_dataset_index_apply_one_rule(tmp_path):
    from course_utils import data
    short, silent = tmp_path / "short.wav", tmp_path / "silent.wav"
    sf.write(short, 0.1 * np.sin(np.arange(22050) / 10), 22050)
    sf.write(silent, np.zeros(22050 * 4), 22050)
    for path in (short, silent):
        with pytest.raises(AudioDecodeError) as info:
            audio.load(path)
        assert data.check_file(path)["reason"] in str(info.value)
