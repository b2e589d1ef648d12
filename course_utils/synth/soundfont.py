"""A small SoundFont 2 player in numpy: recorded instrument samples for the synthetic set.

A General MIDI SoundFont (``.sf2``) holds short recordings of real instruments,
with the key and velocity ranges each covers, loop points and an envelope.
:class:`SoundFont` reads one and :meth:`SoundFont.note` renders a single note:
pick the zones that cover the key and velocity, resample their recordings to the
note's pitch, loop the sustained part, and shape it with the volume envelope. This
is the subset of the SoundFont 2.04 specification that General MIDI banks use;
modulators, LFOs, chorus and reverb sends are ignored (the synthetic set's
recording chain adds its own effects), and drum kits play unfiltered.

The default bank is ``TimGM6mb.sf2`` (about 6 MB, GPL-2.0-or-later, by Tim Brechbill),
which the ``pretty_midi`` wheel ships; :func:`default_path` finds it. Why not a
library: the SoundFont renderers on PyPI need a system library (pyfluidsynth), pull
in one that has no Linux wheel (tinysoundfont needs pyaudio) or lack wheels for some
platforms, and a course must install with ``pip`` alone everywhere.

Examples
--------
>>> sf = SoundFont(default_path())
>>> y = sf.note(program=0, key=69, velocity=100, seconds=0.5, sr=22050)  # piano A4
>>> sf.preset_name(0), y.dtype, len(y) > 0.5 * 22050                     # held, then released
('Piano 1', dtype('float32'), True)
"""
from __future__ import annotations

import importlib.util
import struct
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import signal

from ..exceptions import DataNotFoundError, DatasetError
from .sound import _sos

DRUM_BANK = 128   # General MIDI percussion: the preset of bank 128, program 0
# generator numbers (SoundFont 2.04, section 8.1.2) that the player reads
START, END, START_LOOP, END_LOOP = 0, 1, 2, 3
START_COARSE, END_COARSE, START_LOOP_COARSE, END_LOOP_COARSE = 4, 12, 45, 50
FILTER_FC, PAN = 8, 17
DELAY, ATTACK, HOLD, DECAY, SUSTAIN, RELEASE = 33, 34, 35, 36, 37, 38
INSTRUMENT, KEY_RANGE, VEL_RANGE, ATTENUATION = 41, 43, 44, 48
COARSE_TUNE, FINE_TUNE, SAMPLE_ID, SAMPLE_MODES, SCALE_TUNING, ROOT_KEY = 51, 52, 53, 54, 56, 58
RANGES = (KEY_RANGE, VEL_RANGE)
VELOCITY_LAYER = 16          # notes within one layer of 16 velocities share a rendering
HOLD_CLASSES = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)   # seconds: a note reuses the next longer one
MAX_RELEASE = 3              # seconds: longer releases are cut
# an instrument zone's values start here; a preset zone's are added to them
DEFAULTS = {FILTER_FC: 13500, DELAY: -12000, ATTACK: -12000, HOLD: -12000, DECAY: -12000,
            SUSTAIN: 0, RELEASE: -12000, SCALE_TUNING: 100, ROOT_KEY: -1}
NOT_ADDITIVE = {SAMPLE_ID, SAMPLE_MODES, ROOT_KEY, INSTRUMENT, *RANGES}


@dataclass(frozen=True)
class Sample:
    """One recording of the bank: where it lies in the sample data, and its pitch."""

    name: str
    start: int
    end: int
    loop_start: int
    loop_end: int
    rate: int
    root_key: int
    correction: int     # cents


@dataclass
class Zone:
    """Generators of one zone; ``ranges`` are inclusive (key or velocity) bounds."""

    gens: dict[int, int] = field(default_factory=dict)
    ranges: dict[int, tuple[int, int]] = field(default_factory=dict)

    def covers(self, key: int, velocity: int) -> bool:
        lo_k, hi_k = self.ranges.get(KEY_RANGE, (0, 127))
        lo_v, hi_v = self.ranges.get(VEL_RANGE, (0, 127))
        return lo_k <= key <= hi_k and lo_v <= velocity <= hi_v


