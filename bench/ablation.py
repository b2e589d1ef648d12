"""Switch off one part of synth 2.0, for the ablation benchmarks only.

``SYNTH_ABLATE=chain`` records every clip without its recording chain (the band's mix,
peak-normalised to -1 dBFS: no EQ tilt, room, compressor, saturation, format lowpass,
level or noise floor). ``SYNTH_ABLATE=form`` plays every bar as a chorus (the full band,
no intro, verse, break or solo, no fills or builds, one level). Everything else draws the
same numbers as the real generator, so the ablated set holds the same songs, bands and
artists.

A bench script calls ``apply()`` at import: worker processes are spawned and import the
script again, so they see the same environment variable and patch themselves too.
"""
from __future__ import annotations

import os

import numpy as np

from course_utils.synth import band

KINDS = ("chain", "form")
_original_sections = band._sections


def _no_chain(y, chain, sr, rng):
    peak = float(np.abs(y).max())
    return (y * (10 ** (-1 / 20) / peak) if peak > 1e-9 else y).astype(np.float32)


def _no_form(genre, n_bars, rng):
    _original_sections(genre, n_bars, rng)          # the same draw, so the rest is unchanged
    return [("chorus", False)] * n_bars


def apply(kind: str | None = None) -> str | None:
    """Patch ``synth.band`` for ``kind`` (default: ``$SYNTH_ABLATE``); return the kind."""
    kind = kind or os.environ.get("SYNTH_ABLATE") or None
    if kind is None:
        return None
    if kind not in KINDS:
        raise SystemExit(f"SYNTH_ABLATE={kind!r}: use one of {', '.join(KINDS)}.")
    os.environ["SYNTH_ABLATE"] = kind
    if kind == "chain":
        band.apply_chain = _no_chain
    else:
        band._sections = _no_form
    return kind
