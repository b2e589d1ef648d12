"""Checks of lesson 07_your_own_music."""
from __future__ import annotations

import contextlib
import io

from typing import Callable

import numpy as np

from ._frame import CheckFailed, close, exercise, expect, write_it_yourself


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
