"""Check cells for the lessons' exercises: ``check_exercise_3_2(...)``.

Each check says in its docstring what it verifies, prints expected versus
actual with a hint when an answer is wrong, and reports an unsolved exercise
(a stub that raises ``NotImplementedError``, or a value left as ``...``) as
"not done yet" in plain output, so a student notebook runs top to bottom.
Checks return ``True`` (passed), ``False`` (wrong) or ``None`` (not done).

Under grading they are strict instead: when nbgrader autogrades or validates a
notebook (it sets ``NBGRADER_EXECUTION``), or with ``COURSE_STRICT_CHECKS=1``,
a wrong or missing answer raises :class:`AnswerError` (an ``AssertionError``),
so nbgrader scores that check cell zero. A leaf module: it may use everything
else in the package.
"""
from __future__ import annotations

import contextlib
import functools
import io
import os
from typing import Callable

import numpy as np


class CheckFailed(Exception):
    """Raised inside a check when an answer is wrong; the decorator prints it."""


class AnswerError(AssertionError):
    """A wrong or missing answer, raised instead of printed in strict mode (grading)."""


def strict() -> bool:
    """True while nbgrader grades or validates, or with ``COURSE_STRICT_CHECKS=1``."""
    return bool(os.environ.get("NBGRADER_EXECUTION")) or \
        os.environ.get("COURSE_STRICT_CHECKS", "").strip().lower() in {"1", "true", "yes", "on"}


def _report(symbol: str, message: str, result):
    """Print a learner's result; under grading, raise for anything but a pass."""
    if symbol != "✅" and strict():
        raise AnswerError(message)
    print(f"{symbol} {message}")
    return result


def expect(ok: bool, *, expected, actual, hint: str = "") -> None:
    """Fail the current check unless ``ok``, showing expected versus actual."""
    if not ok:
        message = f"expected {expected}, got {actual}."
        raise CheckFailed(message + (f" Hint: {hint}" if hint else ""))


def _unsolved(value) -> bool:
    return value is Ellipsis or (isinstance(value, (tuple, list)) and Ellipsis in value)


_RESULTS: dict[str, bool | None] = {}    # the last result of each exercise's check


def mine_or_library(number: str, mine, library, what: str):
    """``mine`` if exercise ``number``'s check last passed, else ``library`` (said in one
    line), so a lesson uses the learner's code and still runs when it is not done yet."""
    if _RESULTS.get(number) is True:
        return mine
    print(f"Exercise {number} is not solved yet: {what} comes from the library for now.")
    return library


def exercise(number: str) -> Callable:
    """Decorate a check: handles "not done yet", wrong answers and errors as plain output."""
    def wrap(check: Callable) -> Callable:
        @functools.wraps(check)
        def run(*args, **kwargs):
            _RESULTS[number] = result = _run(*args, **kwargs)
            return result

        def _run(*args, **kwargs):
            label = f"Exercise {number}"
            if any(_unsolved(a) for a in (*args, *kwargs.values())):
                return _report("⏳", f"{label}: not done yet (replace the ... with your answer).",
                               None)
            try:
                check(*args, **kwargs)
            except NotImplementedError:
                return _report("⏳", f"{label}: not done yet (the function still raises "
                                     "NotImplementedError).", None)
            except CheckFailed as err:
                return _report("❌", f"{label}: {err}", False)
            except Exception as err:  # the learner's code crashed: say so, don't stop the run
                return _report("❌", f"{label}: your code raised {type(err).__name__}: {err}",
                               False)
            return _report("✅", f"{label}: passed.", True)
        return run
    return wrap


def _names_used(fn: Callable) -> set[str]:
    """Global and attribute names a function's code refers to, nested functions included."""
    names, stack = set(), [getattr(fn, "__code__", None)]
    while stack:
        code = stack.pop()
        if code is None:
            continue
        names.update(code.co_names)
        stack.extend(c for c in code.co_consts if hasattr(c, "co_names"))
    return names


def write_it_yourself(fn: Callable, forbidden: set[str], what: str) -> None:
    """Fail when ``fn`` calls one of the ``forbidden`` names instead of computing the answer."""
    used = sorted(_names_used(fn) & forbidden)
    expect(not used, expected=f"{what} written with numpy", actual=f"a call of {', '.join(used)}",
           hint="the check compares with that function; the exercise is to write it yourself.")


