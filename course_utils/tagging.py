"""musicnn's tags, and a zero-shot genre read from them: an answer for real music with no
training at all.

musicnn (:mod:`course_utils.pretrained`) predicts 50 tags per model. Several of the Million
Song Dataset model's tags are genres (Last.fm listeners' words: "rock", "jazz", "Hip-Hop",
...), and the MagnaTagATune model has "classical", which the MSD model lacks. A hand-written
mapping from those tags to the ten GTZAN genres (:data:`GENRE_TAGS`) turns the tagger into a
classifier that needs no labelled example: the score of a genre is the largest mean
probability (over 3-s patches) of its tags, and the genre with the highest score wins.

It can only be as good as the tags: reggae has no tag in either vocabulary, so it is never
predicted (:data:`UNREACHABLE`), and disco is reached through "dance", "70s" and "funk",
which other music shares. On music unlike what musicnn learned from (the course's synthetic
set) the tags miss. Introduced in 08_transfer_learning; the ``tags`` command and lesson 07
apply it to a learner's own files.
"""
from __future__ import annotations

import os
from typing import Mapping, Sequence

import numpy as np

from . import config, pretrained

BOTH = pretrained.MODELS    # ("MSD_musicnn", "MTT_musicnn")
# genre -> the (model, tag) pairs that vote for it. The MSD model's tags are listeners' genre
# words, so they carry every genre they can; MTT's tags describe instruments and moods, and
# only its "classical" and "classic" are used, for the one genre MSD has no word for.
GENRE_TAGS: dict[str, tuple[tuple[str, str], ...]] = {
    "blues": (("MSD_musicnn", "blues"),),
    "classical": (("MTT_musicnn", "classical"), ("MTT_musicnn", "classic")),
    "country": (("MSD_musicnn", "country"),),
    "disco": (("MSD_musicnn", "dance"), ("MSD_musicnn", "70s"), ("MSD_musicnn", "funk")),
    "hiphop": (("MSD_musicnn", "Hip-Hop"),),
    "jazz": (("MSD_musicnn", "jazz"),),
    "metal": (("MSD_musicnn", "metal"), ("MSD_musicnn", "heavy metal")),
    "pop": (("MSD_musicnn", "pop"),),
    "reggae": (),
    "rock": (("MSD_musicnn", "rock"), ("MSD_musicnn", "classic rock")),
}
UNREACHABLE = tuple(g for g, tags in GENRE_TAGS.items() if not tags)   # ("reggae",)


def tag_means(emb: pretrained.Embedding) -> dict[str, float]:
    """``{tag: mean probability over the clip's patches}`` of one embedding."""
    return dict(zip(emb.tags, emb.taggram.mean(axis=0).astype(float).tolist()))


def zero_shot_scores(means: Mapping[str, Mapping[str, float]], *,
                     mapping: Mapping[str, Sequence[tuple[str, str]]] = GENRE_TAGS,
                     genres: Sequence[str] = config.GENRES) -> dict[str, float]:
    """The score of each genre: the largest mean probability among its tags (0 without any).

    Parameters
    ----------
    means : mapping
        ``{model name: {tag: mean probability}}`` (:func:`tag_means`); a tag of a model
        that is not given counts as 0.

    Examples
    --------
    >>> means = {"MSD_musicnn": {"rock": 0.4, "classic rock": 0.1, "jazz": 0.2}}
    >>> scores = zero_shot_scores(means)
    >>> scores["rock"], scores["jazz"], scores["reggae"]
    (0.4, 0.2, 0.0)
    """
    return {g: max((means.get(m, {}).get(t, 0.0) for m, t in mapping.get(g, ())), default=0.0)
            for g in genres}


def zero_shot(means: Mapping[str, Mapping[str, float]], **kwargs) -> dict:
    """``{"genre", "score"}``: the best genre of :func:`zero_shot_scores` (the first on a tie)."""
    scores = zero_shot_scores(means, **kwargs)
    best = max(scores, key=scores.get)
    return {"genre": best, "score": scores[best]}


def tag_file(path: str | os.PathLike, *, models: Sequence[str] = BOTH,
             top_k: int = 5) -> dict:
    """musicnn's top tags of one audio file and its zero-shot genre (embeddings cached).

    Parameters
    ----------
    models : sequence of {"MSD_musicnn", "MTT_musicnn"}
        Both by default: the MSD model has no "classical" tag.
    top_k : int > 0
        Tags kept per model.

    Returns
    -------
    dict
        ``{"file", "tags": [{"tag", "model", "probability"}, ...], "zero_shot": {"genre",
        "score"}}``; ``tags`` holds each model's ``top_k`` tags, most probable first.

    Raises
    ------
    DataNotFoundError, AudioDecodeError
        For a missing, corrupt, empty, silent or too short file (named).
    """
    means = {m: tag_means(pretrained.embed_file(path, model=m)) for m in models}
    tags = [{"tag": t, "model": m, "probability": p}
            for m, ranked in means.items()
            for t, p in sorted(ranked.items(), key=lambda kv: -kv[1])[:top_k]]
    tags.sort(key=lambda t: -t["probability"])
    return {"file": str(path), "tags": tags, "zero_shot": zero_shot(means)}


def zero_shot_probs(paths: Sequence, *, genres: Sequence[str] = config.GENRES,
                    mapping: Mapping[str, Sequence[tuple[str, str]]] = GENRE_TAGS,
                    progress: bool = False) -> np.ndarray:
    """The genre scores of many files ``[shape=(n_files, n_genres)]``, for scoring the
    zero-shot classifier like any other (argmax = its answer). Embeddings are cached;
    a file that cannot be embedded gets a row of NaN."""
    used = sorted({m for tags in mapping.values() for m, _ in tags})
    embedded = {m: pretrained.embed_files(paths, model=m, progress=progress) for m in used}
    rows = []
    for p in paths:
        if any(str(p) not in embedded[m] for m in used):
            rows.append([np.nan] * len(genres))
            continue
        means = {m: tag_means(embedded[m][str(p)]) for m in used}
        rows.append(list(zero_shot_scores(means, mapping=mapping, genres=genres).values()))
    return np.array(rows, dtype=float)
