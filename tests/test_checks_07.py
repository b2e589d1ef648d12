"""Tests for the checks of lesson 07_your_own_music (course_utils.checks.lesson07): each
check accepts the reference solution and rejects known-wrong answers."""
from __future__ import annotations

import numpy as np
import pandas as pd

from course_utils import checks
from course_utils.exceptions import CourseError
from fakes import not_done
from solution_code import exercises


def test_check_7_2_majority_vote():
    def vote(seg_probs, genres):
        votes = np.bincount(seg_probs.argmax(axis=1), minlength=len(genres))
        tied = np.flatnonzero(votes == votes.max())
        return genres[tied[seg_probs.mean(axis=0)[tied].argmax()]]

    def mean_rule(seg_probs, genres):         # averages instead of voting
        return genres[seg_probs.mean(axis=0).argmax()]

    def first_on_tie(seg_probs, genres):      # np.argmax of the counts: first genre wins ties
        return genres[np.bincount(seg_probs.argmax(axis=1), minlength=len(genres)).argmax()]

    assert checks.check_exercise_7_2(vote) is True
    assert checks.check_exercise_7_2(mean_rule) is False
    assert checks.check_exercise_7_2(first_on_tie) is False
    assert checks.check_exercise_7_2(not_done) is None


def test_check_7_4_predict_folder():
    from pathlib import Path

    from course_utils import audio, runs
    predict_folder = exercises("07")["predict_folder"]
    assert checks.check_exercise_7_4(predict_folder) is True
    assert checks.check_exercise_7_4(runs.predict_folder) is False  # the library twin

    def audio_files(folder):
        return sorted(p for p in Path(folder).rglob("*") if p.is_file() and audio.is_audio_file(p))

    def table_of(results):
        return pd.DataFrame([{"file": p.name, "genre": r["top"][0]["genre"],
                              "probability": r["top"][0]["probability"]} for p, r in results])

    def stops_at_a_bad_file(folder, predict):
        return table_of([(p, predict(p)) for p in audio_files(folder)]), {}

    def skips_silently(folder, predict):
        results = []
        for p in audio_files(folder):
            try:
                results.append((p, predict(p)))
            except CourseError:
                pass
        return table_of(results), {}

    def swallows_bugs(folder, predict):
        results, errors = [], {}
        for p in audio_files(folder):
            try:
                results.append((p, predict(p)))
            except Exception as err:      # a KeyError in predict now looks like a bad file
                errors[p.name] = str(err)
        return table_of(results), errors

    def top_level_only(folder, predict):
        results, errors = [], {}
        for p in sorted(Path(folder).iterdir()):
            if p.is_file() and audio.is_audio_file(p):
                try:
                    results.append((p, predict(p)))
                except CourseError as err:
                    errors[p.name] = str(err)
        return table_of(results), errors

    for wrong in (stops_at_a_bad_file, skips_silently, swallows_bugs, top_level_only):
        assert checks.check_exercise_7_4(wrong) is False, wrong.__name__
    assert checks.check_exercise_7_4(not_done) is None


def test_lesson_07_loop_is_the_library_loop(tmp_path, caplog):
    """The reference 7.4 and runs.predict_folder agree on a folder of real and broken files."""
    import soundfile as sf

    from course_utils import config, runs
    predict_folder = exercises("07")["predict_folder"]
    rng = np.random.default_rng(0)
    for name in ("x.wav", "sub/y.flac"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        sf.write(tmp_path / name, 0.1 * rng.normal(size=4 * config.SR), config.SR)
    (tmp_path / "broken.wav").write_text("not audio")

    def predict(path):      # a real decode (so broken.wav fails as it would), a fake model
        from course_utils import audio
        y, _ = audio.load(path)
        return {"top": [{"genre": "rock" if len(y) else "pop", "probability": 0.5}]}

    mine, library = predict_folder(tmp_path, predict), runs.predict_folder(tmp_path, predict)
    pd.testing.assert_frame_equal(mine[0], library[0])
    assert list(mine[0]["file"]) == ["y.flac", "x.wav"]   # sorted by path: sub/y.flac first
    assert mine[1] == library[1] and list(mine[1]) == ["broken.wav"]
    assert "broken.wav" in caplog.text                 # the library reports it, never silently


def test_check_7_5_sections():
    sections = exercises("07")["sections"]
    assert checks.check_exercise_7_5(sections) is True

    def merges_all(seg_genres, *, hop, seconds=3.0):   # one section per genre, wherever it is
        order = list(dict.fromkeys(seg_genres))
        return [(min(i for i, g in enumerate(seg_genres) if g == genre) * hop,
                 (max(i for i, g in enumerate(seg_genres) if g == genre) * hop) + seconds, genre)
                for genre in order]

    def ends_at_hop(seg_genres, *, hop, seconds=3.0):  # the last section one hop long
        return [(a, b if b < (len(seg_genres) - 1) * hop + seconds - 1e-9 else len(seg_genres) * hop,
                 g) for a, b, g in sections(seg_genres, hop=hop, seconds=seconds)]

    for wrong in (merges_all, ends_at_hop):
        assert checks.check_exercise_7_5(wrong) is False, wrong.__name__
    assert checks.check_exercise_7_5(not_done) is None


def test_check_7_6_reliability():
    reliability = exercises("07")["reliability"]
    assert checks.check_exercise_7_6(reliability) is True

    def floor_bins(confidence, correct, *, bins=5):   # an edge goes up, 1.0 into a bin of its own
        which = np.floor(confidence * bins).astype(int)
        used = np.unique(which)
        return (np.array([confidence[which == k].mean() for k in used]),
                np.array([correct[which == k].mean() for k in used]),
                np.array([(which == k).sum() for k in used]))

    def keeps_empty(confidence, correct, *, bins=5):  # NaN rows for empty bins
        which = np.searchsorted(np.linspace(0, 1, bins + 1)[1:-1], confidence)
        return tuple(np.array([f(which == k) for k in range(bins)]) for f in (
            lambda m: confidence[m].mean() if m.any() else np.nan,
            lambda m: correct[m].mean() if m.any() else np.nan, lambda m: m.sum()))

    for wrong in (floor_bins, keeps_empty):
        assert checks.check_exercise_7_6(wrong) is False, wrong.__name__
    assert checks.check_exercise_7_6(not_done) is None