def close(a, b, *, rtol: float = 1e-4, atol: float = 1e-4) -> bool:
    """``np.allclose`` that is False (not an error) when shapes differ."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


# Lesson checks follow, one section per lesson, in lesson order.
# --- 01_audio_basics ----------------------------------------------------------
@exercise("1.1")
def check_exercise_1_1(seconds_to_samples: Callable) -> None:
    """Verifies ``seconds_to_samples(seconds, sr=...)`` on five durations and two rates,
    including one that needs rounding, and that it returns an ``int``."""
    for seconds, sr, want in ((3.0, 22050, 66150), (30, 22050, 661500), (0.5, 44100, 22050),
                              (0.1, 22050, 2205), (1 / 3, 44100, 14700)):
        got = seconds_to_samples(seconds, sr=sr)
        expect(isinstance(got, (int, np.integer)), expected="an int", actual=type(got).__name__,
               hint="wrap the result in int(round(...)).")
        expect(got == want, expected=f"{want} samples for {seconds:.3g} s at {sr} Hz",
               actual=got, hint="samples = seconds * sr (multiply, then round).")


@exercise("1.2")
def check_exercise_1_2(amplitude_to_db: Callable) -> None:
    """Verifies ``amplitude_to_db`` against ``librosa.amplitude_to_db(..., top_db=None)`` on an
    array with a negative sample and a silent one, with ``ref=1`` and ``ref=0.5``; calling
    librosa instead of writing the formula fails."""
    import librosa
    write_it_yourself(amplitude_to_db, {"librosa", "amplitude_to_db"}, "decibels")
    a = np.array([1.0, 0.5, 0.1, 0.01, -0.5, 0.0])
    for ref in (1.0, 0.5):
        want = librosa.amplitude_to_db(np.abs(a), ref=ref, amin=1e-5, top_db=None)
        got = np.asarray(amplitude_to_db(a, ref=ref), dtype=float)
        expect(close(got, want, atol=1e-3), expected=np.round(want, 2).tolist(),
               actual=np.round(got, 2).tolist(),
               hint="20 * log10(max(|a|, amin) / ref): use np.abs, np.maximum and 20, not 10.")


@exercise("1.3")
def check_exercise_1_3(n_frames: Callable) -> None:
    """Verifies ``n_frames(n_samples, hop_length=...)`` against the width of
    ``librosa.stft`` (``center=True``) for four signal lengths and three hops; calling
    librosa instead of counting fails."""
    import librosa
    write_it_yourself(n_frames, {"librosa", "stft", "frames_to_samples", "samples_to_frames"},
                      "a frame count")
    for n_samples, hop in ((66150, 512), (22050, 512), (4096, 256), (132300, 1024)):
        want = librosa.stft(np.zeros(n_samples, dtype=np.float32), n_fft=2048,
                            hop_length=hop).shape[1]
        got = n_frames(n_samples, hop_length=hop)
        expect(got == want, expected=f"{want} frames for {n_samples} samples, hop {hop}",
               actual=got, hint="with center=True a frame starts at every hop, from sample 0: "
                                "count them (don't forget the first one).")


@exercise("1.4")
def check_exercise_1_4(hz_to_mel: Callable) -> None:
    """Verifies ``hz_to_mel`` against ``librosa.hz_to_mel(f, htk=True)`` on an array of six
    frequencies and on a single number; calling librosa instead of the formula fails."""
    import librosa
    write_it_yourself(hz_to_mel, {"librosa", "hz_to_mel"}, "the mel formula")
    f = np.array([0.0, 100.0, 440.0, 1000.0, 4000.0, 11025.0])
    want = librosa.hz_to_mel(f, htk=True)
    got = np.asarray(hz_to_mel(f), dtype=float)
    expect(close(got, want, atol=0.01), expected=np.round(want, 1).tolist(),
           actual=np.round(got, 1).tolist(), hint="m = 2595 * log10(1 + f / 700).")
    one = float(np.asarray(hz_to_mel(1000.0)))
    expect(abs(one - 1000.0) < 0.1, expected="about 1000 mel for 1000 Hz", actual=round(one, 2),
           hint="it must work on a plain number too.")


@exercise("1.5")
def check_exercise_1_5(loudness_curve: Callable) -> None:
    """Verifies ``loudness_curve(y, frame_length=..., hop_length=...)`` against
    ``librosa.feature.rms(..., center=False)`` in dBFS (``amin=1e-5``) on a signal that grows
    louder, with a silent stretch, for two frame settings; calling librosa fails."""
    import librosa
    write_it_yourself(loudness_curve, {"librosa", "rms", "frame"}, "the loudness curve")
    rng = np.random.default_rng(2)
    y = (rng.normal(size=30000) * np.linspace(0.01, 0.5, 30000)).astype(np.float32)
    y[10000:14000] = 0.0
    for frame_length, hop in ((2048, 512), (1000, 300)):
        rms = librosa.feature.rms(y=y, frame_length=frame_length, hop_length=hop, center=False)[0]
        want = 20 * np.log10(np.maximum(rms, 1e-5))
        got = np.asarray(loudness_curve(y, frame_length=frame_length, hop_length=hop), float)
        expect(got.shape == want.shape, expected=f"{len(want)} frames (frame_length="
                                                 f"{frame_length}, hop_length={hop})",
               actual=got.shape, hint="frames start at 0, hop, 2*hop, ... while a whole frame "
                                      "fits (no padding): 1 + (len(y) - frame_length) // hop.")
        expect(close(got, want, atol=1e-3), expected=f"RMS in dBFS, e.g. {want[:3].round(2)}",
               actual=got[:3].round(2), hint="sqrt(mean(frame ** 2)), then 20 log10 with "
                                             "the floor amin=1e-5 (silence is -100 dB).")


# --- 02_feature_extraction ----------------------------------------------------
@exercise("2.1")
def check_exercise_2_1(mfcc_with_deltas: Callable) -> None:
    """Verifies ``mfcc_with_deltas(M)`` on a random (20, 50) matrix: shape (60, 50), the MFCCs on
    top, then ``librosa.feature.delta`` of order 1, then of order 2."""
    import librosa
    M = np.random.default_rng(0).normal(size=(20, 50)).astype(np.float32)
    got = np.asarray(mfcc_with_deltas(M.copy()))
    expect(got.shape == (60, 50), expected="shape (60, 50)", actual=f"shape {got.shape}",
           hint="stack three (20, t) blocks along the rows: np.concatenate([...]) or np.vstack.")
    for rows, name, want in ((slice(0, 20), "the MFCCs themselves", M),
                             (slice(20, 40), "the first delta", librosa.feature.delta(M, order=1)),
                             (slice(40, 60), "the second delta",
                              librosa.feature.delta(M, order=2))):
        expect(close(got[rows], want, atol=1e-4), expected=f"rows {rows.start}-{rows.stop - 1} "
               f"to be {name}", actual="different values",
               hint="order: M, librosa.feature.delta(M), librosa.feature.delta(M, order=2).")


@exercise("2.2")
def check_exercise_2_2(summary_stats: Callable) -> None:
    """Verifies ``summary_stats(F)`` on a (3, 4) matrix and a random (12, 130) one: the row means
    first, then the row standard deviations (``np.std``, ddof=0)."""
    F = np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0], [2.0, -2.0, 2.0, -2.0]])
    want = np.array([2.5, 0.0, 0.0, np.sqrt(1.25), 0.0, 2.0])
    got = np.asarray(summary_stats(F), dtype=float)
    expect(close(got, want), expected=want.round(3).tolist(),
           actual=np.round(got, 3).tolist() if got.ndim == 1 else f"shape {got.shape}",
           hint="mean and std over time are over axis=1 (one value per row); means first.")
    G = np.random.default_rng(1).normal(size=(12, 130))
    expect(close(summary_stats(G), np.concatenate([G.mean(axis=1), G.std(axis=1)])),
           expected="24 values for a 12-row matrix", actual="something else",
           hint="np.concatenate([F.mean(axis=1), F.std(axis=1)]).")


@exercise("2.3")
def check_exercise_2_3(split_by_track: Callable) -> None:
    """Verifies ``split_by_track(tracks, seed=..., val_size=..., test_size=...)`` on two
    made-up track tables (10 genres of 20 tracks; genres of 7 to 31 tracks): every track
    on exactly one side, the sizes ``round(n * test_size)`` and ``round(n * val_size)``,
    each genre's share kept on every side (stratified), the same split for the same seed
    and another for another seed, and the same tracks as ``data.split_tracks`` (which
    later lessons use) for the same seed."""
    import pandas as pd
    from .data import split_tracks
    rng = np.random.default_rng(3)
    even = [(g, i) for g in range(10) for i in range(20)]
    uneven = [(g, i) for g, n in enumerate(rng.integers(7, 32, 10)) for i in range(n)]
    for rows, seed, (val_size, test_size) in ((even, 42, (0.15, 0.15)), (even, 7, (0.1, 0.2)),
                                               (uneven, 1, (0.15, 0.15))):
        tracks = pd.DataFrame({"track_id": [f"genre{g}.{i:05d}" for g, i in rows],
                               "genre": [f"genre{g}" for g, _ in rows]})
        n = len(tracks)
        sides = split_by_track(tracks, seed=seed, val_size=val_size, test_size=test_size)
        expect(len(sides) == 3, expected="three tables (train, val, test)", actual=len(sides),
               hint="return train, val, test.")
        ids = [list(side["track_id"]) for side in sides]
        flat = [t for side in ids for t in side]
        expect(len(flat) == len(set(flat)) == n and set(flat) == set(tracks["track_id"]),
               expected=f"each of the {n} tracks on exactly one side",
               actual=f"{len(flat)} rows, {len(set(flat))} distinct tracks",
               hint="take the validation tracks from what is left after the test tracks.")
        sizes = [len(side) for side in ids]
        want = [n - round(n * val_size) - round(n * test_size), round(n * val_size),
                round(n * test_size)]
        expect(sizes == want, expected=f"sizes {want} for {n} tracks", actual=sizes,
               hint="pass test_size and val_size as whole counts: round(n * size).")
        for side, size in zip(sides, want):
            share = tracks["genre"].value_counts() * size / n
            got = side["genre"].value_counts().reindex(share.index, fill_value=0)
            expect(bool((abs(got - share) < 1.0 + 1e-9).all()),
                   expected="every genre's share kept on every side (stratified)",
                   actual=f"{dict(got)} against {dict(share.round(1))}",
                   hint="train_test_split(..., stratify=genres), in both calls.")
        again = split_by_track(tracks, seed=seed, val_size=val_size, test_size=test_size)
        expect([sorted(s["track_id"]) for s in again] == [sorted(i) for i in ids],
               expected="the same split for the same seed", actual="another split",
               hint="random_state=seed in both calls.")
        other = split_by_track(tracks, seed=seed + 1, val_size=val_size, test_size=test_size)
        expect(sorted(other[2]["track_id"]) != sorted(ids[2]),
               expected="another test set for another seed", actual="the same test tracks",
               hint="use the seed argument, not a fixed number.")
        library = split_tracks(tracks, seed=seed, val_size=val_size, test_size=test_size)
        expect([sorted(i) for i in ids] == [sorted(t) for t in library.ids().values()],
               expected="the tracks of data.split_tracks for the same seed (later lessons "
                        "use it)", actual="a different (valid) split",
               hint="test tracks first, from all tracks; then validation tracks from the "
                    "rest; random_state=seed both times.")


@exercise("2.4")
def check_exercise_2_4(nearest_centroid_predict: Callable) -> None:
    """Verifies ``nearest_centroid_predict`` on a 2-D toy problem whose answer is known, and
    against scikit-learn's ``NearestCentroid`` on random data with 4 classes; calling
    scikit-learn's classifier instead of writing it fails."""
    from sklearn.neighbors import NearestCentroid
    write_it_yourself(nearest_centroid_predict, {"NearestCentroid", "KNeighborsClassifier",
                                                 "neighbors"}, "nearest centroid")
    X_train = np.array([[0.0, 0.0], [0.0, 2.0], [10.0, 0.0], [10.0, 2.0], [5.0, 9.0], [5.0, 11.0]])
    labels = np.array([0, 0, 1, 1, 2, 2])
    X_test = np.array([[1.0, 1.0], [9.0, 0.0], [5.0, 8.0], [4.0, 1.0]])
    got = np.asarray(nearest_centroid_predict(X_train, labels, X_test))
    expect(got.tolist() == [0, 1, 2, 0], expected=[0, 1, 2, 0], actual=got.tolist(),
           hint="centroids are (0, 1), (10, 1) and (5, 10); pick the class of the closest one.")
    rng = np.random.default_rng(2)
    X = rng.normal(size=(80, 5)) + np.repeat(rng.normal(scale=2, size=(4, 5)), 20, axis=0)
    lab = np.repeat(np.arange(4), 20)
    Xt = rng.normal(scale=2, size=(30, 5))
    want = NearestCentroid().fit(X, lab).predict(Xt)
    got = np.asarray(nearest_centroid_predict(X, lab, Xt))
    expect(got.shape == want.shape and (got == want).all(),
           expected=f"{want.tolist()} (scikit-learn's NearestCentroid)", actual=got.tolist(),
           hint="one mean per class (X_train[labels_train == c].mean(axis=0)), "
                "Euclidean distance, argmin.")


@exercise("2.5")
def check_exercise_2_5(standardise: Callable) -> None:
    """Verifies ``standardise(X_train, X_test)`` against scikit-learn's ``StandardScaler``
    fitted on the training rows only, on data whose test rows come from another distribution
    (so statistics of all rows, or of the test rows, give other numbers) and with a constant
    column (which must not become NaN); the inputs must stay unchanged."""
    from sklearn.preprocessing import StandardScaler
    rng = np.random.default_rng(6)
    X_train = rng.normal(3.0, 2.0, size=(40, 5))
    X_test = rng.normal(6.0, 1.0, size=(15, 5))
    X_train[:, 2] = X_test[:, 2] = 7.0
    before = X_train.copy(), X_test.copy()
    got = standardise(X_train, X_test)
    expect(isinstance(got, tuple) and len(got) == 2, expected="a pair (Z_train, Z_test)",
           actual=type(got).__name__, hint="return Z_train, Z_test.")
    scaler = StandardScaler().fit(X_train)
    for name, g, want in (("Z_train", got[0], scaler.transform(X_train)),
                          ("Z_test", got[1], scaler.transform(X_test))):
        g = np.asarray(g, float)
        expect(np.isfinite(g).all(), expected=f"{name} without NaN or inf",
               actual=f"{int((~np.isfinite(g)).sum())} non-finite values",
               hint="a column with std 0 is divided by 1 instead.")
        expect(close(g, want, atol=1e-6), expected=f"{name} scaled with the training mean and "
                                                   f"std, first row {want[0].round(3)}",
               actual=g[0].round(3) if g.ndim == 2 else g.shape,
               hint="mean and std of X_train (axis=0) for both: the test rows must not shape "
                    "the scaling.")
    expect(np.array_equal(X_train, before[0]) and np.array_equal(X_test, before[1]),
           expected="the inputs left unchanged", actual="an input was modified in place",
           hint="compute new arrays: (X - mean) / std.")


# --- 03_cnn --------------------------------------------------------------------
@exercise("3.1")
def check_exercise_3_1(cut_segments: Callable) -> None:
    """Verifies ``cut_segments(F, frames=130, hop=129)`` against ``features.segment_features``
    on random feature matrices: exactly one segment, the FAST 6 s clip, a 30 s GTZAN clip, a
    longer one and another segment length, value for value; a matrix shorter than one segment
    must raise ``ValueError``; calling the library's cutter fails."""
    from . import features
    write_it_yourself(cut_segments, {"segment_features", "segment"}, "the cutting")
    rng = np.random.default_rng(0)
    for n_frames, frames, hop in ((130, 130, 129), (259, 130, 129), (1293, 130, 129),
                                  (1300, 130, 129), (500, 64, 63)):
        F = rng.normal(size=(5, n_frames)).astype(np.float32)
        want = features.segment_features(F, frames=frames, hop=hop)
        got = np.asarray(cut_segments(F, frames=frames, hop=hop))
        expect(got.shape == want.shape, expected=f"shape {want.shape} for {n_frames} frames "
                                                 f"(frames={frames}, hop={hop})",
               actual=got.shape, hint="segments start at 0, hop, 2*hop, ... while a whole "
                                      "segment fits; stack them on a new first axis.")
        expect(close(got, want, atol=0), expected="segment i = F[:, i*hop : i*hop + frames]",
               actual="other values", hint="cut along the time axis (the second one), from "
                                           "frame 0.")
    try:
        cut_segments(np.zeros((5, 100)), frames=130, hop=129)
    except ValueError:
        pass
    else:
        raise CheckFailed("expected a ValueError for 100 frames (shorter than one segment of "
                          "130), got no error. Hint: a silent empty result hides a too-short "
                          "file; raise ValueError and say both lengths.")


