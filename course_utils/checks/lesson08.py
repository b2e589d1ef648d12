"""Checks of lesson 08_transfer_learning."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._frame import close, exercise, expect, write_it_yourself
from ._keras import role


@exercise("8.1")
def check_exercise_8_1(top_tags: Callable) -> None:
    """Verifies ``top_tags(taggram, tags, k=...)`` on a taggram whose patches disagree: the
    tags are ranked by their *mean* over patches (not their maximum, not the first patch),
    highest first, as ``(tag, probability)`` pairs."""
    tags = ("rock", "jazz", "piano", "techno")
    taggram = np.array([[0.9, 0.1, 0.2, 0.0],      # one loud rock patch ...
                        [0.1, 0.6, 0.5, 0.1],
                        [0.2, 0.6, 0.5, 0.1]])     # ... but jazz and piano on average
    want = [("jazz", 0.4333), ("rock", 0.4), ("piano", 0.4)]
    got = [(t, round(float(p), 4)) for t, p in top_tags(taggram, tags, k=3)]
    expect([t for t, _ in got] == [t for t, _ in want] and
           close([p for _, p in got], [p for _, p in want], atol=1e-3),
           expected=want, actual=got,
           hint="average over patches (axis 0) first, then sort the means from high to low; "
                "ties keep the tag order.")
    one = [(t, round(float(p), 4)) for t, p in top_tags(taggram[:1], tags, k=1)]
    expect(one == [("rock", 0.9)], expected=[("rock", 0.9)], actual=one,
           hint="return exactly k pairs.")


@exercise("8.2")
def check_exercise_8_2(pool_patches: Callable) -> None:
    """Verifies ``pool_patches(P, how=...)`` on a (3, 4) array of patch embeddings: one vector of
    4 values per clip, the mean over patches for ``how="mean"``, the maximum for
    ``how="max"``, and ``[mean, max]`` concatenated (8 values) for ``how="both"``."""
    P = np.array([[1.0, 0.0, 2.0, -1.0], [3.0, 0.0, 0.0, -3.0], [2.0, 6.0, 1.0, -2.0]])
    for how, want in (("mean", P.mean(axis=0)), ("max", P.max(axis=0)),
                      ("both", np.concatenate([P.mean(axis=0), P.max(axis=0)]))):
        got = np.asarray(pool_patches(P, how=how), dtype=float)
        expect(close(got, want), expected=f"{how}: {want.tolist()}", actual=got.tolist(),
               hint="pool over patches, the first axis (axis=0): one value per feature, "
                    "not one per patch.")


@exercise("8.3")
def check_exercise_8_3(build_my_probe: Callable) -> None:
    """Verifies ``build_my_probe(input_dim, num_classes, hidden=..., dropout=...)``, without
    calling the library's builder: a Keras model whose layers are Dropout -> Dense(hidden,
    ReLU) -> Dropout -> Dense(num_classes, softmax), in that order and nothing else that
    learns; one probability vector per example (rows sum to 1); with ``hidden=32`` and
    ``dropout=0.3``, a hidden layer of 32 units and both Dropouts at 0.3 (the arguments used,
    not typed in); and that 60 training steps on an easy, separable set lower its loss by
    half."""
    import keras

    from .. import models
    build_my_probe = write_it_yourself(build_my_probe, [models], "the probe")
    keras.utils.set_random_seed(0)
    model = build_my_probe(20, 3)
    expect(isinstance(model, keras.Model), expected="a keras.Model", actual=type(model).__name__,
           hint="return keras.Model(inputs, outputs) or a keras.Sequential.")
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 30)
    X = rng.normal(0, 1, (90, 20)).astype("float32")
    X[np.arange(90), labels] += 3.0                       # class k lights up feature k
    probs = np.asarray(model(X[:5], training=False))
    expect(probs.shape == (5, 3), expected="output shape (5, 3)", actual=probs.shape,
           hint="the last layer is Dense(num_classes).")
    expect(close(probs.sum(axis=1), np.ones(5), atol=1e-4), expected="rows summing to 1",
           actual=np.round(probs.sum(axis=1), 3).tolist(), hint='use activation="softmax".')
    want = ["dropout", "dense+relu", "dropout", "dense+softmax"]
    small = build_my_probe(20, 3, hidden=32, dropout=0.3)
    for m in (model, small):
        order = [r for r in map(role, m.layers) if r]
        expect(order == want, expected=" -> ".join(want), actual=" -> ".join(order),
               hint="Dropout -> Dense(hidden, relu) -> Dropout -> Dense(num_classes, softmax).")
    rates = [layer.rate for layer in small.layers if isinstance(layer, keras.layers.Dropout)]
    units = [layer.units for layer in small.layers if isinstance(layer, keras.layers.Dense)]
    expect(close(rates, [0.3, 0.3], atol=1e-9) and units == [32, 3],
           expected="with hidden=32, dropout=0.3: Dropout(0.3), Dense(32), Dropout(0.3), "
                    "Dense(3)", actual=f"dropout rates {rates}, Dense units {units}",
           hint="use the `hidden` and `dropout` arguments, not fixed numbers.")
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy")
    before = float(model.evaluate(X, labels, verbose=0))
    for _ in range(60):
        model.train_on_batch(X, labels)
    after = float(model.evaluate(X, labels, verbose=0))
    expect(after < 0.5 * before, expected=f"loss below {0.5 * before:.3f} after 60 steps "
           f"(it started at {before:.3f})", actual=round(after, 3),
           hint="check that the layers are connected and the output is not frozen.")


@exercise("8.4")
def check_exercise_8_4(zero_shot_genre: Callable, mapping) -> None:
    """Verifies ``zero_shot_genre(means, mapping, genres)`` and the learner's tag -> genre
    ``mapping``. The function: a genre's score is the largest mean probability among its
    ``(model, tag)`` pairs (0 when it has none, or when that model's tags are not given), the
    answer is the best genre, the first in ``genres`` on a tie. The mapping: every genre a
    key, every pair a real tag of that musicnn model, and at least 8 of the 10 genres reached
    (only reggae has no word in either vocabulary)."""
    from .. import config, pretrained
    genres = ("blues", "classical", "rock")
    rules = {"blues": [("MSD_musicnn", "blues")],
             "classical": [("MTT_musicnn", "classical"), ("MTT_musicnn", "classic")],
             "rock": [("MSD_musicnn", "rock"), ("MSD_musicnn", "classic rock")]}
    means = {"MSD_musicnn": {"blues": 0.3, "rock": 0.2, "classic rock": 0.35},
             "MTT_musicnn": {"classical": 0.1, "classic": 0.05}}
    best, scores = zero_shot_genre(means, rules, genres)
    want = {"blues": 0.3, "classical": 0.1, "rock": 0.35}
    expect(best == "rock" and close([scores[g] for g in genres], [want[g] for g in genres]),
           expected=("rock", want), actual=(best, scores),
           hint="a genre's score is the max over its tags (rock: 'classic rock' 0.35).")
    best, scores = zero_shot_genre({"MSD_musicnn": means["MSD_musicnn"]},
                                   {**rules, "rock": []}, genres)
    expect(best == "blues" and scores["classical"] == 0 and scores["rock"] == 0,
           expected="blues, with classical and rock at 0 (no MTT tags given; rock has no tag)",
           actual=(best, scores), hint="use 0 for a tag whose model is missing, and for a "
                                       "genre with no tag (max(..., default=0.0)).")
    tie = zero_shot_genre({"MSD_musicnn": {"blues": 0.2, "rock": 0.2}}, rules, genres)[0]
    expect(tie == "blues", expected="blues (the first genre on a tie)", actual=tie,
           hint="max(genres, key=scores.get) keeps the first of equal scores.")
    keys = set(mapping) if isinstance(mapping, dict) else set()
    expect(keys == set(config.GENRES), expected=f"a dict with the keys {list(config.GENRES)}",
           actual=sorted(keys) if keys else type(mapping).__name__,
           hint="one key per genre, even when its list of tags is empty.")
    unknown = [(m, t) for pairs in mapping.values() for m, t in pairs
               if t not in pretrained.TAGS.get(m, ())]
    expect(not unknown, expected="tags that the named musicnn model predicts", actual=unknown,
           hint="copy tags exactly from pretrained.TAGS[model] (case matters: 'Hip-Hop').")
    reached = [g for g, pairs in mapping.items() if pairs]
    expect(len(reached) >= 8, expected="at least 8 genres with a tag", actual=reached,
           hint="MSD has blues, country, jazz, metal, pop, rock, Hip-Hop, dance, funk; "
                "MTT has classical.")