def default_path() -> Path:
    """Path of ``TimGM6mb.sf2``, the General MIDI bank inside the ``pretty_midi`` package."""
    spec = importlib.util.find_spec("pretty_midi")
    path = Path(spec.origin).parent / "TimGM6mb.sf2" if spec and spec.origin else None
    if path is None or not path.is_file():
        raise DataNotFoundError(
            "The General MIDI SoundFont TimGM6mb.sf2 was not found: it comes with the "
            "pretty_midi package. Install it with: pip install 'pretty_midi>=0.2.10'")
    return path


class SoundFont:
    """A parsed ``.sf2`` bank; :meth:`note` renders one note of one preset.

    Parameters
    ----------
    path : str or Path
        A SoundFont 2 file. A missing, truncated or non-SoundFont file raises
        ``DatasetError`` (``DataNotFoundError`` if missing) naming the file.
    """

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.is_file():
            raise DataNotFoundError(f"{self.path}: SoundFont not found. Pass the path of an "
                                    ".sf2 file, or use soundfont.default_path().")
        try:
            self._parse(self.path.read_bytes())
        except (struct.error, KeyError, IndexError, ValueError) as err:
            raise DatasetError(f"{self.path}: not a readable SoundFont 2 file ({err}). "
                               "Use an intact .sf2 file, e.g. soundfont.default_path().") from err

    # ----------------------------------------------------------------------- reading
    def _parse(self, raw: bytes) -> None:
        if raw[:4] != b"RIFF" or raw[8:12] != b"sfbk":
            raise ValueError("no RIFF 'sfbk' header")
        chunks = _riff_chunks(raw, 12, len(raw))
        sdta, pdta = chunks["LIST:sdta"], chunks["LIST:pdta"]
        smpl = _riff_chunks(raw, *sdta)["smpl"]
        self.data = np.frombuffer(raw, "<i2", count=(smpl[1] - smpl[0]) // 2, offset=smpl[0])
        pd = {name: raw[a:b] for name, (a, b) in _riff_chunks(raw, *pdta).items()}
        self.samples = [Sample(_name(r[:20]), *struct.unpack("<5I", r[20:40]),
                               r[40], struct.unpack("<b", r[41:42])[0])
                        for r in _records(pd["shdr"], 46)[:-1]]
        inst_zones = _zones(pd["inst"], 22, pd["ibag"], pd["igen"], link=SAMPLE_ID)
        preset_zones = _zones(pd["phdr"], 38, pd["pbag"], pd["pgen"], link=INSTRUMENT,
                              bag_offset=24)
        self.instruments = inst_zones
        self.presets = {}
        for r, zones in zip(_records(pd["phdr"], 38)[:-1], preset_zones):
            program, bank = struct.unpack("<HH", r[20:24])
            self.presets.setdefault((bank, program), (_name(r[:20]), zones))

    def preset_name(self, program: int, bank: int = 0) -> str:
        return self.presets[self._preset_key(program, bank)][0]

    def _preset_key(self, program: int, bank: int) -> tuple[int, int]:
        for key in ((bank, program), (bank, 0), (0, program)):
            if key in self.presets:
                return key
        raise KeyError(f"{self.path}: no preset for bank {bank}, program {program}")

    # ----------------------------------------------------------------------- playing
    def note(self, program: int, key: int, velocity: int, seconds: float, *,
             sr: int = 22050, bank: int = 0) -> np.ndarray:
        """One note, mono float32: ``seconds`` held, then its release.

        ``program`` is the General MIDI program (0 = piano); drums are
        ``bank=DRUM_BANK, program=0`` with ``key`` choosing the drum (36 kick,
        38 snare, 42 closed hi-hat...). The result is about as loud as the bank
        makes it (a full-velocity piano note peaks near 0.3); silence if no zone
        covers the key.
        """
        preset, n_hold = self._preset_key(program, bank), int(round(seconds * sr))
        layer = min(VELOCITY_LAYER * (int(velocity) // VELOCITY_LAYER) + VELOCITY_LAYER // 2, 127)
        hold = next((h for h in HOLD_CLASSES if h * sr >= n_hold), n_hold / sr)
        held, release = _held(self, preset, int(key), layer, int(round(hold * sr)), int(sr))
        n = min(len(held), n_hold + release)
        out = held[:n] * np.float32((int(velocity) / layer) ** 2)
        if n > n_hold:                                                # the key is let go
            out[n_hold:] *= _db_ramp(0, -100, release)[:n - n_hold]
        return out

    def _voices(self, preset: tuple[int, int], key: int, velocity: int):
        """``(sample, generators)`` of every instrument zone that sounds for this note."""
        _, (p_global, p_zones) = self.presets[preset]
        for pz in p_zones:
            if not pz.covers(key, velocity):
                continue
            i_global, i_zones = self.instruments[pz.gens[INSTRUMENT]]
            for iz in i_zones:
                if not iz.covers(key, velocity):
                    continue
                gens = {**DEFAULTS, **i_global.gens, **iz.gens}
                for g, v in {**p_global.gens, **pz.gens}.items():   # preset values add
                    if g not in NOT_ADDITIVE:
                        gens[g] = gens.get(g, 0) + v
                yield self.samples[gens[SAMPLE_ID]], gens


@lru_cache(maxsize=1024)
def _held(sf: SoundFont, preset, key: int, velocity: int, n_hold: int,
          sr: int) -> tuple[np.ndarray, int]:
    """A note held for ``n_hold`` samples and then some (read-only, cached), and its
    release in samples: :meth:`SoundFont.note` cuts it and fades it out, so notes that
    differ only in length or loudness share one rendering."""
    voices = list(sf._voices(preset, key, velocity))
    if not voices:
        return np.zeros(n_hold, np.float32), 0
    release = min(int(sr * 2.0 ** (max(g[RELEASE] for _, g in voices) / 1200)), MAX_RELEASE * sr)
    filtered = preset[0] != DRUM_BANK     # this bank dulls its drums to 1.8 kHz: keep them bright
    parts = [_voice(sf.data, sample, gens, key, velocity, n_hold + release, sr, filtered)
             for sample, gens in voices]
    out = np.zeros(max(map(len, parts)), np.float32)
    for p in parts:
        out[:len(p)] += p
    out.setflags(write=False)
    return out, release


def _voice(data, s: Sample, gens: dict, key: int, velocity: int, n: int, sr: int,
           filtered: bool = True) -> np.ndarray:
    """One zone's sample at the note's pitch, looped and enveloped, ``n`` samples long
    at most (shorter if the sample ends first)."""
    offset = lambda fine, coarse: gens.get(fine, 0) + 32768 * gens.get(coarse, 0)
    start, end = s.start + offset(START, START_COARSE), s.end + offset(END, END_COARSE)
    loop_a = s.loop_start + offset(START_LOOP, START_LOOP_COARSE) - start
    loop_b = s.loop_end + offset(END_LOOP, END_LOOP_COARSE) - start
    wave = data[start:end].astype(np.float32) / 32768.0
    root = gens[ROOT_KEY] if gens[ROOT_KEY] >= 0 else s.root_key
    cents = ((key - root) * gens[SCALE_TUNING] + 100 * gens.get(COARSE_TUNE, 0)
             + gens.get(FINE_TUNE, 0) + s.correction)
    step = 2.0 ** (cents / 1200) * s.rate / sr
    env = _envelope(gens, n, sr)
    pos = np.arange(n) * step
    looped = gens.get(SAMPLE_MODES, 0) & 1 and 0 <= loop_a < loop_b <= len(wave)
    if looped:
        past = pos >= loop_b
        pos[past] = loop_a + np.mod(pos[past] - loop_a, loop_b - loop_a)
    else:
        n = min(n, int((len(wave) - 1) / step))
        pos, env = pos[:n], env[:n]
    y = np.interp(pos, np.arange(len(wave)), wave).astype(np.float32)
    gain = 10 ** (-0.4 * gens.get(ATTENUATION, 0) / 200) * (velocity / 127) ** 2
    y *= env * np.float32(gain)
    fc = 8.176 * 2 ** (gens[FILTER_FC] / 1200)            # absolute cents to Hz
    if filtered and fc < 0.45 * sr:
        y = signal.sosfilt(_sos(sr, round(fc), "lowpass", 2), y).astype(np.float32)
    return y


def _envelope(gens: dict, n: int, sr: int) -> np.ndarray:
    """The volume envelope (linear gain) of a held key, ``n`` samples: delay, attack,
    hold, then decay to the sustain level (SoundFont 2.04, 8.1.3). The release, once
    the key is let go, is :meth:`SoundFont.note`'s."""
    t = lambda g: int(round(sr * 2.0 ** (max(gens[g], -12000) / 1200)))   # timecents
    sustain_db = -min(max(gens[SUSTAIN], 0), 1000) / 10                  # centibels
    decay = int(t(DECAY) * -sustain_db / 100)        # the time given is for a 100-dB fall
    held = np.concatenate([np.zeros(t(DELAY), np.float32),
                           np.linspace(0, 1, t(ATTACK), dtype=np.float32),   # linear rise
                           np.ones(t(HOLD), np.float32),
                           _db_ramp(0, sustain_db, decay)])[:n]
    return np.concatenate([held, np.full(n - len(held), 10 ** (sustain_db / 20), np.float32)])


def _db_ramp(start_db: float, end_db: float, n: int) -> np.ndarray:
    """``n`` gains falling evenly in decibels (an exponential decay)."""
    return (10 ** (np.linspace(start_db, end_db, n, endpoint=False) / 20)).astype(np.float32)


# --------------------------------------------------------------------------- RIFF
def _riff_chunks(raw: bytes, start: int, end: int) -> dict[str, tuple[int, int]]:
    """``{id: (data start, data end)}`` of the chunks in ``raw[start:end]``; lists as
    ``"LIST:<type>"``, their data starting after the type."""
    out, pos = {}, start
    while pos + 8 <= end:
        cid, size = raw[pos:pos + 4].decode("latin-1"), struct.unpack("<I", raw[pos + 4:pos + 8])[0]
        if pos + 8 + size > len(raw):
            raise ValueError(f"chunk {cid!r} runs past the end of the file (truncated?)")
        if cid == "LIST":
            out["LIST:" + raw[pos + 8:pos + 12].decode("latin-1")] = (pos + 12, pos + 8 + size)
        else:
            out[cid] = (pos + 8, pos + 8 + size)
        pos += 8 + size + (size & 1)
    return out


def _records(chunk: bytes, size: int) -> list[bytes]:
    return [chunk[i:i + size] for i in range(0, len(chunk) - size + 1, size)]


def _name(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("latin-1").strip()


def _zones(headers: bytes, size: int, bags: bytes, gens: bytes, *, link: int,
           bag_offset: int = 20) -> list[tuple[Zone, list[Zone]]]:
    """Each header's ``(global zone, zones)``: a first zone without ``link`` (the
    instrument or sample it plays) holds defaults for the others."""
    bag_index = [struct.unpack("<H", r[bag_offset:bag_offset + 2])[0]
                 for r in _records(headers, size)]
    gen_index = [struct.unpack("<H", r[:2])[0] for r in _records(bags, 4)]
    gen_list = [(*struct.unpack("<Hh", r), r[2], r[3])
                for r in _records(gens, 4)]                 # (oper, amount, lo, hi)
    out = []
    for h in range(len(bag_index) - 1):
        zones = []
        for b in range(bag_index[h], bag_index[h + 1]):
            zone = Zone()
            for oper, amount, lo, hi in gen_list[gen_index[b]:gen_index[b + 1]]:
                if oper in RANGES:
                    zone.ranges[oper] = (lo, hi)
                elif oper in (link, SAMPLE_MODES):
                    zone.gens[oper] = amount & 0xFFFF
                else:
                    zone.gens[oper] = amount
            zones.append(zone)
        glob = zones.pop(0) if zones and link not in zones[0].gens else Zone()
        out.append((glob, [z for z in zones if link in z.gens]))
    return out