@exercise("3.2")
def check_exercise_3_2(conv_block: Callable) -> None:
    """Verifies ``conv_block(x, filters, l2=...)`` by building it on a ``(64, 65, 1)`` input
    with 16 filters: output shape ``(None, 32, 32, 16)``, 208 parameters (3x3x1x16 kernel
    without bias + 4x16 BatchNorm), a 3x3 kernel, the layers in the order Conv2D,
    BatchNormalization (momentum 0.9), ReLU, MaxPooling2D, an L2 penalty of ``l2`` on the
    kernel (none for ``l2=0``), and that 30 training steps of the block under a small head
    lower the loss on a toy task."""
    import keras
    inputs = keras.Input((64, 65, 1))
    outputs = conv_block(inputs, 16)
    model = keras.Model(inputs, outputs)
    shape = tuple(outputs.shape)
    expect(shape == (None, 32, 32, 16), expected="output shape (None, 32, 32, 16)",
           actual=shape, hint="'same' padding keeps 64x65; a 2x2 max-pool halves it (65 // 2 = 32).")
    kinds = {type(layer).__name__ for layer in model.layers}
    for needed in ("Conv2D", "BatchNormalization", "MaxPooling2D"):
        expect(needed in kinds, expected=f"a {needed} layer", actual=sorted(kinds),
               hint="Conv2D -> BatchNormalization -> ReLU -> MaxPooling2D.")
    has_relu = "ReLU" in kinds or any(
        getattr(getattr(layer, "activation", None), "__name__", "") == "relu"
        for layer in model.layers)
    expect(has_relu, expected="a ReLU (layers.Activation('relu') or layers.ReLU())",
           actual=sorted(kinds), hint="add the non-linearity after BatchNormalization.")
    n = model.count_params()
    expect(n == 208, expected="208 parameters (144 conv weights + 64 BatchNorm)", actual=n,
           hint="use a 3x3 kernel with use_bias=False: BatchNorm's beta already adds a bias.")
    kernels = [tuple(layer.kernel_size) for layer in model.layers
               if isinstance(layer, keras.layers.Conv2D)]
    expect(kernels == [(3, 3)], expected="one Conv2D with a 3x3 kernel", actual=kernels,
           hint="kernel_size=3 looks 3 mel bands by 3 frames around each point.")
    order = [_role(layer) for layer in model.layers]
    order = [role for role in order if role]
    expect(order == ["conv", "batch norm", "relu", "max-pool"],
           expected="conv -> batch norm -> relu -> max-pool", actual=" -> ".join(order),
           hint="normalise the convolution's output, then apply the ReLU, then pool.")
    momenta = [layer.momentum for layer in model.layers
               if isinstance(layer, keras.layers.BatchNormalization)]
    expect(momenta == [0.9], expected="BatchNormalization(momentum=0.9)", actual=momenta,
           hint="Keras's default 0.99 averages over ~100 steps; a FAST epoch has ~30.")
    for l2 in (0.0, 1e-3):
        block = keras.Model(inputs, conv_block(inputs, 16, l2=l2))
        got = [_l2_of(layer) for layer in block.layers if isinstance(layer, keras.layers.Conv2D)]
        expect(close(got, [l2], rtol=1e-6, atol=0), expected=f"an L2 penalty of {l2:g} on the "
               "kernel", actual=got, hint="kernel_regularizer=keras.regularizers.L2(l2) if l2 "
                                          "else None.")
    expect(_loss_falls(conv_block), expected="a loss that falls over 30 training steps",
           actual="a loss that did not fall", hint="the block must pass gradients: no frozen "
                                                   "layers, no constant output.")


def _expect_outputs(model, n_classes: int) -> None:
    """A builder's model must end with one probability per class."""
    shape = tuple(model.output.shape)
    expect(shape == (None, n_classes), expected=f"output shape (None, {n_classes})",
           actual=shape, hint="end with Dense(n_classes, softmax).")


def _expect_probabilities(model, input_shape: tuple) -> None:
    """Three random inputs of ``input_shape`` must give rows that sum to 1."""
    x = np.random.default_rng(0).normal(size=(3, *input_shape)).astype("float32")
    sums = np.asarray(model(x, training=False)).sum(axis=1)
    expect(close(sums, np.ones(3)), expected="probabilities that sum to 1", actual=sums,
           hint="the last layer's activation is softmax.")


def _l2_of(layer) -> float:
    """The L2 factor of a layer's kernel regulariser (0 without one)."""
    reg = getattr(layer, "kernel_regularizer", None)
    return float(reg.get_config().get("l2", 0.0)) if reg is not None else 0.0


_ROLES = {"BatchNormalization": "batch norm", "ReLU": "relu", "MaxPooling2D": "max-pool",
          "AveragePooling2D": "average-pool", "AveragePooling1D": "average-pool",
          "GlobalAveragePooling2D": "global average-pool", "Dropout": "dropout",
          "Flatten": "flatten", "LSTM": "lstm", "GRU": "gru", "Bidirectional": "bidirectional"}


def _role(layer) -> str:
    """What a layer does in a model ("conv", "batch norm", "relu", "dense+softmax", ...),
    or "" for inputs and layers no check looks at."""
    kind = type(layer).__name__
    activation = getattr(getattr(layer, "activation", None), "__name__", "")
    if kind == "Conv2D":
        return "conv+relu" if activation == "relu" else "conv"
    if kind == "Activation":
        return "relu" if activation == "relu" else ""
    if kind == "Dense":
        return f"dense+{activation or '?'}"
    return _ROLES.get(kind, "")


def _toy_images() -> tuple[np.ndarray, np.ndarray]:
    """64 noise images of 32x32x1, label 1 where the top half is brighter."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 32, 32, 1)).astype("float32")
    y = rng.integers(0, 2, 64)
    X[y == 1, :16] += 1.0
    return X, y


def _loss_falls_on(model, X: np.ndarray, y: np.ndarray, *, steps: int,
                   factor: float = 0.9) -> bool:
    """Train ``model`` (Adam 1e-2) for ``steps`` full-batch steps and say whether the loss
    ended below ``factor`` times where it started."""
    import keras
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy")
    before = float(model.evaluate(X, y, verbose=0))
    for _ in range(steps):
        model.train_on_batch(X, y)
    return float(model.evaluate(X, y, verbose=0)) < factor * before


def _loss_falls(conv_block: Callable, steps: int = 30) -> bool:
    """Train the block under a fixed random head on the toy images and say whether the
    loss fell: only the block's weights can lower it."""
    import keras
    keras.utils.set_random_seed(0)
    inputs = keras.Input((32, 32, 1))
    x = keras.layers.GlobalAveragePooling2D()(conv_block(inputs, 8))
    head = keras.layers.Dense(2, activation="softmax", trainable=False)   # only the block learns
    return _loss_falls_on(keras.Model(inputs, head(x)), *_toy_images(), steps=steps)


@exercise("3.3")
def check_exercise_3_3(build_my_cnn: Callable) -> None:
    """Verifies ``build_my_cnn(input_shape, n_classes, filters=..., dropout=..., l2=...,
    dense_units=...)`` without calling the library's builder: on ``(128, 130, 1)`` and 10
    classes, 28,442 parameters and the layer order average-pool, three Conv2D -> BatchNorm
    -> ReLU -> MaxPool blocks, global average-pool, dropout, ReLU Dense, dropout, softmax
    Dense; with ``filters=(8, 16)``, ``dense_units=32`` and 4 classes, the parameter count of
    ``models.build_cnn`` for the same settings (so the arguments are used, not typed in);
    dropout rates and L2 factors as asked; probabilities that sum to 1; and that 40
    training steps of a small version lower the loss on a toy task."""
    import keras
    write_it_yourself(build_my_cnn, {"build_cnn", "cnn_features", "classifier", "models"},
                      "the CNN")
    model = build_my_cnn((128, 130, 1), 10)
    _expect_outputs(model, 10)
    block = ["conv", "batch norm", "relu", "max-pool"]
    want = (["average-pool"] + block * 3 + ["global average-pool", "dropout", "dense+relu",
                                           "dropout", "dense+softmax"])
    order = [role for role in map(_role, model.layers) if role]
    expect(order == want, expected=" -> ".join(want), actual=" -> ".join(order),
           hint="input AveragePooling2D(2), one conv_block per filter count, "
                "GlobalAveragePooling2D, then Dropout, Dense(relu), Dropout, Dense(softmax).")
    kernels = [tuple(layer.kernel_size) for layer in model.layers
               if isinstance(layer, keras.layers.Conv2D)]
    expect(kernels == [(3, 3)] * 3, expected="three 3x3 kernels", actual=kernels,
           hint="a (9, 1) kernel has as many weights as a 3x3 one, but sees no time context.")
    n = model.count_params()
    expect(n == 28442, expected="28,442 parameters with the defaults", actual=f"{n:,}",
           hint="filters (16, 32, 64), a 64-unit hidden layer; 3x3 kernels without bias.")
    from .models import build_cnn
    small = build_my_cnn((64, 64, 1), 4, filters=(8, 16), dropout=0.5, l2=1e-3, dense_units=32)
    twin = build_cnn((64, 64, 1), 4, filters=(8, 16), dropout=0.5, l2=1e-3, dense_units=32)
    expect(small.count_params() == twin.count_params(),
           expected=f"{twin.count_params():,} parameters for filters=(8, 16), dense_units=32, "
                    "4 classes", actual=f"{small.count_params():,}",
           hint="build one block per entry of `filters` and use `dense_units` and `n_classes`.")
    rates = [layer.rate for layer in small.layers if isinstance(layer, keras.layers.Dropout)]
    expect(close(rates, [0.5, 0.5], atol=1e-9), expected="two Dropout layers at rate 0.5",
           actual=rates, hint="use the `dropout` argument for both Dropout layers.")
    kernels = [_l2_of(layer) for layer in small.layers
               if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))]
    expect(close(kernels, [1e-3, 1e-3, 1e-3, 0.0], rtol=1e-6, atol=0),
           expected="L2 1e-3 on both conv kernels and the hidden Dense, none on the output",
           actual=kernels, hint="pass l2 to conv_block and to the hidden Dense layer.")
    _expect_probabilities(model, (128, 130, 1))
    expect(_model_learns(build_my_cnn), expected="a loss that falls over 40 training steps",
           actual="a loss that did not fall", hint="no frozen layers and no constant output.")


