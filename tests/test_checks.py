"""Tests for the grading frame of course_utils.checks: pass, fail, "not done yet" and a
crash, as plain output. Each lesson's checks are tested in tests/test_checks_NN.py."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils import checks


@checks.exercise("0.1")
def check_double(fn):
    """Verifies that fn doubles a number."""
    checks.expect(fn(2) == 4, expected=4, actual=fn(2), hint="multiply by 2")


def test_framework_pass_fail_not_done_and_crash(capsys):
    assert check_double(lambda x: 2 * x) is True
    assert check_double(lambda x: x + 3) is False
    out = capsys.readouterr().out
    assert "expected 4, got 5. Hint: multiply by 2" in out

    def stub(x):
        raise NotImplementedError("Exercise 0.1: double")
    assert check_double(stub) is None
    assert check_double(...) is None
    assert check_double(lambda x: 1 / 0) is False
    out = capsys.readouterr().out
    assert out.count("not done yet") == 2 and "ZeroDivisionError" in out
    assert "Traceback" not in out


def test_close_is_false_on_shape_mismatch():
    assert checks.close(np.ones(3), np.ones(3)) and not checks.close(np.ones(3), np.ones(4))


# --------------------------------------------------------------------------- gamed answers
# Each answer below gets the right numbers by running the library code its exercise asks the
# learner to write (or by typing the answer in). The code is compiled from strings, as a
# notebook kernel does (no source file), and the library function is bound to an alias in
# one "cell" and called from the function defined in the next, so no name in the function's
# own code gives it away. Without the watch (write_it_yourself made a pass-through) each one
# passes its check; with it, each fails, in the learner's mode and under grading.
ALIAS = ("import numpy as np\nimport keras\nfrom course_utils import apps, data, evaluate, "
         "experiments, features, models, runs, train\n")
GAMED = {
    "1.2": ("import librosa\nf = librosa.amplitude_to_db",
            "def amplitude_to_db(a, ref=1.0):\n"
            "    return f(np.abs(a), ref=ref, amin=1e-5, top_db=None)"),
    "1.4": ("import librosa\nf = librosa.hz_to_mel",
            "def hz_to_mel(hz):\n    return f(hz, htk=True)"),
    "1.5": ("import librosa\nf = librosa.feature.rms",
            "def loudness_curve(y, frame_length=2048, hop_length=512):\n"
            "    r = f(y=y, frame_length=frame_length, hop_length=hop_length, center=False)[0]\n"
            "    return 20 * np.log10(np.maximum(r, 1e-5))"),
    "1.6": ("f = features.quiet_passage",
            "def quiet_passage(level_db, *, hop_length=512, sr=22050, below_db=10.0):\n"
            "    return f(level_db, hop_length=hop_length, sr=sr, below_db=below_db)"),
    "2.4": ("from sklearn import neighbors\nf = neighbors.NearestCentroid",
            "def nearest_centroid_predict(X_train, labels_train, X_test):\n"
            "    return f().fit(X_train, labels_train).predict(X_test)"),
    "2.5": ("from sklearn import preprocessing\nf = preprocessing.StandardScaler",
            "def standardise(X_train, X_test):\n    s = f().fit(X_train)\n"
            "    return s.transform(X_train), s.transform(X_test)"),
    "3.1": ("f = features.segment_features",
            "def cut_segments(F, frames=130, hop=129):\n"
            "    if F.shape[1] < frames:\n        raise ValueError('too short')\n"
            "    return f(F, frames=frames, hop=hop)"),
    "3.3": ("f = models.build_cnn",
            "def build_my_cnn(input_shape, n_classes, **settings):\n"
            "    return f(input_shape, n_classes, **settings)"),
    "3.4": ("f = evaluate.aggregate_tracks",
            "def track_probabilities(seg_probs, track_ids):\n"
            "    ids, mean, _ = f(seg_probs, track_ids)\n    return ids, mean"),
    "3.6": ("f = features.augment_waveform",
            "def copy_segments(y, sr, *, semitones=(-2.0, 2.0), rates=(0.9, 1.1)):\n"
            "    copies = [('pitch', n) for n in semitones] + [('stretch', r) for r in rates]\n"
            "    return np.concatenate([features.segment_features(features.log_mel(\n"
            "        f(y, sr=sr, kind=k, amount=a), sr=sr)) for k, a in copies])"),
    "3.7": ("f = train.spec_augment",
            "def spec_augment_segment(S, rng, *, n_masks=2, time_width=16, freq_width=12):\n"
            "    return f(S[None, :, :, None], rng, n_masks=n_masks, time_width=time_width,\n"
            "             freq_width=freq_width)[0, :, :, 0]"),
    "4.2": ("f = models.build_lstm",
            "def build_my_lstm(input_shape, n_classes, **settings):\n"
            "    return f(input_shape, n_classes, **settings)"),
    "4.3": ("f = keras.layers.LSTM",
            "def lstm_params(units, n_inputs):\n    layer = f(units)\n"
            "    layer.build((None, 10, n_inputs))\n    return layer.count_params()"),
    "4.4": ("f = keras.layers.Bidirectional",
            "def bidirectional_params(units, n_inputs):\n"
            "    layer = f(keras.layers.LSTM(units))\n    layer.build((None, 10, n_inputs))\n"
            "    return layer.count_params()"),
    "5.2": ("f = models.build_hybrid",
            "def build_my_crnn(input_shape, n_classes, **settings):\n"
            "    return f(input_shape, n_classes, kind='crnn', **settings)"),
    "5.3": ("f = models.build_hybrid",
            "def build_my_parallel(logmel_shape, mfcc_shape, n_classes, **settings):\n"
            "    return f((logmel_shape, mfcc_shape), n_classes, kind='parallel', **settings)"),
    "6.2": ("from sklearn import metrics\nf = metrics.precision_recall_fscore_support",
            "def per_genre_scores(cm):\n    n = len(cm)\n"
            "    t = np.repeat(np.repeat(np.arange(n), n), cm.ravel())\n"
            "    p = np.repeat(np.tile(np.arange(n), n), cm.ravel())\n"
            "    return f(t, p, labels=range(n), zero_division=0)[:3]"),
    "6.3": ("f = evaluate.bootstrap_ci",
            "def bootstrap_interval(correct, *, level=0.95, seed=42, n_boot=2000):\n"
            "    return f(correct, level=level, seed=seed, n_boot=n_boot)"),
    "6.6": ("f = data.split_tracks",
            "def artist_folds(tracks, *, n_folds, seed):\n"
            "    return [list(f(tracks, method='kfold', folds=n_folds, fold=k, seed=seed)"
            ".test['track_id']) for k in range(n_folds)]"),
    "6.7": ("f = experiments.cross_validate",
            "def cross_validate(n_folds, train_fold):\n    return f(n_folds, train_fold)"),
    "6.8": ("f = evaluate.aggregate_tracks",
            "def vote_accuracy(seg_probs, seg_true, track_ids):\n"
            "    ids, _, votes = f(seg_probs, track_ids)\n"
            "    truth = dict(zip(track_ids, seg_true))\n"
            "    return float(np.mean([v == truth[t] for t, v in zip(ids, votes)]))"),
    "6.9": ("f = evaluate.mcnemar_exact",
            "def mcnemar_test(a, b):\n    r = f(a, b)\n"
            "    return r['a_only'], r['b_only'], r['p']"),
    "6.9 scipy": ("from scipy import stats\nf = stats.binomtest",
                  "def mcnemar_test(a, b):\n"
                  "    a_only, b_only = int((a & ~b).sum()), int((~a & b).sum())\n"
                  "    n = a_only + b_only\n"
                  "    return a_only, b_only, f(a_only, n, 0.5).pvalue if n else 1.0"),
    "7.6": ("from sklearn import calibration\nf = calibration.calibration_curve",
            "def reliability(confidence, correct, *, bins=5):\n"
            "    accuracy, mean = f(correct, confidence, n_bins=bins)\n"
            "    which = np.searchsorted(np.linspace(0, 1, bins + 1)[1:-1], confidence)\n"
            "    counts = np.bincount(which, minlength=bins)\n"
            "    return mean, accuracy, counts[counts > 0]"),
    "7.4": ("f = runs.predict_folder",
            "def predict_folder(folder, predict):\n    return f(folder, predict)"),
    "8.3": ("f = models.build_probe",
            "def build_my_probe(input_dim, num_classes, *, hidden=128, dropout=0.5):\n"
            "    return f((input_dim,), num_classes, hidden=hidden, dropout=dropout, l2=0.0)"),
    "9.1": ("from course_utils import classical as c\nf = c.coverage_curve",
            "def accuracy_by_coverage(confidence, correct):\n"
            "    f(np.c_[confidence, 1 - confidence], np.where(correct, 0, 1))   # a peek\n"
            "    return reference(confidence, correct)"),
    "9.3": ("from scipy import ndimage\nf = ndimage.uniform_filter1d",
            "def smooth(P, *, windows=5):\n"
            "    return f(np.asarray(P, float), size=windows, axis=0, mode='nearest')"),
    "9.4": ("f = apps.change_points",
            "def change_points(starts, labels, *, window=3.0, min_run=3):\n"
            "    return f(starts, labels, window=window, min_run=min_run)"),
}


def _gamed(number: str):
    """The gamed answer to exercise ``number``, made in a kernel-like namespace."""
    from solution_code import exercises
    namespace: dict = {}
    if number == "9.1":          # its gamed answer peeks at the library, then answers right
        namespace["reference"] = exercises("09")["accuracy_by_coverage"]
    alias, function = GAMED[number]
    exec(compile(ALIAS + alias, "<cell 1>", "exec"), namespace)
    exec(compile(function, "<cell 2>", "exec"), namespace)
    return namespace[function.split("(")[0].removeprefix("def ")]


def _check(number: str):   # "6.9 scipy": exercise 6.9, gamed another way
    return getattr(checks, f"check_exercise_{number.split()[0].replace('.', '_')}")


@pytest.mark.parametrize("number", sorted(GAMED))
def test_an_answer_that_runs_the_library_fails_whatever_name_reaches_it(number, monkeypatch,
                                                                          capsys):
    import importlib
    lesson = importlib.import_module(f"course_utils.checks.lesson{int(number[0]):02d}")
    with monkeypatch.context() as m:     # without the watch: the right numbers, a pass
        m.setattr(lesson, "write_it_yourself", lambda fn, forbidden, what: fn)
        assert _check(number)(_gamed(number)) is True
    assert _check(number)(_gamed(number)) is False
    assert "while your function ran" in capsys.readouterr().out
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(checks.AnswerError, match="while your function ran"):
        _check(number)(_gamed(number))


def test_typed_and_truncated_answers_fail(monkeypatch):
    import pandas as pd
    truncated = lambda seconds, sr=22050: int(seconds * sr)      # 0.7 s: 15434, not 15435
    assert checks.check_exercise_1_1(truncated) is False
    table = pd.DataFrame({"model": ["cnn", "lstm"], "params": [1000, 4000],
                          "track_acc_mean": [0.8, 0.9]})
    assert checks.check_exercise_5_4(lambda t: "cnn", table) is False    # right here only
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(checks.AnswerError):
        checks.check_exercise_1_1(truncated)


def test_the_watch_sees_a_library_call_inside_a_helper_and_restores_the_profiler():
    import sys

    import librosa
    calls = []
    sys.setprofile(lambda frame, event, arg: calls.append(event) if event == "call" else None)
    try:
        helper = lambda a: librosa.amplitude_to_db(a)
        watched = checks.write_it_yourself(lambda a: helper(a), [librosa], "decibels")
        with pytest.raises(checks.CheckFailed, match="librosa while your function ran"):
            watched(np.ones(3))
        restored = sys.getprofile()
    finally:
        sys.setprofile(None)
    assert restored is not None and calls     # the profiler in place before is back
    plain = checks.write_it_yourself(lambda a: 20 * np.log10(a), [librosa], "decibels")
    assert np.allclose(plain(np.ones(3)), 0.0)
