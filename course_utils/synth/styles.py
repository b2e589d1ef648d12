"""The ten styles of the synthetic set, as data, and the chord notation they use.

A ``Style`` is the design of one genre: its tempo range and feel, drum patterns,
chord progressions, the recipes its parts play (``score`` plays them) and the
instruments and production it sounds with (``sound`` renders them). Instruments
are named here and looked up in ``sound.INSTRUMENTS``. Introduced in
01_audio_basics.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    """The design of one genre: rhythm, harmony, instruments and production.

    Drum patterns are one bar long, one character per grid step: ``x`` hit,
    ``X`` accent, ``g`` ghost note, ``o`` open hi-hat, ``.`` rest. Chord
    progressions are Roman numerals, one bar per word; ``ii7,V7`` splits a bar.
    """

    summary: str
    tempo: tuple               # BPM range of the style
    grid: int                  # steps per beat: 4 = sixteenths, 3 = triplets (shuffle)
    swing: tuple               # delay of the off-beat sixteenth, as a fraction of a step
    meters: tuple              # beats per bar
    drums: dict                # part -> candidate one-bar patterns ({} = no drums)
    progressions: tuple        # chord progressions
    bass: str                  # bass-line recipe (see score._bass_line)
    bass_instruments: tuple
    comp: tuple                # ways the harmony is played (see score._comp_part)
    comp_instruments: tuple
    lead: str                  # lead-line recipe (see score._lead_line)
    scale: str                 # scale of the lead
    lead_instruments: tuple
    reverb: tuple              # reverberation time range (s)
    brightness: tuple          # master low-pass cut-off range (Hz)
    density: tuple             # master compression (tanh gain) range
    noise: tuple               # background noise range (dB below peak)
    ghosts: float = 0.0        # chance of a ghost snare on any step (jazz comping)
    neighbours: tuple = ()     # styles whose sound (instruments, production) some artists borrow


_VELOCITY = {"x": 0.75, "X": 1.0, "g": 0.3, "o": 0.8}   # drum pattern character -> velocity
_S4, _S3 = "....x.......x...", "...x.....x.."            # backbeat on 2 and 4

STYLES: dict[str, Style] = {
    # --- blues ---------------------------------------------------------------
    "blues": Style(
        summary="12-bar shuffle in triplets, dominant-7th chords, boogie bass, bent pentatonic licks",
        tempo=(64, 122), grid=3, swing=(0, 0), meters=(4,),
        drums={"kick": ("x.....x.....", "x.....x..x.."),
               "snare": (_S3, "...x..g..x.."),
               "hat": ("x.xx.xx.xx.x", "x..x..x..x.."),
               "ride": ("x.xx.xx.xx.x",)},
        progressions=("I7 IV7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7",
                      "I7 I7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 I7",
                      "i7 iv7 i7 i7 iv7 iv7 i7 i7 bVI7 V7 i7 V7"),
        bass="boogie", bass_instruments=("bass", "upright"),
        comp=("shuffle", "stabs", "pad"),
        comp_instruments=("guitar", "crunch", "piano", "organ", "epiano"),
        lead="lick", scale="blues", lead_instruments=("crunch", "guitar", "sax", "voice", "brass"),
        reverb=(0.5, 1.6), brightness=(3500, 11000), density=(0.8, 2.5), noise=(-60, -38),
        neighbours=("jazz", "country", "rock")),
    # --- classical -----------------------------------------------------------
    "classical": Style(
        summary="no drums; functional harmony, Alberti arpeggios or string chords, rubato, big hall",
        tempo=(58, 138), grid=4, swing=(0, 0), meters=(3, 4),
        drums={},
        progressions=("I IV V I", "I vi ii V", "i iv V i", "I V vi iii IV I IV V", "i VI iv V",
                      "I ii7 V7 I"),
        bass="pedal", bass_instruments=("cello", "piano"),
        comp=("arp", "pad"),
        comp_instruments=("piano", "strings", "harp", "organ"),
        lead="line", scale="major", lead_instruments=("flute", "strings", "sax", "piano"),
        reverb=(1.6, 3.0), brightness=(2500, 7000), density=(0.3, 0.8), noise=(-66, -45),
        neighbours=("jazz",)),
    # --- country -------------------------------------------------------------
    "country": Style(
        summary="boom-chick two-beat, I-IV-V in major, strummed or picked guitars, fiddle or steel",
        tempo=(88, 150), grid=4, swing=(0, 0.08), meters=(4,),
        drums={"kick": ("x.......x.......", "x.....x.x......."),
               "snare": (_S4, "....x..g....x..g"),
               "hat": ("x.x.x.x.x.x.x.x.", "xxxxxxxxxxxxxxxx")},
        progressions=("I IV I V", "I I IV IV V V I I", "I V vi IV", "I IV V I", "I I V V"),
        bass="rootfifth", bass_instruments=("bass", "upright"),
        comp=("strum", "arp"),
        comp_instruments=("guitar", "banjo", "piano", "crunch"),
        lead="melody", scale="majpent", lead_instruments=("strings", "guitar", "voice", "crunch"),
        reverb=(0.4, 1.4), brightness=(3500, 12000), density=(0.8, 2.5), noise=(-62, -40),
        neighbours=("blues", "rock", "pop")),
    # --- disco ---------------------------------------------------------------
    "disco": Style(
        summary="four-on-the-floor, open hi-hat off-beats, octave bass, minor-7th vamps, strings",
        tempo=(110, 132), grid=4, swing=(0, 0.05), meters=(4,),
        drums={"kick": ("x...x...x...x...",),
               "snare": (_S4, "....x.......x..x"),
               "clap": (_S4,),
               "hat": ("x.o.x.o.x.o.x.o.", "xxoxxxoxxxoxxxox")},
        progressions=("i7 iv7", "ii7 V7", "Imaj7 ii7", "i7 i7 bVII bVII", "vi7 ii7 V7 Imaj7"),
        bass="octave", bass_instruments=("bass", "synthbass"),
        comp=("stabs", "strum", "pad"),
        comp_instruments=("strings", "epiano", "guitar", "brass", "pad", "piano"),
        lead="melody", scale="dorian", lead_instruments=("strings", "synth", "voice", "brass"),
        reverb=(0.5, 1.4), brightness=(4000, 13000), density=(1.2, 3.0), noise=(-64, -42),
        neighbours=("pop", "hiphop")),
    # --- hiphop --------------------------------------------------------------
    "hiphop": Style(
        summary="boom-bap: syncopated kick, hard snare, swung hats, 808 sub bass, minor loop, rap",
        tempo=(78, 102), grid=4, swing=(0.1, 0.3), meters=(4,),
        drums={"kick": ("x......x..x.....", "x.....x...x..x..", "x..x......x....."),
               "snare": (_S4, "....x..g....x..."),
               "hat": ("x.x.x.x.x.x.x.x.", "xxx.xxx.xxx.xxxg")},
        progressions=("i bVI", "i iv", "i7 bVII", "i i iv bVI", "i7 i7"),
        bass="sub", bass_instruments=("808", "synthbass", "bass"),
        comp=("loop",),
        comp_instruments=("epiano", "piano", "pad", "strings", "brass", "guitar", "organ"),
        lead="rap", scale="minor", lead_instruments=("voice",),
        reverb=(0.3, 1.2), brightness=(3000, 11000), density=(1.2, 3.0), noise=(-56, -36),
        neighbours=("pop", "reggae", "disco")),
    # --- jazz ----------------------------------------------------------------
    "jazz": Style(
        summary="swung ride cymbal, walking bass, ii-V-I with 7ths and 9ths, comping, horn solos",
        tempo=(96, 210), grid=3, swing=(0, 0), meters=(4,),
        drums={"ride": ("x..x.xx..x.x",),
               "hat": (_S3,),
               "kick": ("g..g..g..g..", "g.....g....."),
               "brush": ("x..x..x..x..", "............")},
        progressions=("ii7,V7 Imaj7 ii7,V7 Imaj7", "Imaj7 vi7 ii7 V7", "iim7b5,V7 i7 iim7b5,V7 i7",
                      "I6,vi7 ii7,V7 iii7,vi7 ii7,V7", "ii7 V7 Imaj7 Imaj7"),
        bass="walking", bass_instruments=("upright", "bass"),
        comp=("stabs", "pad"),
        comp_instruments=("piano", "guitar", "epiano", "organ"),
        lead="improv", scale="dorian", lead_instruments=("sax", "brass", "piano", "guitar", "voice"),
        reverb=(0.5, 1.6), brightness=(3500, 11000), density=(0.6, 2.0), noise=(-62, -40),
        ghosts=0.08, neighbours=("blues", "classical")),
    # --- metal ---------------------------------------------------------------
    "metal": Style(
        summary="double-kick sixteenths, palm-muted power-chord chugs, minor/phrygian riffs, dense",
        tempo=(96, 200), grid=4, swing=(0, 0), meters=(4,),
        drums={"kick": ("xxxxxxxxxxxxxxxx", "x.x.x.x.x.x.x.x.", "x.xxx.xxx.xxx.xx"),
               "snare": (_S4, "x...x...x...x..."),
               "crash": ("x.......x.......", "x...x...x...x...")},
        progressions=("i5 i5 bII5 i5", "i5 bVI5 bVII5 i5", "i5 bV5 iv5 i5", "i5 i5 bVII5 bVI5"),
        bass="chug", bass_instruments=("bass",),
        comp=("chug",),
        comp_instruments=("distortion",),
        lead="riff", scale="phrygian", lead_instruments=("distortion", "crunch"),
        reverb=(0.3, 1.2), brightness=(4000, 14000), density=(1.5, 4.0), noise=(-60, -42),
        neighbours=("rock",)),
    # --- pop -----------------------------------------------------------------
    "pop": Style(
        summary="straight eighths, I-V-vi-IV, pads and piano, a singable repeated vocal hook",
        tempo=(92, 128), grid=4, swing=(0, 0.05), meters=(4,),
        drums={"kick": ("x.......x.x.....", "x...x...x...x..."),
               "snare": (_S4,),
               "clap": (_S4,),
               "hat": ("x.x.x.x.x.x.x.x.", "..x...x...x...x.")},
        progressions=("I V vi IV", "vi IV I V", "I vi IV V", "IV I V vi"),
        bass="root8", bass_instruments=("bass", "synthbass"),
        comp=("pad", "strum", "stabs"),
        comp_instruments=("piano", "pad", "guitar", "epiano", "strings", "crunch", "synth"),
        lead="melody", scale="major", lead_instruments=("voice", "synth", "square", "guitar"),
        reverb=(0.4, 1.4), brightness=(4000, 13000), density=(1.2, 3.0), noise=(-64, -42),
        neighbours=("disco", "rock", "country", "hiphop")),
    # --- reggae --------------------------------------------------------------
    "reggae": Style(
        summary="one-drop (kick and rim on beat 3), off-beat skank chords, deep melodic bass, dub echo",
        tempo=(62, 92), grid=4, swing=(0, 0.2), meters=(4,),
        drums={"kick": ("........x.......", "x...x...x...x..."),
               "rim": ("........x.......",),
               "hat": ("x.x.x.x.x.x.x.x.", "x.xxx.xxx.xxx.xx")},
        progressions=("i iv", "I IV", "I V", "i bVII", "ii7 V7", "I IV V IV"),
        bass="reggae", bass_instruments=("bass", "synthbass"),
        comp=("skank",),
        comp_instruments=("guitar", "organ", "epiano", "piano"),
        lead="melody", scale="minpent", lead_instruments=("voice", "brass", "organ", "sax", "synth"),
        reverb=(0.4, 1.6), brightness=(3000, 11000), density=(1.0, 3.0), noise=(-62, -38),
        neighbours=("hiphop", "pop")),
    # --- rock ----------------------------------------------------------------
    "rock": Style(
        summary="straight-eighth backbeat, overdriven power chords, I-bVII-IV, pentatonic riffs",
        tempo=(98, 160), grid=4, swing=(0, 0.03), meters=(4,),
        drums={"kick": ("x.......x.x.....", "x...x...x.x....."),
               "snare": (_S4,),
               "hat": ("x.x.x.x.x.x.x.x.", "XxXxXxXxXxXxXxXx"),
               "crash": ("x...............",)},
        progressions=("I bVII IV I", "I IV V IV", "I V vi IV", "i bVI bVII i", "I IV I V"),
        bass="root8", bass_instruments=("bass",),
        comp=("power", "strum"),
        comp_instruments=("crunch", "distortion", "guitar", "organ", "piano"),
        lead="riff", scale="minpent", lead_instruments=("crunch", "voice", "distortion", "guitar"),
        reverb=(0.4, 1.4), brightness=(4000, 13000), density=(1.2, 3.5), noise=(-60, -40),
        neighbours=("metal", "blues", "country", "pop")),
}


# ============================================================================
# Chords and scales
# ============================================================================
_SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10),
           "dorian": (0, 2, 3, 5, 7, 9, 10), "phrygian": (0, 1, 3, 5, 7, 8, 10),
           "majpent": (0, 2, 4, 7, 9), "minpent": (0, 3, 5, 7, 10), "blues": (0, 3, 5, 6, 7, 10)}
_DEGREES = {"I": 0, "II": 2, "III": 4, "IV": 5, "V": 7, "VI": 9, "VII": 11}
_QUALITIES = {  # suffix -> (intervals on an upper-case numeral, on a lower-case one)
    "": ((0, 4, 7), (0, 3, 7)), "7": ((0, 4, 7, 10), (0, 3, 7, 10)),
    "maj7": ((0, 4, 7, 11),) * 2, "6": ((0, 4, 7, 9), (0, 3, 7, 9)),
    "5": ((0, 7, 12),) * 2, "m7b5": ((0, 3, 6, 10),) * 2,
}


def _parse_chord(word: str) -> tuple[int, tuple]:
    """``"bVII7"`` -> (10, (0, 4, 7, 10)): root in semitones above the key, intervals."""
    match = re.fullmatch(r"([b#]?)([ivIV]+)(.*)", word)
    accidental, numeral, suffix = match.groups()
    root = _DEGREES[numeral.upper()] + {"b": -1, "#": 1, "": 0}[accidental]
    return root % 12, _QUALITIES[suffix][numeral.islower()]