def _model_learns(build: Callable, steps: int = 40) -> bool:
    """Train a small version of an image builder's model on the toy images and say whether
    the loss fell."""
    import keras
    keras.utils.set_random_seed(0)
    model = build((32, 32, 1), 2, filters=(8, 8), dropout=0.0, l2=0.0, dense_units=8)
    return _loss_falls_on(model, *_toy_images(), steps=steps)


@exercise("3.4")
def check_exercise_3_4(track_probabilities: Callable) -> None:
    """Verifies ``track_probabilities(seg_probs, track_ids)`` on 11 segments of 4 tracks in
    mixed order (one track with a single segment): one row per track, each the mean of that
    track's segment probabilities (so the rows still sum to 1), matched to the right id;
    without calling ``evaluate.aggregate_tracks`` or ``segments.mean_per_track``."""
    write_it_yourself(track_probabilities, {"aggregate_tracks", "mean_per_track"},
                      "the aggregation")
    rng = np.random.default_rng(4)
    ids = np.array(["b", "a", "b", "c", "a", "b", "d", "c", "a", "b", "c"])
    probs = rng.dirichlet(np.ones(5), size=len(ids))
    got_ids, got = track_probabilities(probs, ids)
    got_ids, got = [str(t) for t in got_ids], np.asarray(got, dtype=float)
    expect(sorted(got_ids) == ["a", "b", "c", "d"] and got.shape == (4, 5),
           expected="4 track ids and a (4, 5) array", actual=f"{got_ids} and {got.shape}",
           hint="one row per distinct track id.")
    for t, row in zip(got_ids, got):
        want = probs[ids == t].mean(axis=0)
        expect(close(row, want), expected=f"track {t!r}: the mean of its "
                                          f"{int((ids == t).sum())} segments' probabilities",
               actual=np.round(row, 3).tolist(),
               hint="average the rows of seg_probs whose track id is t (probabilities, not "
                    "votes).")


@exercise("3.5")
def check_exercise_3_5(time_mask: Callable) -> None:
    """Verifies ``time_mask(S, t0=..., width=...)`` on a random ``(128, 130)`` array: the
    columns ``t0:t0 + width`` become 0, every other value is unchanged, the input is not
    modified, and a mask that runs past the end stops at the last frame."""
    rng = np.random.default_rng(0)
    S = rng.normal(size=(128, 130)).astype(np.float32)
    original = S.copy()
    for t0, width in ((10, 16), (0, 1), (120, 30)):
        got = np.asarray(time_mask(S, t0=t0, width=width))
        want = original.copy()
        want[:, t0:t0 + width] = 0
        expect(np.array_equal(S, original), expected="the input left unchanged",
               actual="the input was modified", hint="work on S.copy().")
        expect(got.shape == want.shape, expected=f"shape {want.shape}", actual=got.shape,
               hint="return the whole (masked) spectrogram.")
        expect(close(got, want, atol=0), expected=f"frames {t0}..{min(t0 + width, 130) - 1} set "
                                                  "to 0 and nothing else changed",
               actual=f"{int((got != original).any(axis=0).sum())} frames changed",
               hint="time is the second axis: S[:, t0:t0 + width] = 0.")


@exercise("3.6")
def check_exercise_3_6(copy_segments: Callable) -> None:
    """Verifies ``copy_segments(y, sr, semitones=..., rates=...)`` on 6.5 seconds of a
    harmonic tone: the log-mel segments of each pitch-shifted copy (``librosa.effects.
    pitch_shift``), then of each time-stretched one (``librosa.effects.time_stretch``), in that
    order, as the library makes them (``features.augment_waveform``, ``features.log_mel``,
    ``features.segment_features``); shifting by resampling (which changes pitch and speed
    together), a wrong direction or another order fails."""
    from . import config, features
    sr = config.SR
    t = np.arange(int(6.5 * sr)) / sr
    y = (0.3 * np.sin(2 * np.pi * 220 * t) + 0.1 * np.sin(2 * np.pi * 660 * t)
         ) * (1 + 0.5 * np.sin(2 * np.pi * 1.5 * t))
    y = y.astype(np.float32)
    semitones, rates = (-2.0, 3.0), (0.8, 1.25)

    copies = [("pitch", n) for n in semitones] + [("stretch", r) for r in rates]
    want = [features.segment_features(features.log_mel(
                features.augment_waveform(y, sr=sr, kind=kind, amount=amount), sr=sr))
            for kind, amount in copies]
    got = np.asarray(copy_segments(y, sr, semitones=semitones, rates=rates))
    n_want = sum(len(w) for w in want)
    expect(got.ndim == 3 and got.shape[1:] == want[0].shape[1:] and len(got) == n_want,
           expected=f"shape ({n_want}, 128, 130): "
                    + " + ".join(str(len(w)) for w in want) + " segments",
           actual=got.shape, hint="a 6.5 s clip gives 2 segments; stretched by 0.8 (slower) "
                                  "it lasts 8.1 s and gives 2, by 1.25 (faster) 5.2 s and 1.")
    start = 0
    for (kind, amount), w in zip(copies, want):
        part = got[start:start + len(w)]
        expect(close(part, w, atol=1e-2), expected=f"the segments of the {kind} copy "
                                                   f"({amount:+g}) in position",
               actual="other values", hint="pitch_shift(y, sr=sr, n_steps=n) for each n, then "
                                           "time_stretch(y, rate=r) for each r; then log-mel "
                                           "and cut each copy.")
        start += len(w)


# --- 04_lstm -------------------------------------------------------------------
@exercise("4.1")
def check_exercise_4_1(to_time_first: Callable) -> None:
    """Verifies ``to_time_first(M)`` on one ``(60, 130)`` MFCC matrix and on a stack of
    ``(3, 60, 130)``: shapes ``(130, 60)`` and ``(3, 130, 60)`` **and** values, so that
    a ``reshape`` (right shape, scrambled frames) is rejected."""
    rng = np.random.default_rng(1)
    for M in (rng.normal(size=(60, 130)), rng.normal(size=(3, 60, 130))):
        want = np.swapaxes(M, -1, -2)
        got = np.asarray(to_time_first(M))
        expect(got.shape == want.shape, expected=f"shape {want.shape}", actual=got.shape,
               hint="swap the last two axes: time first, features last.")
        expect(close(got, want, atol=0), expected="row t = frame t (all 60 features of it)",
               actual="the right shape with the values in the wrong places",
               hint="reshape keeps the memory order and scrambles frames; transpose "
                    "(np.swapaxes(M, -1, -2)) moves them.")


@exercise("4.2")
def check_exercise_4_2(build_my_lstm: Callable) -> None:
    """Verifies ``build_my_lstm(input_shape, n_classes, units=..., dropout=..., l2=...,
    time_pool=...)`` without calling the library's builder: on ``(130, 60)`` and 10 classes,
    32,650 parameters and the layer order average-pool over time, LSTM, dropout, softmax
    Dense; with ``units=(32, 16)``, ``time_pool=1`` and 4 classes, two LSTMs (the first
    returning its whole sequence), no pooling and the parameter count of
    ``models.build_lstm`` for the same settings; dropout rates and L2 factors as asked;
    probabilities that sum to 1; and that 40 training steps lower the loss on sequences
    that only their order tells apart."""
    import keras
    write_it_yourself(build_my_lstm, {"build_lstm", "lstm_features", "classifier", "models"},
                      "the LSTM")
    model = build_my_lstm((130, 60), 10)
    _expect_outputs(model, 10)
    want = ["average-pool", "lstm", "dropout", "dense+softmax"]
    order = [role for role in map(_role, model.layers) if role]
    expect(order == want, expected=" -> ".join(want), actual=" -> ".join(order),
           hint="AveragePooling1D(time_pool), then an LSTM and a Dropout per entry of units, "
                "then Dense(n_classes, softmax).")
    n = model.count_params()
    expect(n == 32650, expected="32,650 parameters with the defaults", actual=f"{n:,}",
           hint="one LSTM of 64 units on 60 features (32,000) and the output layer (650).")
    from .models import build_lstm
    small = build_my_lstm((40, 12), 4, units=(32, 16), dropout=0.5, l2=1e-3, time_pool=1)
    twin = build_lstm((40, 12), 4, units=(32, 16), dropout=0.5, l2=1e-3, time_pool=1)
    order = [role for role in map(_role, small.layers) if role]
    want = ["lstm", "dropout", "lstm", "dropout", "dense+softmax"]
    expect(order == want, expected=f"{' -> '.join(want)} for units=(32, 16), time_pool=1",
           actual=" -> ".join(order), hint="no pooling when time_pool is 1; one LSTM per "
                                           "entry of units.")
    sequences = [layer.return_sequences for layer in small.layers
                 if isinstance(layer, keras.layers.LSTM)]
    expect(sequences == [True, False], expected="return_sequences True, then False",
           actual=sequences, hint="a stacked LSTM passes its whole sequence to the next one; "
                                  "the last returns only its final state.")
    expect(small.count_params() == twin.count_params(),
           expected=f"{twin.count_params():,} parameters for units=(32, 16), 4 classes",
           actual=f"{small.count_params():,}", hint="use `units` and `n_classes`.")
    rates = [layer.rate for layer in small.layers if isinstance(layer, keras.layers.Dropout)]
    expect(close(rates, [0.5, 0.5], atol=1e-9), expected="a Dropout at rate 0.5 after each "
           "LSTM", actual=rates, hint="use the `dropout` argument.")
    l2s = [_l2_of(layer) for layer in small.layers
           if isinstance(layer, (keras.layers.LSTM, keras.layers.Dense))]
    expect(close(l2s, [1e-3, 1e-3, 0.0], rtol=1e-6, atol=0),
           expected="L2 1e-3 on each LSTM's input kernel, none on the output layer",
           actual=l2s, hint="kernel_regularizer=keras.regularizers.L2(l2) on each LSTM.")
    _expect_probabilities(model, (130, 60))
    expect(_sequence_model_learns(build_my_lstm), expected="a loss that falls over 40 "
           "training steps on rising against falling sequences", actual="a loss that did not "
           "fall", hint="no frozen layers; the LSTM must see the frames in order.")


def _sequence_model_learns(build: Callable, steps: int = 40) -> bool:
    """Train a small version of a sequence builder on a task that only the frame order
    solves (a bump rising or falling through 8 bands) and say whether the loss fell."""
    import keras
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 64)
    X = rng.normal(scale=0.3, size=(64, 16, 8)).astype("float32")
    path = np.linspace(0, 7, 16).round().astype(int)
    for i, label in enumerate(y):
        X[i, np.arange(16), path[::-1] if label else path] += 1.0
    model = build((16, 8), 2, units=(16,), dropout=0.0, l2=0.0, time_pool=1)
    return _loss_falls_on(model, X, y, steps=steps, factor=0.8)


