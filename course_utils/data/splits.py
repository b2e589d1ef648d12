"""The split rules: by track, before any segmenting, so no track lands on two sides
(``random``, GTZAN's ``fault-filtered`` lists, artist-grouped ``kfold``), and the leaky
``segment-random`` rule lesson 06 measures.
"""
from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold, train_test_split

from .. import _validate, config
from ..exceptions import ParameterError
from .tracks import track_id

logger = logging.getLogger("course_utils")

SPLIT_METHODS = ("random", "fault-filtered", "kfold", "segment-random")


# --------------------------------------------------------------------------- splitting
@dataclass
class Split:
    """Train, validation and test tracks. ``ids()`` gives their track ids."""

    train: pd.DataFrame
    val: pd.DataFrame
    test: pd.DataFrame
    method: str
    seed: int

    def ids(self) -> dict[str, list[str]]:
        return {side: sorted(getattr(self, side)["track_id"]) for side in ("train", "val", "test")}

    def __repr__(self) -> str:
        sizes = ", ".join(f"{s}={len(getattr(self, s))}" for s in ("train", "val", "test"))
        return f"Split(method={self.method!r}, seed={self.seed}, {sizes})"


def _read_list(name: str) -> list[str]:
    lines = (config.SPLITS_DIR / f"{name}_filtered.txt").read_text().split()
    return [track_id(line) for line in lines]


def _inner_folds(val_size: float) -> int:
    """How many parts a ``"kfold"`` split cuts its training folds into to take validation."""
    return max(2, round(1 / val_size))


def kfold_shares(folds: int, val_size: float = config.VAL_SIZE) -> dict[str, float]:
    """The shares of the tracks that a ``"kfold"`` split of :func:`split_tracks` leaves to
    test and to validation, as ``test_size`` and ``val_size`` for a ``"random"`` split of the
    same sizes: the control that tells the artist effect from the training size.

    Examples
    --------
    >>> kfold_shares(5) == {"test_size": 0.2, "val_size": 0.8 / 7}
    True
    """
    folds = _validate.positive_int(folds, "folds")
    return {"test_size": 1 / folds, "val_size": (1 - 1 / folds) / _inner_folds(val_size)}


def track_folds(tracks: pd.DataFrame, folds: int, *, seed: int = config.SEED) -> list[tuple]:
    """``folds`` (fit, held-out) index pairs over ``tracks``: stratified by genre, grouped by
    artist where known (else by track), seeded. Every track is held out exactly once.

    The folds of a ``"kfold"`` split (:func:`split_tracks`), and of the cross-fitting that
    gives the ensemble's weight and the "unsure" threshold predictions for tracks their
    models were not fitted on (:mod:`course_utils.runs`).

    Examples
    --------
    >>> t = pd.DataFrame({"track_id": [f"{g}.{i:05d}" for g in "ab" for i in range(6)],
    ...                   "genre": [g for g in "ab" for _ in range(6)], "artist": None})
    >>> sorted(len(held) for _, held in track_folds(t, 3, seed=0))
    [4, 4, 4]
    """
    groups = tracks["artist"].fillna(tracks["track_id"]).to_numpy()
    cv = StratifiedGroupKFold(n_splits=_validate.positive_int(folds, "folds"), shuffle=True,
                              random_state=seed)
    return list(cv.split(tracks, tracks["genre"].to_numpy(), groups))


