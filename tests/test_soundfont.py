"""The SoundFont player: pitch, envelope, drums, determinism and bad files."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils.exceptions import DataNotFoundError, DatasetError
from course_utils.synth import soundfont

SR = 22050


@pytest.fixture(scope="module")
def bank():
    return soundfont.SoundFont(soundfont.default_path())


def _f0(y: np.ndarray, lo: float, hi: float) -> float:
    """The strongest frequency between lo and hi Hz in the first second."""
    spectrum = np.abs(np.fft.rfft(y[:SR] * np.hanning(min(len(y), SR)), n=4 * SR))
    freqs = np.fft.rfftfreq(4 * SR, 1 / SR)
    band = (freqs >= lo) & (freqs <= hi)
    return float(freqs[band][np.argmax(spectrum[band])])


def test_the_general_midi_bank_is_read(bank):
    assert len([k for k in bank.presets if k[0] == 0]) >= 128      # every GM program
    assert (soundfont.DRUM_BANK, 0) in bank.presets
    assert "piano" in bank.preset_name(0).lower() and "bass" in bank.preset_name(33).lower()


@pytest.mark.parametrize("program, key", [(0, 69), (0, 57), (33, 40), (24, 64), (48, 62)])
def test_notes_sound_at_their_pitch(bank, program, key):
    expected = 440 * 2 ** ((key - 69) / 12)
    y = bank.note(program, key, 100, 1.0, sr=SR)
    assert abs(_f0(y, 0.8 * expected, 1.2 * expected) / expected - 1) < 0.01


def test_envelope_holds_then_releases(bank):
    short, long = (bank.note(48, 60, 100, s, sr=SR) for s in (0.5, 2.0))   # strings sustain
    assert len(long) - len(short) == int(1.5 * SR)      # the same release after the hold
    rms = lambda y: float(np.sqrt(np.mean(y ** 2)))
    assert rms(long[int(1.5 * SR):2 * SR]) > 0.3 * rms(long[int(0.5 * SR):SR])   # sustained
    assert rms(long[-SR // 10:]) < 0.05 * rms(long[SR:2 * SR])                 # released


def test_velocity_sets_loudness(bank):
    soft, loud = (np.abs(bank.note(0, 60, v, 0.5, sr=SR)).max() for v in (40, 120))
    assert loud > 3 * soft


def test_drums_differ_by_key(bank):
    centroid = lambda y: float((np.abs(np.fft.rfft(y)) * np.fft.rfftfreq(len(y), 1 / SR)).sum()
                               / np.abs(np.fft.rfft(y)).sum())
    kick, hat = (bank.note(0, k, 110, 0.2, sr=SR, bank=soundfont.DRUM_BANK) for k in (36, 42))
    assert centroid(hat) > 2 * centroid(kick)


def test_rendering_is_deterministic_and_returns_a_private_copy(bank):
    a = bank.note(29, 52, 90, 0.7, sr=SR)
    a[:] = 0                                            # the cache must not see this
    b, c = bank.note(29, 52, 90, 0.7, sr=SR), bank.note(29, 52, 90, 0.7, sr=SR)
    assert b.tobytes() == c.tobytes() and np.abs(b).max() > 0.01


def test_missing_and_broken_banks_are_named(tmp_path):
    with pytest.raises(DataNotFoundError, match="nope.sf2: SoundFont not found"):
        soundfont.SoundFont(tmp_path / "nope.sf2")
    junk = tmp_path / "junk.sf2"
    junk.write_bytes(b"RIFX" + bytes(100))
    with pytest.raises(DatasetError, match="junk.sf2: not a readable SoundFont 2 file"):
        soundfont.SoundFont(junk)
    cut = tmp_path / "cut.sf2"
    cut.write_bytes(soundfont.default_path().read_bytes()[:200_000])     # a broken download
    with pytest.raises(DatasetError, match="cut.sf2: .*truncated"):
        soundfont.SoundFont(cut)