@exercise("4.3")
def check_exercise_4_3(lstm_params: Callable) -> None:
    """Verifies ``lstm_params(units, n_inputs)`` against the parameter count of a
    ``keras.layers.LSTM`` built on four (units, inputs) pairs, including the course's
    LSTM (64 units on 60 features: 32,000)."""
    import keras
    for units, n_inputs in ((64, 60), (1, 1), (32, 20), (128, 64)):
        layer = keras.layers.LSTM(units)
        layer.build((None, 10, n_inputs))
        want = layer.count_params()
        got = lstm_params(units, n_inputs)
        expect(got == want, expected=f"{want} parameters for LSTM({units}) on {n_inputs} "
                                     "features", actual=got,
               hint="4 gates, each with an input kernel (n_inputs x units), a recurrent "
                    "kernel (units x units) and a bias (units).")


@exercise("4.4")
def check_exercise_4_4(bidirectional_params: Callable) -> None:
    """Verifies ``bidirectional_params(units, n_inputs)``, the parameters of
    ``Bidirectional(LSTM(units))`` on ``n_inputs`` features (no Dense layer), against Keras
    for the lesson's (64, 60) and three sizes drawn afresh at every run."""
    import keras
    rng = np.random.default_rng()          # not seeded: a typed-in number cannot pass
    sizes = [(64, 60), *zip(rng.integers(4, 129, 3).tolist(), rng.integers(3, 101, 3).tolist())]
    for units, n_inputs in sizes:
        layer = keras.layers.Bidirectional(keras.layers.LSTM(units))
        layer.build((None, 65, n_inputs))
        want = layer.count_params()
        got = bidirectional_params(units, n_inputs)
        expect(got == want, expected=f"{want} for Bidirectional(LSTM({units})) on {n_inputs} "
                                     "features", actual=got,
               hint="a bidirectional layer holds two independent LSTMs, one per direction.")


@exercise("4.5")
def check_exercise_4_5(agreement: Callable) -> None:
    """Verifies ``agreement(pred_a, pred_b, truth)`` on made-up predictions of 10 tracks whose
    dicts list the tracks in different orders: the 2x2 table of counts (rows ``A right``,
    ``A wrong``; columns ``B right``, ``B wrong``); pairing tracks by position instead of by
    id, or swapping the two models, fails."""
    ids = [f"t{i}" for i in range(10)]
    truth = dict(zip(ids, "aabbccddee"))
    right_a, right_b = "1111111100", "1010110110"        # which tracks each model gets right
    pred_a = {t: g if r == "1" else "x" for (t, g), r in zip(truth.items(), right_a)}
    pred_b = {t: g if r == "1" else "y" for (t, g), r in zip(truth.items(), right_b)}
    pred_a = dict(reversed(list(pred_a.items())))         # other orders than truth's
    pred_b = {t: pred_b[t] for t in ("t3", "t7", "t0", "t9", "t1", "t5", "t8", "t2", "t6", "t4")}
    a, b = (np.array([r == "1" for r in right]) for right in (right_a, right_b))
    want = [[int((a & b).sum()), int((a & ~b).sum())], [int((~a & b).sum()), int((~a & ~b).sum())]]
    got = agreement(pred_a, pred_b, truth)
    expect(list(getattr(got, "index", [])) == ["A right", "A wrong"] and
           list(getattr(got, "columns", [])) == ["B right", "B wrong"],
           expected="a DataFrame with rows 'A right', 'A wrong' and columns 'B right', 'B wrong'",
           actual=type(got).__name__, hint="pd.DataFrame(counts, index=[...], columns=[...]).")
    expect(got.to_numpy().tolist() == want, expected=want, actual=got.to_numpy().tolist(),
           hint="pair the two predictions by track id (pred_a[t], pred_b[t], truth[t]), "
                "not by position: the dicts list the tracks in different orders.")


# --- 05_hybrid -----------------------------------------------------------------
@exercise("5.1")
def check_exercise_5_1(pooled_length: Callable) -> None:
    """Verifies ``pooled_length(n_frames, pools)`` on five cases, including the course's CRNN
    (130 frames, time pools (2, 2, 1, 1) -> 32) and odd lengths, where rounding up is wrong."""
    for n_frames, pools, want in ((130, (2, 2, 1, 1), 32), (130, (2, 2, 2), 16),
                                  (1293, (2, 2, 1, 1), 323), (7, (2,), 3), (65, (), 65)):
        got = pooled_length(n_frames, pools)
        expect(got == want, expected=f"{want} frames for {n_frames} frames and pools {pools}",
               actual=got, hint="each pooling layer keeps n // pool frames (it drops a "
                                "remainder); apply them one after another.")


@exercise("5.2")
def check_exercise_5_2(build_my_crnn: Callable) -> None:
    """Verifies ``build_my_crnn(input_shape, n_classes, filters=..., units=..., dropout=...,
    l2=...)`` without calling the library's builder: on ``(128, 130, 1)`` and 10 classes,
    61,530 parameters, three conv blocks pooling 2x2 then 4x1 (frequency only), a sequence
    of 32 steps of 128 numbers with time first (checked by value: each step must be one
    moment of every band and map), a GRU, dropout and a softmax Dense; with
    ``filters=(8, 16)``, ``units=16`` and 4 classes, the parameter count of
    ``models.build_hybrid(kind="crnn")``; dropout and L2 as asked; and that 40 training
    steps lower the loss on a toy task."""
    import keras
    write_it_yourself(build_my_crnn, {"build_hybrid", "_build_crnn", "build_model", "models"},
                      "the CRNN")
    model = build_my_crnn((128, 130, 1), 10)
    _expect_outputs(model, 10)
    pools = [tuple(layer.pool_size) for layer in model.layers
             if isinstance(layer, keras.layers.MaxPooling2D)]
    expect(pools == [(2, 2), (4, 1), (4, 1)], expected="max-pools (2, 2), (4, 1), (4, 1)",
           actual=pools, hint="pool time only in the first block, so that 32 frames remain.")
    rnn = [layer for layer in model.layers if isinstance(layer, keras.layers.GRU)]
    expect(len(rnn) == 1 and tuple(rnn[0].input.shape) == (None, 32, 128),
           expected="one GRU reading (None, 32, 128)",
           actual=[tuple(layer.input.shape) for layer in rnn] or "no GRU",
           hint="after the blocks (2 bands x 32 frames x 64 maps), put time first with "
                "Permute((2, 1, 3)) and Reshape to (32, 2 * 64).")
    n = model.count_params()
    expect(n == 61530, expected="61,530 parameters with the defaults", actual=f"{n:,}",
           hint="3x3 kernels without bias, a GRU of 64 units, no hidden Dense layer.")
    _expect_time_first(model, rnn[0])
    from .models import build_hybrid
    small = build_my_crnn((64, 64, 1), 4, filters=(8, 16), units=16, dropout=0.5, l2=1e-3)
    twin = build_hybrid((64, 64, 1), 4, kind="crnn", filters=(8, 16), units=16, dropout=0.5,
                        l2=1e-3)
    expect(small.count_params() == twin.count_params(),
           expected=f"{twin.count_params():,} parameters for filters=(8, 16), units=16, 4 "
                    "classes", actual=f"{small.count_params():,}",
           hint="one block per entry of `filters`; `units` for the GRU; `n_classes` outputs.")
    rates = [layer.rate for layer in small.layers if isinstance(layer, keras.layers.Dropout)]
    expect(close(rates, [0.5], atol=1e-9), expected="one Dropout at rate 0.5 after the GRU",
           actual=rates, hint="use the `dropout` argument.")
    l2s = [_l2_of(layer) for layer in small.layers
           if isinstance(layer, (keras.layers.Conv2D, keras.layers.GRU, keras.layers.Dense))]
    expect(close(l2s, [1e-3, 1e-3, 1e-3, 0.0], rtol=1e-6, atol=0),
           expected="L2 1e-3 on the conv and GRU kernels, none on the output layer",
           actual=l2s, hint="pass kernel_regularizer to every Conv2D and to the GRU.")
    expect(_model_learns(lambda shape, k, **kw: build_my_crnn(
               shape, k, filters=(8, 8), units=8, dropout=0.0, l2=0.0), steps=40),
           expected="a loss that falls over 40 training steps", actual="a loss that did not "
           "fall", hint="no frozen layers and no constant output.")