def split_tracks(tracks: pd.DataFrame, *, method: str = "random", seed: int = config.SEED,
                 val_size: float = config.VAL_SIZE, test_size: float = config.TEST_SIZE,
                 folds: int = 5, fold: int = 0) -> Split:
    """Split a track table by track, before any segmenting.

    Parameters
    ----------
    tracks : pd.DataFrame
        From :func:`load_dataset`.
    method : str
        - ``"random"``: stratified by genre and seeded (70/15/15 by default).
        - ``"fault-filtered"``: the Kereliuk-Sturm GTZAN lists (443/197/290),
          shipped with the package; tracks missing locally are reported.
        - ``"kfold"``: stratified, grouped by artist where known; fold ``fold``
          (from 0) of ``folds`` is the test set, and validation is taken from
          the training folds, again grouped.
        - ``"segment-random"`` is not a track split: it splits *segments*
          (:func:`split_segments`), so asking for it here raises.
    seed : int

    Returns
    -------
    Split

    Raises
    ------
    ParameterError
        For an unknown method or bad sizes.

    Examples
    --------
    >>> t = pd.DataFrame({"track_id": [f"{g}.{i:05d}" for g in "ab" for i in range(10)],
    ...                   "genre": [g for g in "ab" for _ in range(10)], "artist": None})
    >>> split_tracks(t, seed=0)
    Split(method='random', seed=0, train=14, val=3, test=3)
    """
    _validate.one_of(method, SPLIT_METHODS, "method")
    tracks = tracks.sort_values("track_id").reset_index(drop=True)
    pick = lambda ids: tracks[tracks["track_id"].isin(set(ids))].reset_index(drop=True)
    if method == "random":
        _validate.fraction(val_size + test_size, "val_size + test_size")
        n = len(tracks)   # whole counts, so 200 tracks give exactly 140/30/30
        rest, test = _random_part(tracks["track_id"], tracks["genre"], round(n * test_size),
                                  seed, "test")
        rest_genres = tracks.set_index("track_id").loc[rest, "genre"]
        train, val = _random_part(rest, rest_genres, round(n * val_size), seed, "validation")
        return Split(pick(train), pick(val), pick(test), method, seed)
    if method == "fault-filtered":
        lists = {side: _read_list(name) for side, name in
                 (("train", "train"), ("val", "valid"), ("test", "test"))}
        missing = sorted(set().union(*lists.values()) - set(tracks["track_id"]))
        if missing:
            logger.warning("fault-filtered split: %d of %d listed tracks are not in this "
                           "dataset (e.g. %s); they are left out",
                           len(missing), sum(map(len, lists.values())), ", ".join(missing[:5]))
        return Split(pick(lists["train"]), pick(lists["val"]), pick(lists["test"]), method, seed)
    if method == "kfold":
        folds = _validate.positive_int(folds, "folds")
        if not 0 <= fold < folds:
            raise ParameterError(f"fold must be in 0..{folds - 1}, got fold={fold}.")
        train_idx, test_idx = track_folds(tracks, folds, seed=seed)[fold]
        rest = tracks.iloc[train_idx]
        fit_idx, val_idx = track_folds(rest, _inner_folds(val_size), seed=seed)[0]
        return Split(rest.iloc[fit_idx].reset_index(drop=True),
                     rest.iloc[val_idx].reset_index(drop=True),
                     tracks.iloc[test_idx].reset_index(drop=True), method, seed)
    raise ParameterError("split method 'segment-random' splits segments, not tracks: call "
                         "segments.prepare(split='segment-random') (or "
                         "data.split_segments on segment counts) instead.")


def _random_part(ids: pd.Series, genres: pd.Series, size: int, seed: int, side: str):
    """``train_test_split`` of ``size`` ids, stratified by genre where the counts allow it.

    A small collection can have fewer tracks for a side than genres (or a genre
    with a single track): then no stratified split exists, and the ids are split
    at random instead, with a warning that some genres miss from one side.
    """
    counts = genres.value_counts()
    if size >= len(counts) and len(ids) - size >= len(counts) and counts.min() >= 2:
        return train_test_split(ids, test_size=size, stratify=genres, random_state=seed)
    logger.warning("random split: %d %s tracks for %d genres (fewest tracks in a genre: %d), "
                   "too few to put every genre on both sides; splitting without stratifying, "
                   "so some genres are missing from one side. Scores on so few tracks cannot "
                   "rank models.", size, side, len(counts), counts.min())
    return train_test_split(ids, test_size=size, random_state=seed)


def split_segments(n_segments: int, *, seed: int = config.SEED,
                   val_size: float = config.VAL_SIZE, test_size: float = config.TEST_SIZE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The **deliberately leaky** split of the leakage lesson: segments at random.

    Every track is cut into segments first, then the segments are shuffled and
    split, so one track's segments land on several sides and test accuracy is
    inflated. It warns. Use it only to measure leakage; every other split in the
    course is :func:`split_tracks`, by track, before segmenting.

    Returns
    -------
    train, val, test : np.ndarray
        Sorted segment indices, ``round(n * test_size)`` test and
        ``round(n * val_size)`` validation segments.

    Examples
    --------
    >>> import warnings; warnings.simplefilter("ignore")
    >>> [len(side) for side in split_segments(100, seed=0)]
    [70, 15, 15]
    """
    _validate.fraction(val_size + test_size, "val_size + test_size")
    warnings.warn("split method 'segment-random' is deliberately leaky: segments of one "
                  "track land on both sides, so test accuracy is inflated. Use it only to "
                  "measure leakage.", UserWarning, stacklevel=3)
    order = np.random.default_rng(seed).permutation(int(n_segments))
    n_test, n_val = round(test_size * len(order)), round(val_size * len(order))
    return (np.sort(order[n_test + n_val:]), np.sort(order[n_test:n_test + n_val]),
            np.sort(order[:n_test]))
