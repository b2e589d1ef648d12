"""Interactive widgets for the lessons, each with a plain-function fallback.

Built on ipywidgets ``Output`` and ``interactive_output`` with the inline
matplotlib backend (no ipympl), so they work in JupyterLab and Colab alike.
Audio players embed the whole clip in the notebook, so they play short
excerpts. A leaf module. Introduced in 01_audio_basics (explorer), 03_cnn
(augmentation), 06_evaluation (confusion explorer), 07_your_own_music (upload).
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import librosa
import librosa.display
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Audio, display

from . import audio, config, data, features


def play(y: np.ndarray, sr: int = config.SR, *, seconds: float = 5.0, offset: float = 0.0) -> Audio:
    """An audio player for a short excerpt (``seconds`` long) of ``y``.

    The excerpt is embedded as MP3 (about 8x smaller than WAV), so notebooks
    that play every genre stay small; WAV is the fallback where libsndfile
    cannot write MP3.
    """
    import soundfile as sf
    start = int(offset * sr)
    excerpt = np.asarray(y[start:start + int(seconds * sr)], dtype=np.float32)
    peak = float(np.abs(excerpt).max()) if excerpt.size else 0.0
    if peak > 1.0:
        excerpt = excerpt / peak
    path = Path(tempfile.mkdtemp()) / "excerpt.mp3"
    try:
        sf.write(path, excerpt, sr, format="MP3")
        return Audio(filename=str(path), embed=True)
    except (sf.LibsndfileError, TypeError, ValueError):
        return Audio(excerpt, rate=sr)


# --------------------------------------------------------------------------- spectrogram explorer
def plot_spectrogram_settings(y: np.ndarray, sr: int = config.SR, *, n_fft: int = config.N_FFT,
                              hop_length: int = config.HOP_LENGTH, n_mels: int = config.N_MELS,
                              n_mfcc: int = config.N_MFCC):
    """Plot the STFT, log-mel and MFCC of ``y`` for the given settings (the explorer's fallback).

    Returns
    -------
    matplotlib.figure.Figure
    """
    D = librosa.amplitude_to_db(np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop_length)),
                                ref=np.max)
    M = features.log_mel(y, sr=sr, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels)
    C = librosa.feature.mfcc(S=M, n_mfcc=n_mfcc)
    C_show = (C - C.mean(axis=1, keepdims=True)) / (C.std(axis=1, keepdims=True) + 1e-6)
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
    kw = dict(sr=sr, hop_length=hop_length, x_axis="time")
    librosa.display.specshow(D, y_axis="log", ax=axes[0], **kw)
    axes[0].set_title(f"STFT {D.shape}")
    librosa.display.specshow(M, y_axis="mel", ax=axes[1], **kw)
    axes[1].set_title(f"log-mel {M.shape}")
    librosa.display.specshow(C_show, ax=axes[2], **kw)   # each row standardised, or c0 hides the rest
    axes[2].set_title(f"MFCC {C.shape}")
    axes[2].set_ylabel("coefficient (row-standardised)")
    for ax in axes:
        ax.set_xlabel("time (s)")
    fig.tight_layout()
    return fig


def spectrogram_explorer(y: np.ndarray, sr: int = config.SR, *, seconds: float = 5.0):
    """Audio player plus sliders for ``n_fft``, ``hop_length``, ``n_mels`` and ``n_mfcc``.

    Moving a slider redraws the STFT, log-mel and MFCC of a ``seconds`` excerpt.
    Fallback: :func:`plot_spectrogram_settings`.
    """
    import ipywidgets as w
    y = y[: int(seconds * sr)]
    sliders = {
        "n_fft": w.SelectionSlider(options=[256, 512, 1024, 2048, 4096], value=config.N_FFT,
                                   description="n_fft"),
        "hop_length": w.SelectionSlider(options=[128, 256, 512, 1024], value=config.HOP_LENGTH,
                                        description="hop_length"),
        "n_mels": w.IntSlider(value=config.N_MELS, min=16, max=256, step=16, description="n_mels"),
        "n_mfcc": w.IntSlider(value=config.N_MFCC, min=5, max=40, step=1, description="n_mfcc"),
    }

    def draw(**settings):
        plot_spectrogram_settings(y, sr, **settings)
        plt.show()

    out = w.interactive_output(draw, sliders)
    player = w.Output()
    with player:
        display(play(y, sr, seconds=seconds))
    return w.VBox([player, w.HBox(list(sliders.values())[:2]), w.HBox(list(sliders.values())[2:]),
                   out])


# --------------------------------------------------------------------------- augmentation player
def augment(y: np.ndarray, sr: int = config.SR, *, pitch: float = 0.0, speed: float = 1.0,
            time_mask: int = 0, freq_mask: int = 0, seed: int = config.SEED):
    """Apply pitch shift (semitones), speed (time stretch) and SpecAugment-style masks.

    Returns
    -------
    y_aug : np.ndarray [shape=(n',)]
        The shifted and stretched waveform (masks act on the spectrogram only).
    S_db : np.ndarray [shape=(n_mels, t)]
        Its log-mel spectrogram with ``time_mask`` frames and ``freq_mask``
        bands set to the minimum, as SpecAugment does after normalisation.
    """
    if pitch:
        y = features.augment_waveform(y, sr=sr, kind="pitch", amount=pitch)
    if speed != 1.0:
        y = features.augment_waveform(y, sr=sr, kind="stretch", amount=speed)
    S = features.log_mel(y, sr=sr)
    rng = np.random.default_rng(seed)
    if time_mask:
        t0 = rng.integers(0, max(1, S.shape[1] - time_mask))
        S[:, t0:t0 + time_mask] = S.min()
    if freq_mask:
        f0 = rng.integers(0, max(1, S.shape[0] - freq_mask))
        S[f0:f0 + freq_mask] = S.min()
    return y, S


def plot_augmentation(y: np.ndarray, sr: int = config.SR, *, seconds: float | None = 4.0,
                      **settings):
    """Show the original and augmented log-mel of the first ``seconds`` of ``y`` side by side,
    on one colour scale (the player's fallback). ``settings`` go to :func:`augment`."""
    y = y if seconds is None else y[: int(seconds * sr)]
    y_aug, S_aug = augment(y, sr, **settings)
    S = features.log_mel(y, sr=sr)
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.2), sharey=True)
    for ax, M, title in ((axes[0], S, "original"),
                         (axes[1], S_aug, ", ".join(f"{k}={v}" for k, v in settings.items()))):
        mesh = librosa.display.specshow(M, sr=sr, hop_length=config.HOP_LENGTH, x_axis="time",
                                        y_axis="mel", ax=ax, vmin=S.min(), vmax=S.max())
        ax.set(title=title, xlabel="time (s)")
    fig.colorbar(mesh, ax=axes, format="%+.0f dB", pad=0.01)
    return fig, y_aug


def augmentation_player(y: np.ndarray, sr: int = config.SR, *, seconds: float = 4.0):
    """Sliders for pitch, speed, time and frequency masks: hear and see the augmented clip."""
    import ipywidgets as w
    y = y[: int(seconds * sr)]
    sliders = {"pitch": w.FloatSlider(value=0, min=-4, max=4, step=0.5, description="pitch (st)"),
               "speed": w.FloatSlider(value=1.0, min=0.7, max=1.3, step=0.05, description="speed"),
               "time_mask": w.IntSlider(value=0, min=0, max=60, step=5, description="time mask"),
               "freq_mask": w.IntSlider(value=0, min=0, max=40, step=4, description="freq mask")}

    def draw(**settings):
        fig, y_aug = plot_augmentation(y, sr, seconds=None, **settings)
        plt.show()
        display(play(y_aug, sr, seconds=seconds))

    out = w.interactive_output(draw, sliders)
    return w.VBox([w.HBox(list(sliders.values())[:2]), w.HBox(list(sliders.values())[2:]), out])


# --------------------------------------------------------------------------- confusion explorer
def misclassified(run_dir, true_genre: str, predicted_genre: str, *,
                  metrics_file: str = "metrics.json") -> pd.DataFrame:
    """The tracks of a run's evaluation with this true and predicted genre (the explorer's fallback).

    Returns
    -------
    pd.DataFrame
        Columns ``track_id, path, genre, predicted``.
    """
    run_dir = Path(run_dir)
    metrics = json.loads((run_dir / metrics_file).read_text())
    cfg = json.loads((run_dir / "config.json").read_text())
    tracks = (data.load_recorded(cfg, progress=False) if metrics_file == "metrics.json"
              else data.load_dataset(metrics["dataset"], min_per_genre=1, progress=False))
    predicted = pd.Series(metrics["predictions"], name="predicted")
    table = tracks.merge(predicted.rename_axis("track_id").reset_index(), on="track_id")
    keep = (table["genre"] == true_genre) & (table["predicted"] == predicted_genre)
    return table.loc[keep, ["track_id", "path", "genre", "predicted"]].reset_index(drop=True)


def confusion_explorer(run_dir, *, metrics_file: str = "metrics.json", seconds: float = 5.0):
    """Pick a cell of the confusion matrix (true, predicted); list and play its tracks."""
    import ipywidgets as w
    run_dir = Path(run_dir)
    metrics = json.loads((run_dir / metrics_file).read_text())
    genres, cm = metrics["genres"], np.array(metrics["confusion_matrix"])
    pairs = [(f"{genres[i]} → {genres[j]} ({cm[i, j]})", (genres[i], genres[j]))
             for i in range(len(genres)) for j in range(len(genres)) if i != j and cm[i, j]]
    if not pairs:
        return w.HTML("No misclassified tracks in this evaluation.")
    picker = w.Dropdown(options=pairs, description="true → pred", layout=w.Layout(width="380px"))

    def show(cell):
        table = misclassified(run_dir, *cell, metrics_file=metrics_file)
        display(table[["track_id", "genre", "predicted"]])
        for row in table.head(3).itertuples():
            y, sr = audio.load(row.path)
            print(row.track_id)
            display(play(y, sr, seconds=seconds))

    return w.VBox([picker, w.interactive_output(show, {"cell": picker})])


# --------------------------------------------------------------------------- upload -> predict
def plot_prediction(result: dict, *, ax=None):
    """Bar chart of a :func:`course_utils.runs.predict_file` result's top genres."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 2.5))
    top = result["top"][::-1]
    ax.barh([t["genre"] for t in top], [t["probability"] for t in top], color="tab:blue")
    ax.set(xlim=(0, 1), xlabel="probability", title=Path(result["file"]).name)
    return ax


def second_opinion(run, path, *, top_k: int = 3) -> tuple[dict, dict]:
    """Print, side by side, what ``run`` and musicnn's zero-shot tagger say about ``path``.

    The run's answer comes with its "unsure" flag and, for a run trained on the
    synthetic set meeting other audio, its domain note (once); musicnn
    (:func:`course_utils.tagging.tag_file`) learned from real recordings and
    needs no training. Returns both results: ``(runs.predict_file(...),
    tagging.tag_file(...))``.
    """
    from . import runs, tagging   # load Keras and musicnn: only these widgets need them
    ours = runs.predict_file(run, path, top_k=top_k)
    opinion = tagging.tag_file(path, top_k=top_k)   # both taggers, cached after the first call
    best = ours["top"][0]
    print(f"this run (trained on {run.config['dataset']}): {best['genre']} "
          f"{best['probability']:.0%}" + (f", unsure: {ours['unsure_reason']}"
                                            if ours["unsure"] else ", not flagged unsure"))
    print(f"musicnn zero-shot (real training music): {opinion['zero_shot']['genre']} "
          f"(score {opinion['zero_shot']['score']:.2f})")
    print("musicnn's top tags:", ", ".join(f"{t['tag']} {t['probability']:.2f}"
                                           for t in opinion["tags"]))
    if ours["note"]:
        print(f"note: {ours['note']}")
    return ours, opinion


def uploaded_files(value) -> list[tuple[str, bytes]]:
    """``(name, content)`` of each file in a ``FileUpload``'s value, in either format.

    ipywidgets 8 gives a tuple of dicts ``{"name", "type", "size", "content"
    (a memoryview), "last_modified"}``; ipywidgets 7 (Colab's 7.7) a dict
    ``{name: {"metadata": {...}, "content": bytes}}``.

    Examples
    --------
    >>> uploaded_files(({"name": "a.wav", "content": memoryview(b"RIFF")},))
    [('a.wav', b'RIFF')]
    >>> uploaded_files({"a.wav": {"metadata": {"name": "a.wav"}, "content": b"RIFF"}})
    [('a.wav', b'RIFF')]
    """
    if isinstance(value, dict):
        return [(name, bytes(item["content"])) for name, item in value.items()]
    return [(item["name"], bytes(item["content"])) for item in value]


def upload_predict(run_dir, *, top_k: int = 3):
    """Upload an audio file; see the run's prediction beside musicnn's (fallback:
    :func:`second_opinion` on a path)."""
    import ipywidgets as w
    from . import runs   # loads Keras: only the prediction widget needs it
    from .exceptions import CourseError
    run = runs.load_run(run_dir)
    upload = w.FileUpload(accept=",".join(config.AUDIO_EXTENSIONS), multiple=False,
                          description="Upload audio")
    out = w.Output()

    def on_upload(change):
        out.clear_output()
        with out:
            for name, content in uploaded_files(change["new"]):
                path = Path(tempfile.mkdtemp()) / Path(name).name
                path.write_bytes(content)
                try:
                    result, _ = second_opinion(run, path, top_k=top_k)
                except CourseError as err:  # a bad file: say why, keep the widget alive
                    print(f"Could not predict {name}: {err}")
                    continue
                plot_prediction(result)
                plt.show()

    upload.observe(on_upload, names="value")
    return w.VBox([upload, out])