def _expect_time_first(model, rnn) -> None:
    """The sequence the RNN reads must have time first: feeding an input whose energy sits in
    one time span must light up the matching steps, whatever the bands do."""
    import keras
    probe = keras.Model(model.input, rnn.input)
    x = np.zeros((2, *model.input.shape[1:]), "float32")
    x[0, :, :16] = 3.0              # energy in the first 16 frames only
    x[1, :, -16:] = 3.0             # ... in the last 16 frames only
    seq = keras.ops.convert_to_numpy(probe(x, training=False))
    change = np.abs(seq[0] - seq[1]).mean(axis=1)         # per step
    first, last = change[:len(change) // 4].mean(), change[-len(change) // 4:].mean()
    middle = change[len(change) // 3: 2 * len(change) // 3].mean()
    expect(min(first, last) > 2 * middle + 1e-6,
           expected="the GRU's steps follow time (the first and last steps change most when "
                    "the sound moves from the start to the end)",
           actual="steps that do not follow time",
           hint="a plain Reshape of (bands, frames, maps) mixes bands into steps: "
                "Permute((2, 1, 3)) first.")


def _two_input_task(n: int = 64):
    """A toy task for a two-input model: the class sits in the log-mel *and* the MFCC input."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    logmel = rng.normal(size=(n, 16, 16, 1)).astype("float32")
    mfcc = rng.normal(size=(n, 16, 6)).astype("float32")
    logmel[y == 1, :8] += 2.0
    mfcc[y == 1, :, :3] += 2.0
    return {"logmel": logmel, "mfcc": mfcc}, y


@exercise("5.3")
def check_exercise_5_3(build_my_parallel: Callable) -> None:
    """Verifies ``build_my_parallel(logmel_shape, mfcc_shape, n_classes, ...)`` without calling
    the library's builder: on ``(128, 130, 1)``, ``(130, 60)`` and 10 classes, two inputs named
    ``logmel`` and ``mfcc``, 64,538 parameters, an LSTM reading 65 steps (the MFCCs pooled 2x
    over time), a ``fusion`` layer of 128 whose first 64 values come from the log-mel branch
    and the last 64 from the MFCC branch (checked by value), three Dropouts at ``dropout``, L2
    on every kernel but the output's; with smaller settings, the parameter count of
    ``models.build_hybrid(kind="parallel")``; and that 40 training steps lower the loss on a
    toy task."""
    import keras
    write_it_yourself(build_my_parallel, {"build_hybrid", "_build_parallel", "build_model",
                                          "models"}, "the parallel model")
    model = build_my_parallel((128, 130, 1), (130, 60), 10)
    names = sorted(t.name.split(":")[0] for t in model.inputs)
    expect(names == ["logmel", "mfcc"], expected="inputs named 'logmel' and 'mfcc'",
           actual=names, hint="keras.Input(shape, name='logmel'), and the model takes a dict.")
    _expect_outputs(model, 10)
    n = model.count_params()
    expect(n == 64538, expected="64,538 parameters with the defaults", actual=f"{n:,}",
           hint="the CNN branch of lesson 03 (2x2 input pool, 3 blocks, global pooling), one "
                "LSTM of 64 on the time-pooled MFCCs, then Dense(64, relu) before the output.")
    lstm = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    expect(len(lstm) == 1 and tuple(lstm[0].input.shape) == (None, 65, 60),
           expected="one LSTM reading (None, 65, 60)",
           actual=[tuple(layer.input.shape) for layer in lstm] or "no LSTM",
           hint="AveragePooling1D(2) over time before the LSTM: 130 steps become 65.")
    try:
        fusion = model.get_layer("fusion")
    except ValueError:
        raise CheckFailed("expected a layer named 'fusion', got none. Hint: "
                          "layers.Concatenate(name='fusion')([cnn_branch, lstm_branch]).")
    probe = keras.Model(model.inputs, fusion.output)
    rng = np.random.default_rng(1)
    base = {"logmel": rng.normal(size=(1, 128, 130, 1)).astype("float32"),
            "mfcc": rng.normal(size=(1, 130, 60)).astype("float32")}
    moved = {**base, "logmel": base["logmel"] + 3.0}
    change = np.abs(keras.ops.convert_to_numpy(probe(moved, training=False)) -
                    keras.ops.convert_to_numpy(probe(base, training=False)))[0]
    expect(change.shape == (128,) and change[:64].max() > 1e-4 and change[64:].max() < 1e-6,
           expected="fusion (128 values): the log-mel branch's 64 first, then the MFCC branch's",
           actual=f"shape {change.shape}; changing the log-mel moved "
                  f"{int((change > 1e-6).sum())} values", hint="Concatenate()([cnn, lstm]).")
    from .models import build_hybrid
    small = build_my_parallel((32, 32, 1), (32, 12), 4, filters=(8, 16), units=16,
                              dense_units=8, dropout=0.5, l2=1e-3)
    twin = build_hybrid(((32, 32, 1), (32, 12)), 4, kind="parallel", filters=(8, 16), units=16,
                        dense_units=8, dropout=0.5, l2=1e-3)
    expect(small.count_params() == twin.count_params(),
           expected=f"{twin.count_params():,} parameters for filters=(8, 16), units=16, "
                    "dense_units=8, 4 classes", actual=f"{small.count_params():,}",
           hint="use every argument: one block per filter, `units`, `dense_units`, `n_classes`.")
    rates = [layer.rate for layer in small.layers if isinstance(layer, keras.layers.Dropout)]
    expect(close(sorted(rates), [0.5, 0.5, 0.5], atol=1e-9),
           expected="three Dropouts at 0.5 (after the LSTM, after fusion, after the hidden "
                    "Dense)", actual=rates, hint="use the `dropout` argument each time.")
    l2s = sorted(_l2_of(layer) for layer in small.layers
                 if isinstance(layer, (keras.layers.Conv2D, keras.layers.LSTM,
                                       keras.layers.Dense)))
    expect(close(l2s, [0.0] + [1e-3] * (len(l2s) - 1), rtol=1e-6, atol=0),
           expected="L2 1e-3 on the conv, LSTM and hidden Dense kernels, none on the output",
           actual=l2s, hint="kernel_regularizer=keras.regularizers.L2(l2) on each of them.")
    X, y = _two_input_task()
    keras.utils.set_random_seed(0)                 # the same start for every answer
    tiny = build_my_parallel((16, 16, 1), (16, 6), 2, filters=(8,), units=8, dense_units=8,
                             dropout=0.0, l2=0.0)
    expect(_loss_falls_on(tiny, X, y, steps=40),
           expected="a loss that falls over 40 training steps", actual="a loss that did not "
           "fall", hint="no frozen layers and no constant output.")


@exercise("5.4")
def check_exercise_5_4(best_per_param: str, table) -> None:
    """Verifies the model with the highest mean track accuracy per 1,000 parameters in the
    comparison ``table`` (from ``evaluate.compare``); the answer depends on your runs."""
    per_k = table["track_acc_mean"] / (table["params"] / 1000)
    want = str(table.loc[per_k.idxmax(), "model"])
    expect(best_per_param == want, expected=repr(want), actual=repr(best_per_param),
           hint="divide track_acc_mean by params / 1000 and take the model of the largest value.")


# --- 06_evaluation -------------------------------------------------------------
@exercise("6.1")
def check_exercise_6_1(vote_accuracy: Callable) -> None:
    """Verifies ``vote_accuracy(seg_pred, seg_true, track_ids)`` on three hand-made cases:
    a vote that differs from segment accuracy, a tie (goes to the smallest label) and
    tracks whose segments are not contiguous."""
    ids = np.array(["a", "a", "a", "b", "b", "b", "c", "c", "c"])
    truth = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    pred = np.array([0, 1, 0, 2, 2, 1, 2, 2, 2])      # a right, b wrong, c right
    cases = [(pred, truth, ids, 2 / 3, "segment accuracy would be 6/9; vote per track"),
             (np.array([1, 0, 3, 3]), np.array([0, 0, 3, 3]), np.array(["x", "x", "y", "y"]),
              1.0, "x ties 1-1 between labels 0 and 1: the tie goes to 0, its true label"),
             (np.array([4, 5, 4, 5, 4]), np.array([4, 5, 4, 5, 4]),
              np.array(["p", "q", "p", "q", "p"]), 1.0,
              "a track's segments need not be next to each other: select them by id")]
    for seg_pred, seg_true, track_ids, want, hint in cases:
        got = vote_accuracy(seg_pred, seg_true, track_ids)
        expect(close(float(got), want), expected=f"{want:.3f}", actual=got, hint=hint)


@exercise("6.2")
def check_exercise_6_2(per_genre_scores: Callable) -> None:
    """Verifies ``per_genre_scores(cm)`` (precision, recall and F1 of every class, true
    classes on the rows) against scikit-learn on two non-symmetric confusion matrices, one
    with a class that is never predicted and one with a class that has no tracks (scores
    0, not NaN), without calling scikit-learn's or the course's scoring functions."""
    from sklearn.metrics import precision_recall_fscore_support
    write_it_yourself(per_genre_scores, {"precision_recall_fscore_support", "f1_score",
                                         "precision_score", "recall_score", "scores",
                                         "classification_report"}, "the scores")
    for cm in (np.array([[5, 2, 0, 1], [1, 3, 0, 0], [0, 4, 0, 2], [0, 0, 0, 6]]),
               np.array([[7, 1, 2], [0, 0, 0], [3, 1, 4]])):
        n = len(cm)
        y_true = np.repeat(np.repeat(np.arange(n), n), cm.ravel())
        y_pred = np.repeat(np.tile(np.arange(n), n), cm.ravel())
        want = precision_recall_fscore_support(y_true, y_pred, labels=range(n),
                                               zero_division=0)[:3]
        got = per_genre_scores(cm)
        expect(len(got) == 3, expected="three arrays: precision, recall, F1", actual=len(got),
               hint="return precision, recall, f1.")
        for name, g, w in zip(("precision", "recall", "F1"), got, want):
            g = np.asarray(g, dtype=float)
            expect(not np.isnan(g).any(), expected=f"no NaN in {name}", actual=g.round(3),
                   hint="a class never predicted (or never true) scores 0, not 0/0.")
            expect(close(g, w), expected=f"{name} {np.round(w, 3).tolist()}",
                   actual=np.round(g, 3).tolist(),
                   hint={"precision": "precision divides the diagonal by the column sums "
                                      "(what was predicted).",
                         "recall": "recall divides the diagonal by the row sums (what was "
                                   "true).",
                         "F1": "F1 is the harmonic mean 2PR / (P + R), not (P + R) / 2."}[name])


@exercise("6.3")
def check_exercise_6_3(bootstrap_interval: Callable) -> None:
    """Verifies ``bootstrap_interval(correct, level=..., seed=...)`` against
    ``evaluate.bootstrap_ci`` on 45 and 300 per-track results at levels 0.95 and 0.5, within
    0.02 or one and a half tracks (random draws differ); that the same seed gives the same
    interval and other seeds other ones (a bootstrap resamples: a formula does not); and
    that it does not call ``evaluate.bootstrap_ci``."""
    from . import evaluate
    write_it_yourself(bootstrap_interval, {"bootstrap_ci", "bootstrap", "evaluate"},
                      "a bootstrap")
    for n_right, n in ((30, 45), (210, 300)):
        correct = np.arange(n) < n_right
        for level in (0.95, 0.5):
            want = evaluate.bootstrap_ci(correct, level=level)
            got = bootstrap_interval(correct, level=level)
            tolerance = max(0.02, 1.5 / n)     # resamples differ by a track or so
            expect(close(np.asarray(got, float), want, rtol=0, atol=tolerance),
                   expected=f"about ({want[0]:.3f}, {want[1]:.3f}) for {n_right}/{n} correct "
                            f"at level {level}", actual=got,
                   hint="resample indices with replacement (n_boot x n), average each row, "
                        "take the (1-level)/2 and 1-(1-level)/2 quantiles.")
    correct = np.arange(300) < 211
    draws = [tuple(np.round(bootstrap_interval(correct, level=0.9, seed=seed, n_boot=100), 9))
             for seed in (1, 1, 2, 3, 4)]      # few resamples: every seed gives its own ends
    expect(draws[0] == draws[1], expected="the same interval for the same seed",
           actual=f"{draws[0]} and {draws[1]}", hint="draw every random number from "
                                                    "np.random.default_rng(seed).")
    expect(len(set(draws)) > 1, expected="intervals that move a little with the seed",
           actual=f"{draws[0]} for seeds 1 to 4",
           hint="resample with rng.integers: a formula (e.g. p ± 1.96·√(p(1-p)/n)) is not "
                "a bootstrap.")


@exercise("6.4")
def check_exercise_6_4(n_needed: Callable) -> None:
    """Verifies ``n_needed(p, half_width, z=1.96)``, the test tracks for a ±``half_width``
    interval at accuracy ``p`` (rounded up), on the lesson's case (0.7, 0.05: 323), one
    where rounding to the nearest track is wrong (0.6, 0.04: 577, not 576) and three cases
    drawn afresh at every run."""
    rng = np.random.default_rng()          # not seeded: a typed-in number cannot pass
    cases = [(0.7, 0.05), (0.6, 0.04), *zip(rng.uniform(0.3, 0.95, 3).round(3).tolist(),
                                            rng.uniform(0.02, 0.1, 3).round(3).tolist())]
    for p, half_width in cases:
        want = int(np.ceil(1.96 ** 2 * p * (1 - p) / half_width ** 2))
        got = n_needed(p, half_width)
        expect(isinstance(got, (int, np.integer)) and got == want,
               expected=f"{want} tracks for accuracy {p} and ±{half_width}", actual=got,
               hint="solve z * sqrt(p * (1 - p) / n) = half_width for n, then round up "
                    "(math.ceil) to a whole track.")


@exercise("6.5")
def check_exercise_6_5(shared_values: Callable) -> None:
    """Verifies ``shared_values(train, test, column)`` returns exactly the shared values as
    a set, for track ids and for artists (with a missing artist), and an empty set when
    nothing is shared."""
    import pandas as pd
    train = pd.DataFrame({"track_id": ["a.1", "a.2", "b.1"], "artist": ["x", "y", None]})
    test = pd.DataFrame({"track_id": ["a.2", "c.1", "b.1"], "artist": ["y", "z", None]})
    clean = pd.DataFrame({"track_id": ["d.1"], "artist": ["w"]})
    for tr, te, column, want in ((train, test, "track_id", {"a.2", "b.1"}),
                                 (train, test, "artist", {"y"}),
                                 (train, clean, "track_id", set())):
        got = shared_values(tr, te, column)
        expect(isinstance(got, set) and got == want, expected=f"{want} for column {column!r}",
               actual=got, hint="the intersection of two sets; drop missing values (dropna) "
                                "first.")


@exercise("6.6")
def check_exercise_6_6(artist_folds: Callable) -> None:
    """Verifies ``artist_folds(tracks, n_folds=..., seed=...)`` on a made-up table of 10
    genres with artists of 2 to 6 tracks (and a track without an artist): every track in
    exactly one test fold, no artist in two folds, each genre spread over the folds, and
    the folds of ``data.split_tracks(method="kfold")`` for the same seed, which the
    lesson's runs use."""
    import pandas as pd
    from .data import split_tracks
    rng = np.random.default_rng(5)
    rows = []
    for g in range(10):
        for a in range(6):
            rows += [(f"genre{g}", f"genre{g}-a{a}")] * int(rng.integers(2, 7))
    tracks = pd.DataFrame(rows, columns=["genre", "artist"])
    tracks["track_id"] = [f"{g}.{i:05d}" for i, g in enumerate(tracks["genre"])]
    tracks.loc[0, "artist"] = None                       # an unknown artist: its own group
    for n_folds, seed in ((5, 42), (3, 0)):
        folds = [list(f) for f in artist_folds(tracks, n_folds=n_folds, seed=seed)]
        expect(len(folds) == n_folds, expected=f"{n_folds} folds", actual=len(folds),
               hint="one list of test track ids per fold.")
        flat = [t for f in folds for t in f]
        expect(sorted(flat) == sorted(tracks["track_id"]),
               expected="every track in exactly one test fold",
               actual=f"{len(flat)} ids, {len(set(flat))} distinct",
               hint="StratifiedGroupKFold's test indices cover every row once.")
        artist_of = dict(zip(tracks["track_id"], tracks["artist"].fillna(tracks["track_id"])))
        owners = {}
        for k, f in enumerate(folds):
            for t in f:
                owners.setdefault(artist_of[t], set()).add(k)
        split_artists = sorted(a for a, ks in owners.items() if len(ks) > 1)
        expect(not split_artists, expected="each artist's tracks in one fold",
               actual=f"{len(split_artists)} artists in two folds, e.g. {split_artists[:2]}",
               hint="groups=tracks['artist'] (a track without an artist is its own group).")
        want = [sorted(split_tracks(tracks, method="kfold", folds=n_folds, fold=k,
                                    seed=seed).test["track_id"]) for k in range(n_folds)]
        expect([sorted(f) for f in folds] == want,
               expected="the folds of data.split_tracks(method='kfold') for the same seed",
               actual="other (perhaps valid) folds",
               hint="StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)"
                    ".split(tracks, tracks['genre'], groups).")



def _fake_folds(root, tests: list[list[str]], *, leak: int | None = None) -> list:
    """Run folders of a made-up 3-fold CV of 9 tracks: ``split.json`` and ``metrics.json``;
    ``leak`` puts fold ``leak``'s first test track into its own training tracks too."""
    import json
    from pathlib import Path
    everyone = sorted(t for fold in tests for t in fold)
    dirs = []
    for k, test in enumerate(tests):
        d = Path(root) / f"fold{k}"
        d.mkdir()
        rest = [t for t in everyone if t not in test]
        split = {"train": rest[1:] + ([test[0]] if k == leak else []), "val": rest[:1],
                 "test": test}
        metrics = {"n_test_tracks": len(test), "segment_accuracy": 0.5 + 0.1 * k,
                   "track_accuracy": 0.6 + 0.1 * k, "val_track_accuracy": 0.1}
        (d / "split.json").write_text(json.dumps(split))
        (d / "metrics.json").write_text(json.dumps(metrics))
        dirs.append(d)
    return dirs


@exercise("6.7")
def check_exercise_6_7(cross_validate: Callable) -> None:
    """Verifies ``cross_validate(n_folds, train_fold)`` on made-up run folders of a 3-fold
    cross-validation: ``train_fold`` called once per fold, in order 0, 1, 2; one row per fold
    with the test tracks and the segment and track accuracies of each run's ``metrics.json``;
    and an error that names the track when a fold's test track is also among its own training
    tracks, or in an earlier fold's test set (both read from ``split.json``)."""
    import tempfile
    tests = [["t0", "t1", "t2"], ["t3", "t4", "t5"], ["t6", "t7", "t8"]]
    with tempfile.TemporaryDirectory() as root:
        dirs = _fake_folds(root, tests)
        calls = []
        table = cross_validate(3, lambda k: calls.append(k) or dirs[k])
        expect(calls == [0, 1, 2], expected="train_fold called with 0, 1, 2", actual=calls,
               hint="for k in range(n_folds): run_dir = train_fold(k).")
        columns = ["test tracks", "segment accuracy", "track accuracy"]
        missing = [c for c in columns if c not in getattr(table, "columns", [])]
        expect(not missing, expected=f"a DataFrame with the columns {columns}",
               actual=f"missing {missing}", hint="one dict per fold, then pd.DataFrame(rows).")
        got = table[columns].to_numpy(dtype=float).round(6).tolist()
        want = [[3, 0.5, 0.6], [3, 0.6, 0.7], [3, 0.7, 0.8]]
        expect(got == want, expected=want, actual=got,
               hint="read n_test_tracks, segment_accuracy and track_accuracy from each "
                    "run's metrics.json (the test scores, not validation).")
    for tests_, leak, track, where in (
            (tests, 1, "t3", "its own training tracks"),
            ([["t0", "t1", "t2"], ["t2", "t4", "t5"], ["t6", "t7", "t8"]], None, "t2",
             "the test set of fold 0")):
        with tempfile.TemporaryDirectory() as root:
            dirs = _fake_folds(root, tests_, leak=leak)
            try:
                cross_validate(3, lambda k: dirs[k])
            except NotImplementedError:
                raise
            except Exception as err:   # the learner may raise ValueError or CourseError
                expect(track in str(err), expected=f"an error that names track {track}",
                       actual=repr(err), hint="say which track and where else it is.")
            else:
                raise CheckFailed(f"expected an error: test track {track} is also in {where}, "
                                  "got none. Hint: compare each fold's split.json test ids with "
                                  "its train and val ids, and with the test ids of earlier folds.")


# --- 07_your_own_music ---------------------------------------------------------
_GENRES_07 = ["blues", "classical", "country", "disco", "hiphop"]


@exercise("7.1")
def check_exercise_7_1(top_k: Callable) -> None:
    """Verifies ``top_k(probs, genres, k=...)`` for k = 3 and k = 1 on a 5-genre vector:
    the right genres, most probable first, each with its probability."""
    probs = np.array([0.05, 0.5, 0.1, 0.3, 0.05])
    got = [(g, float(p)) for g, p in top_k(probs, _GENRES_07, k=3)]
    want = [("classical", 0.5), ("disco", 0.3), ("country", 0.1)]
    expect([g for g, _ in got] == [g for g, _ in want] and close([p for _, p in got], [0.5, 0.3, 0.1]),
           expected=want, actual=got,
           hint="np.argsort sorts ascending: reverse it ([::-1]) before taking the first k.")
    got1 = [(g, float(p)) for g, p in top_k(probs, _GENRES_07, k=1)]
    expect(got1 == [("classical", 0.5)], expected=[("classical", 0.5)], actual=got1,
           hint="return exactly k pairs.")


@exercise("7.2")
def check_exercise_7_2(majority_vote: Callable) -> None:
    """Verifies ``majority_vote`` on three cases: a clear majority that the mean probability
    disagrees with, a tie broken by the mean, and a single segment."""
    genres = _GENRES_07[:2]
    cases = [  # (segment probabilities, expected, what it tests)
        ([[0.9, 0.1], [0.4, 0.6], [0.45, 0.55]], "classical",
         "two of three segments vote classical (the mean would say blues)"),
        ([[0.6, 0.4], [0.1, 0.9]], "classical",
         "a 1-1 tie goes to the higher mean probability (classical, 0.65)"),
        ([[0.3, 0.7]], "classical", "one segment decides alone"),
    ]
    for probs, want, what in cases:
        got = majority_vote(np.array(probs), genres)
        expect(got == want, expected=f"{want!r}: {what}", actual=repr(got),
               hint="count argmax votes with np.bincount(..., minlength=len(genres)); among the "
                    "genres with the most votes, pick the highest mean probability.")


@exercise("7.3")
def check_exercise_7_3(decide: Callable) -> None:
    """Verifies ``decide(probs, genres, threshold=...)``: a confident answer, an "unsure" one,
    a lower threshold, and a probability exactly at the threshold (which counts as sure)."""
    probs = np.array([0.1, 0.4, 0.35, 0.1, 0.05])
    for threshold, p, want in ((0.5, np.array([0.05, 0.7, 0.1, 0.1, 0.05]), "classical"),
                               (0.5, probs, "unsure"), (0.3, probs, "classical"),
                               (0.5, np.array([0.5, 0.25, 0.25, 0.0, 0.0]), "blues")):
        got = decide(p, _GENRES_07, threshold=threshold)
        expect(got == want, expected=f"{want!r} for top probability {p.max():.2f} and threshold "
               f"{threshold}", actual=repr(got),
               hint='the top genre if its probability >= threshold, else "unsure".')



@exercise("7.4")
def check_exercise_7_4(predict_folder: Callable) -> None:
    """Verifies ``predict_folder(folder, predict)`` on a made-up folder (a sub-folder, upper-case
    extensions, a text file, a hidden ``._`` copy) with a fake ``predict``: every audio file
    predicted once, rows in that order; a file whose prediction raises ``AudioDecodeError`` is
    reported in the errors, with its message, and the others still come back; a bug (any other
    exception) is not swallowed; a missing folder raises ``FileNotFoundError`` naming it."""
    import tempfile
    from pathlib import Path
    from .exceptions import AudioDecodeError
    with tempfile.TemporaryDirectory() as root:
        root = Path(root)
        (root / "live").mkdir()
        names = ["b.wav", "a.FLAC", "live/c.mp3", "bad.wav", "notes.txt", "._a.wav"]
        for name in names:
            (root / name).write_bytes(b"")
        calls = []

        def predict(path):
            path = Path(path)
            calls.append(path.name)
            if path.name == "bad.wav":
                raise AudioDecodeError(path, "not audio (fake)", "Re-export it as WAV.")
            return {"file": str(path), "top": [{"genre": "jazz", "probability": 0.75},
                                               {"genre": "rock", "probability": 0.25}]}

        with contextlib.redirect_stdout(io.StringIO()):   # the learner's report of the fake
            table, errors = predict_folder(root, predict)
        expect(sorted(calls) == sorted(["a.FLAC", "b.wav", "bad.wav", "c.mp3"]),
               expected="predict called once for a.FLAC, b.wav, bad.wav and live/c.mp3",
               actual=sorted(calls), hint="every file under the folder (rglob) for which "
                                         "audio.is_audio_file is True.")
        files = list(getattr(table, "get", lambda *_: [])("file", []))
        expect(sorted(files) == ["a.FLAC", "b.wav", "c.mp3"],
               expected="a table with the files a.FLAC, b.wav, c.mp3 (bad.wav left out)",
               actual=files, hint="one row per file that worked: file (its name), genre, "
                                  "probability.")
        expect(files == sorted(files, key=lambda f: calls.index(f)) and
               list(table["genre"]) == ["jazz"] * 3 and list(table["probability"]) == [0.75] * 3,
               expected="rows in the order predicted, with the top genre and its probability",
               actual=table.to_dict("list"), hint="result['top'][0] is the best guess.")
        expect(list(errors) == ["bad.wav"] and "not audio" in str(errors.get("bad.wav")),
               expected="errors == {'bad.wav': <the error's message>}", actual=errors,
               hint="catch AudioDecodeError (or CourseError), keep str(err), go on.")

        def buggy(path):
            raise KeyError("top")
        try:
            predict_folder(root, buggy)
        except KeyError:
            pass
        else:
            raise CheckFailed("expected the KeyError of a buggy predict to stop the run, but it "
                              "was swallowed. Hint: catch the course's errors about bad files "
                              "(CourseError), not every Exception: a bug must not look like a "
                              "bad file.")
    try:
        predict_folder(root / "missing", predict)
    except FileNotFoundError as err:
        expect("missing" in str(err), expected="an error that names the folder",
               actual=str(err), hint="f'{folder}: no such folder'.")
    else:
        raise CheckFailed("expected FileNotFoundError for a missing folder, got none. Hint: "
                          "an empty result would look like a folder without music.")


# --- 08_transfer_learning -------------------------------------------------------
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
    """Verifies ``build_my_probe(input_dim, num_classes)``: a Keras model whose output is one
    probability vector per example (softmax: rows sum to 1), with at least one Dropout and
    one hidden Dense layer with ReLU, and that 60 training steps on an easy, separable set
    lower its loss by half."""
    import keras
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
    kinds = [type(layer).__name__ for layer in model.layers]
    hidden = [layer for layer in model.layers if type(layer).__name__ == "Dense"][:-1]
    expect("Dropout" in kinds and any(l.get_config()["activation"] == "relu" for l in hidden),
           expected="a Dropout layer and a hidden Dense layer with ReLU", actual=kinds,
           hint="Dropout -> Dense(hidden, relu) -> Dropout -> Dense(num_classes, softmax).")
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
    from . import config, pretrained
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


# --- 09_applications -------------------------------------------------------------
@exercise("9.1")
def check_exercise_9_1(accuracy_by_coverage: Callable) -> None:
    """Verifies ``accuracy_by_coverage(confidence, correct)`` against a reference on 200 random
    tracks and on a hand-made case: tracks sorted from most to least confident, and for the
    first n of them (n = 1..N) the coverage n / N and their accuracy. Sorting the wrong way,
    counting instead of averaging, or calling ``classical.coverage_curve`` fails."""
    write_it_yourself(accuracy_by_coverage, {"coverage_curve", "classical"},
                      "the accuracy-coverage curve")
    conf = np.array([0.5, 0.9, 0.7, 0.6])
    correct = np.array([False, True, False, True])
    cov, acc = map(np.asarray, accuracy_by_coverage(conf, correct))
    want_cov, want_acc = [0.25, 0.5, 0.75, 1.0], [1.0, 0.5, 2 / 3, 0.5]
    expect(close(cov, want_cov) and close(acc, want_acc),
           expected=f"coverage {want_cov}, accuracy {np.round(want_acc, 3).tolist()}",
           actual=f"coverage {np.round(cov, 3).tolist()}, accuracy {np.round(acc, 3).tolist()}",
           hint="order = np.argsort(-confidence); accuracy = np.cumsum(correct[order]) / "
                "np.arange(1, N + 1).")
    rng = np.random.default_rng(9)
    conf = rng.uniform(0.1, 1.0, 200)
    correct = rng.uniform(size=200) < conf
    order = np.argsort(-conf)
    cov, acc = map(np.asarray, accuracy_by_coverage(conf, correct))
    want = np.cumsum(correct[order]) / np.arange(1, 201)
    expect(close(acc, want) and close(cov, np.arange(1, 201) / 200),
           expected="the reference curve on 200 random tracks", actual="another curve",
           hint="most confident first; the last point covers every track.")


@exercise("9.2")
def check_exercise_9_2(precision_at_k: Callable) -> None:
    """Verifies ``precision_at_k(X, labels, k=...)`` against a reference on random vectors
    (cosine distance, leave-one-out): for every track, the share of its k nearest *other*
    tracks with the same label, averaged. Counting the track as its own neighbour, or
    ranking by Euclidean distance, fails."""
    X = np.array([[1.0, 0.0], [10.0, 1.0], [0.0, 1.0], [0.1, 1.0]])
    labels = np.array([0, 0, 1, 1])
    got = float(precision_at_k(X, labels, k=1))
    expect(abs(got - 1.0) < 1e-6, expected="1.0 (by angle, each track's nearest other shares "
           "its label)", actual=round(got, 4),
           hint="cosine distance: normalise each row to length 1, then similarity = X @ X.T; "
                "leave the track itself out (set its own similarity to -inf).")
    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 8))
    labels = rng.integers(0, 4, 60)
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    sim = U @ U.T
    np.fill_diagonal(sim, -np.inf)
    for k in (1, 5):
        nearest = np.argsort(-sim, axis=1)[:, :k]
        want = float((labels[nearest] == labels[:, None]).mean())
        got = float(precision_at_k(X, labels, k=k))
        expect(abs(got - want) < 1e-6, expected=f"{want:.4f} for k={k}", actual=round(got, 4),
               hint="k nearest others by cosine similarity, then the share with the same label.")


