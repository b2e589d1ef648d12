"""Checks of lesson 07_your_own_music."""
from __future__ import annotations

import contextlib
import io

from typing import Callable

import numpy as np

from ._frame import CheckFailed, close, exercise, expect, write_it_yourself


_GENRES_07 = ["blues", "classical", "country", "disco", "hiphop"]


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


def _made_up_folder(root) -> tuple[Callable, list]:
    """Files under ``root`` (a sub-folder, upper-case extensions, a text file, a hidden ``._``
    copy) and a fake ``predict`` that records the names it was called with (the list
    returned) and raises ``AudioDecodeError`` for ``bad.wav``."""
    from pathlib import Path

    from ..exceptions import AudioDecodeError
    (root / "live").mkdir()
    for name in ["b.wav", "a.FLAC", "live/c.mp3", "bad.wav", "notes.txt", "._a.wav"]:
        (root / name).write_bytes(b"")
    calls = []

    def predict(path):
        path = Path(path)
        calls.append(path.name)
        if path.name == "bad.wav":
            raise AudioDecodeError(path, "not audio (fake)", "Re-export it as WAV.")
        return {"file": str(path), "top": [{"genre": "jazz", "probability": 0.75},
                                           {"genre": "rock", "probability": 0.25}]}
    return predict, calls


@exercise("7.4")
def check_exercise_7_4(predict_folder: Callable) -> None:
    """Verifies ``predict_folder(folder, predict)`` on a made-up folder (a sub-folder, upper-case
    extensions, a text file, a hidden ``._`` copy) with a fake ``predict``: every audio file
    predicted once, rows in that order; a file whose prediction raises ``AudioDecodeError`` is
    reported in the errors, with its message, and the others still come back; a bug (any other
    exception) is not swallowed; a missing folder raises ``FileNotFoundError`` naming it;
    without calling ``runs.predict_folder``."""
    import tempfile
    from pathlib import Path

    from .. import runs
    predict_folder = write_it_yourself(predict_folder, [runs.predict_folder], "the loop")
    with tempfile.TemporaryDirectory() as root:
        root = Path(root)
        predict, calls = _made_up_folder(root)
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


@exercise("7.5")
def check_exercise_7_5(sections: Callable) -> None:
    """Verifies ``sections(seg_genres, hop=..., seconds=...)``: consecutive segments with the
    same genre merged into ``(start, end, genre)`` sections, segment ``i`` starting at
    ``i * hop``, a section ending where the next begins and the last one at ``(n - 1) * hop +
    seconds``; on a medley, one genre throughout, a single segment, a genre that comes back
    (two sections, not one) and the lessons' 2.996-s hop."""
    cases = [
        (["a", "a", "b", "b", "b", "a"], 3.0, 3.0,
         [(0.0, 6.0, "a"), (6.0, 15.0, "b"), (15.0, 18.0, "a")], "a genre that comes back"),
        (["x"] * 4, 3.0, 3.0, [(0.0, 12.0, "x")], "one genre throughout"),
        (["x"], 2.5, 3.0, [(0.0, 3.0, "x")], "a single segment lasts its 3 s"),
        (["c", "c", "c", "m", "m", "r"], 2.996, 3.0,
         [(0.0, 8.988, "c"), (8.988, 14.98, "m"), (14.98, 17.98, "r")],
         "segments every 2.996 s, each 3 s long"),
    ]
    for genres, hop, seconds, want, what in cases:
        got = [(float(a), float(b), g) for a, b, g in sections(list(genres), hop=hop,
                                                               seconds=seconds)]
        same = len(got) == len(want) and all(
            g == wg and close([a, b], [wa, wb], atol=1e-6) for (a, b, g), (wa, wb, wg)
            in zip(got, want))
        expect(same, expected=f"{want}: {what}", actual=got,
               hint="walk the segments; start a new section where the genre differs from the "
                    "previous segment's; a section ends at the next one's start, the last at "
                    "(n - 1) * hop + seconds.")


@exercise("7.6")
def check_exercise_7_6(reliability: Callable) -> None:
    """Verifies ``reliability(confidence, correct, bins=...)`` = ``(mean_confidence, accuracy,
    counts)`` of the non-empty bins among ``bins`` equal-width bins of [0, 1] (bin ``k`` holds
    confidences in ``(k / bins, (k + 1) / bins]``, the first also 0), against scikit-learn's
    ``calibration_curve`` on 300 random predictions with 5 and 10 bins, a set with empty
    bins, a confidence of exactly 1 and one on a bin edge; calling ``calibration_curve``
    fails."""
    import sklearn.calibration
    reliability = write_it_yourself(reliability, [sklearn.calibration], "the binning")
    rng = np.random.default_rng(7)
    confidence = rng.uniform(0.1, 1.0, 300)
    correct = rng.uniform(size=300) < confidence           # calibrated on average
    gappy = np.array([0.12, 0.15, 0.4, 0.95, 1.0, 0.97, 0.99])   # 0.4 sits on an edge
    for conf, right, bins in ((confidence, correct, 5), (confidence, correct, 10),
                              (gappy, np.array([0, 1, 1, 1, 1, 0, 1], bool), 5)):
        accuracy, mean = sklearn.calibration.calibration_curve(right, conf, n_bins=bins)
        edges = np.linspace(0, 1, bins + 1)
        counts = np.bincount(np.searchsorted(edges[1:-1], conf), minlength=bins)
        counts = counts[counts > 0]
        got = reliability(conf, right, bins=bins)
        expect(len(got) == 3 and len(got[0]) == len(mean),
               expected=f"three arrays of {len(mean)} values: the non-empty bins of {bins}",
               actual=[len(part) for part in got] if len(got) == 3 else got,
               hint="leave out the bins no confidence falls in.")
        for name, value, want in (("mean confidence", got[0], mean), ("accuracy", got[1],
                                                                        accuracy),
                                  ("tracks", got[2], counts)):
            expect(close(np.asarray(value, float), want, atol=1e-9),
                   expected=f"{name} per bin {np.round(want, 3).tolist()} ({bins} bins)",
                   actual=np.round(np.asarray(value, float), 3).tolist(),
                   hint="bin = np.searchsorted(np.linspace(0, 1, bins + 1)[1:-1], confidence) "
                        "puts a confidence on an edge in the lower bin and 1.0 in the last; "
                        "then the mean confidence, the share right and the count per bin.")
