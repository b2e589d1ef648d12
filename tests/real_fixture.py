"""A folder of real recordings for the smoke tests: the real GTZAN clips cut into pieces.

``../shared/data/gtzan-sample/genres_original`` holds 14 real GTZAN tracks of
30 s (blues and classical three each, the other genres one). Each is cut into
``pieces`` consecutive pieces of ``seconds`` s, written as
``<out>/<genre>/<track>-<k>.wav`` with a ``metadata.csv`` that gives every
piece its source track as the artist: artist-grouped splits and folds keep a
song's pieces together, random ones do not. With one source song in 8 genres,
every figure measured on it is leaky (pieces of one song on both sides of a
random split); it shows that code runs to the end on real audio, not how well.

    python tests/real_fixture.py OUT [--shared ../shared/data]

The same sources give the same bytes (the WAVs are 16-bit PCM cut at sample
boundaries, nothing random).
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("COURSE_SHARED_DATA", REPO.parent / "shared" / "data"))


def sources(shared: Path = SHARED_DATA) -> list[Path]:
    """The real clips, sorted; empty when ``shared`` does not hold them."""
    return sorted((shared / "gtzan-sample" / "genres_original").glob("*/*.wav"))


def build(out: str | os.PathLike, *, shared: Path = SHARED_DATA, pieces: int = 6,
          seconds: float = 5.0) -> Path:
    """Write the pieces and their ``metadata.csv`` under ``out``; return ``out``."""
    clips = sources(shared)
    if not clips:
        raise FileNotFoundError(f"{shared}/gtzan-sample/genres_original: no real clips there. "
                                "Set COURSE_SHARED_DATA to the folder that holds gtzan-sample/.")
    out = Path(out)
    rows = []
    for clip in clips:
        y, sr = sf.read(clip, dtype="int16")
        n = int(seconds * sr)
        if len(y) < pieces * n:
            raise ValueError(f"{clip}: {len(y) / sr:.1f} s is shorter than {pieces} pieces of "
                             f"{seconds:g} s")
        genre, track = clip.parent.name, clip.stem
        (out / genre).mkdir(parents=True, exist_ok=True)
        for k in range(pieces):
            sf.write(out / genre / f"{track}-{k}.wav", y[k * n:(k + 1) * n], sr,
                     subtype="PCM_16")
            rows.append((f"{track}-{k}", track))
    with open(out / "metadata.csv", "w", newline="") as f:
        csv.writer(f).writerows([("track_id", "artist"), *rows])
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="folder to write (e.g. /tmp/real/gtzan)")
    parser.add_argument("--shared", type=Path, default=SHARED_DATA)
    parser.add_argument("--pieces", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    try:
        out = build(args.out, shared=args.shared, pieces=args.pieces, seconds=args.seconds)
    except (FileNotFoundError, ValueError) as err:
        print(err, file=sys.stderr)
        return 2
    print(f"{out}: {len(list(out.glob('*/*.wav')))} pieces of {args.seconds:g} s from "
          f"{len(sources(args.shared))} real tracks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
