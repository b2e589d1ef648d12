"""Tests for course_utils.evaluate: metrics against hand-computed cases."""
from __future__ import annotations

import json

import numpy as np
import pytest

from course_utils import evaluate, experiments
from course_utils.exceptions import ParameterError


def test_confusion_matrix_rows_are_true_genres():
    # two "a" tracks, one predicted "b"; one "b" track predicted "b"; one "c" predicted "a"
    s = evaluate.scores([0, 0, 1, 2], [0, 1, 1, 0], genres=["a", "b", "c"])
    assert s["confusion_matrix"] == [[1, 1, 0],
                                     [0, 1, 0],
                                     [1, 0, 0]]
    assert s["accuracy"] == pytest.approx(0.5)


def test_per_genre_precision_recall_f1_by_hand():
    s = evaluate.scores([0, 0, 1, 2], [0, 1, 1, 0], genres=["a", "b", "c"])
    a, b, c = (s["per_genre"][g] for g in "abc")
    assert (a["precision"], a["recall"], a["support"]) == (0.5, 0.5, 2)   # 1 of 2 predicted a
    assert (b["precision"], b["recall"]) == (0.5, 1.0)
    assert b["f1"] == pytest.approx(2 * 0.5 * 1.0 / 1.5)
    assert (c["precision"], c["recall"], c["f1"]) == (0.0, 0.0, 0.0)
    assert s["macro_f1"] == pytest.approx((0.5 + 2 / 3 + 0) / 3)


def test_aggregate_mean_and_vote_can_disagree():
    p = np.array([[0.9, 0.1], [0.4, 0.6], [0.45, 0.55],   # track a: mean says 0, vote says 1
                  [0.2, 0.8]])
    ids, mean, vote = evaluate.aggregate_tracks(p, ["a", "a", "a", "b"])
    assert ids == ["a", "b"]
    np.testing.assert_allclose(mean[0], [0.5833333, 0.4166667], rtol=1e-6)
    assert mean.argmax(1).tolist() == [0, 1] and vote.tolist() == [1, 1]


def test_vote_tie_broken_by_mean_probability():
    p = np.array([[0.51, 0.49], [0.1, 0.9]])          # one vote each; mean favours class 1
    _, _, vote = evaluate.aggregate_tracks(p, ["t", "t"])
    assert vote.tolist() == [1]


def test_bootstrap_ci_brackets_accuracy_and_narrows_with_more_tracks():
    small = evaluate.bootstrap_ci([True] * 8 + [False] * 2)
    large = evaluate.bootstrap_ci([True] * 800 + [False] * 200)
    assert small[0] < 0.8 < small[1] and large[0] < 0.8 < large[1]
    assert (large[1] - large[0]) < (small[1] - small[0]) / 5
    assert evaluate.bootstrap_ci([True] * 10) == [1.0, 1.0]


def test_paired_bootstrap():
    a = [True] * 90 + [False] * 10
    b = [True] * 60 + [False] * 40
    better = evaluate.paired_bootstrap(a, b)
    assert better["diff"] == pytest.approx(0.3) and better["p"] < 0.01
    assert better["ci95"][0] > 0
    same = evaluate.paired_bootstrap(a, a)
    assert same["diff"] == 0 and same["p"] == 1.0
    with pytest.raises(ParameterError, match="same tracks"):
        evaluate.paired_bootstrap(a, b[:50])


def test_mcnemar_exact_counts_only_the_tracks_where_the_models_differ():
    from scipy.stats import binomtest
    rng = np.random.default_rng(0)
    a = rng.random(75) < 0.9
    b = a.copy()
    b[np.flatnonzero(a)[:5]] = False                     # B wrong on 5 tracks A gets right
    result = evaluate.mcnemar_exact(a, b)
    assert (result["a_only"], result["b_only"]) == (5, 0)
    assert result["p"] == pytest.approx(2 * 0.5 ** 5)   # not the bootstrap's 0.006
    assert evaluate.paired_bootstrap(a, b)["p"] < 0.01   # what the resamples would say
    b[np.flatnonzero(~a)[:2]] = True                     # and right on 2 where A is wrong
    result = evaluate.mcnemar_exact(a, b)
    assert result["p"] == pytest.approx(binomtest(5, 7, 0.5).pvalue)
    assert evaluate.mcnemar_exact(b, a)["p"] == pytest.approx(result["p"])   # symmetric
    assert evaluate.mcnemar_exact(a, a) == {"a_only": 0, "b_only": 0, "p": 1.0}
    with pytest.raises(ParameterError, match="same tracks"):
        evaluate.mcnemar_exact(a, b[:-1])