@exercise("9.3")
def check_exercise_9_3(smooth: Callable) -> None:
    """Verifies ``smooth(P, windows=...)`` against a centred moving average whose edges repeat
    the first and last window (``scipy.ndimage.uniform_filter1d(..., mode="nearest")``), on a
    (12, 3) array for windows 3 and 5: a plain ``np.convolve(..., "same")`` (zeros past the
    edges) or calling the library's smoother fails."""
    write_it_yourself(smooth, {"uniform_filter1d", "apps", "smooth"}, "the moving average")
    from scipy.ndimage import uniform_filter1d
    rng = np.random.default_rng(4)
    P = rng.dirichlet(np.ones(3), 12)
    for w in (3, 5):
        got = np.asarray(smooth(P, windows=w), dtype=float)
        want = uniform_filter1d(P, size=w, axis=0, mode="nearest")
        expect(close(got, want), expected=f"the {w}-window average, shape {want.shape}, first "
               f"row {np.round(want[0], 3).tolist()}",
               actual=f"shape {got.shape}, first row {np.round(got[0], 3).tolist()}",
               hint="pad with the edge rows (np.pad(P, ((w // 2, w // 2), (0, 0)), "
                    "mode='edge')), then average each run of w rows.")


@exercise("9.4")
def check_exercise_9_4(change_points: Callable) -> None:
    """Verifies ``change_points(starts, labels, window=..., min_run=...)`` against the
    library's ``apps.change_points`` on six label sequences (windows 1.5 s apart): a clean
    change (at the midpoint between the two windows' centres), a one-window flicker that must
    not count, a change back, a change too close to the end to confirm, no change at all and
    three genres in turn; calling the library fails."""
    from . import apps
    write_it_yourself(change_points, {"apps", "change_points"}, "the change points")
    starts = np.arange(12) * 1.5
    cases = ["aaaaaabbbbbb", "aaaabaaaaaaa", "aaaabbbbaaaa", "aaaaaaaaaabb", "aaaaaaaaaaaa",
             "aaabbbcccaaa"]
    for labels in cases:
        for min_run in (2, 3):
            want = apps.change_points(starts, list(labels), window=3.0, min_run=min_run)
            got = [round(float(t), 6) for t in change_points(starts, list(labels), window=3.0,
                                                               min_run=min_run)]
            expect(got == [round(t, 6) for t in want],
                   expected=f"{want} for {labels} (min_run={min_run})", actual=got,
                   hint="a change counts when label i differs from the current genre and the "
                        "min_run labels from i on are all the new one; it lies halfway between "
                        "the centres of windows i-1 and i (start + window / 2).")