def test_compare_groups_seeds(tmp_path):
    for i, (model, acc) in enumerate([("cnn", 0.8), ("cnn", 0.9), ("lstm", 0.5)]):
        d = tmp_path / f"r{i}"
        d.mkdir()
        (d / "config.json").write_text(json.dumps({
            "model": model, "dataset": "synthetic", "split": {"method": "random"},
            "augment": ["mixup"], "seed": i, "params": 1000 * (i + 1), "epoch_seconds": 2.0}))
        (d / "metrics.json").write_text(json.dumps({
            "segment_accuracy": acc - 0.1, "track_accuracy": acc, "macro_f1": acc,
            "track_accuracy_ci95": [acc - 0.1, acc + 0.05]}))
    table = experiments.compare(sorted(tmp_path.iterdir())).set_index("model")
    assert table.loc["cnn", "runs"] == 2
    assert table.loc["cnn", "track_acc_mean"] == pytest.approx(0.85)
    assert table.loc["cnn", "track_acc_std"] == pytest.approx(np.std([0.8, 0.9], ddof=1))
    assert table.loc["lstm", "track accuracy"] == "50.0% [40.0%, 55.0%]"   # one run: its CI
    assert table.loc["cnn", "track accuracy"] == "85.0% ± 7.1% (2 seeds)"
    # error bars: the spread over seeds, or one run's bootstrap interval (asymmetric)
    assert table.loc["cnn", "err_low"] == table.loc["cnn", "err_high"] == pytest.approx(
        np.std([0.8, 0.9], ddof=1))
    assert table.loc["lstm", "err_low"] == pytest.approx(0.1)
    assert table.loc["lstm", "err_high"] == pytest.approx(0.05)


def test_compare_needs_metrics(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ParameterError, match="Evaluate it first"):
        experiments.compare([tmp_path])


def test_plot_confusion_orientation():
    ax = evaluate.plot_confusion([[3, 1], [0, 4]], ["a", "b"], normalize=True)
    assert ax.get_ylabel() == "true genre" and ax.get_xlabel() == "predicted genre"
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["0.75", "0.25", "0.00", "1.00"]   # row-normalised, row by row


def test_chance_guard_is_strict_on_the_synthetic_set_only(capsys):
    from course_utils.exceptions import CourseError
    with pytest.raises(CourseError, match="SVM did not learn"):
        evaluate.assert_above_chance(0.15, 10, what="SVM", dataset="synthetic")
    evaluate.assert_above_chance(0.15, 10, what="SVM", dataset="/music/gtzan")   # goes on
    said = capsys.readouterr().out
    assert "On this data (/music/gtzan), SVM accuracy 15.0% is not above chance" in said
    assert "The lesson goes on" in said


def test_chance_guard_follows_the_lessons_dataset(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DATASET", "/music/my_folder")
    evaluate.assert_above_chance(0.1, 10)
    assert "On this data (/music/my_folder)" in capsys.readouterr().out
    monkeypatch.delenv("COURSE_DATASET")
    from course_utils.exceptions import CourseError
    with pytest.raises(CourseError):
        evaluate.assert_above_chance(0.1, 10)


def test_gtzan_cells_say_how_to_get_gtzan_when_it_is_absent(tmp_path, monkeypatch, capsys):
    from fakes import write_dataset
    from course_utils import data
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert data.full_gtzan() is None and experiments.on_gtzan(("cnn",)) is None
    assert "data fetch gtzan" in capsys.readouterr().out
    # a folder called gtzan at the data root is not the benchmark unless it holds the full set
    write_dataset(tmp_path / "gtzan", genres=("blues", "jazz", "rock"), per_genre=4)
    assert data.full_gtzan() is None
    monkeypatch.setattr(data.tracks, "GTZAN_FULL", 12)
    assert len(data.full_gtzan()) == 12


@pytest.mark.slow
def test_gtzan_comparison_scores_the_svm_bar_and_runs_on_one_split(tmp_path, monkeypatch):
    from fakes import write_dataset
    from course_utils import data
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COURSE_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("COURSE_FAST", "1")
    monkeypatch.setattr(data.tracks, "GTZAN_FULL", 24)
    write_dataset(tmp_path / "gtzan", genres=("blues", "jazz", "rock"), per_genre=8, seconds=7.0)
    table = experiments.on_gtzan(("lstm",), splits=("random",), epochs=1, ensemble=False)
    assert list(table["model"]) == ["SVM on statistics (lesson 02)", "lstm"]
    assert set(table["split"]) == {"random"} and len(set(table["test tracks"])) == 1
    assert table["track accuracy"].between(0, 1).all()
    assert (tmp_path / "runs" / "fast" / "gtzan_random_lstm" / "metrics.json").exists()
    # the lessons' single-run cells (07, 09) reuse the same run folder
    assert experiments.gtzan_run("lstm", split="random", epochs=1, ensemble=False) == \
        tmp_path / "runs" / "fast" / "gtzan_random_lstm"
