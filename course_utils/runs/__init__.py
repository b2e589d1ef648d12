"""Runs: train a model end to end, save it as a folder, load it and predict with it.

``train_run`` prepares the data, trains the network, fits the ensemble's
classical half and writes a self-describing run folder (:mod:`.fit`, with the
held-out predictions the ensemble is fitted on in :mod:`.ensemble`). ``load_run`` reads it
back, refusing one whose feature settings differ from the code's, and
``Run.predict`` is the one prediction path: from per-track features to segment,
network, statistics and ensemble probabilities. ``predict_file`` applies it to
any audio file (:mod:`.folder`). Introduced in 03_cnn (runs) and 07_your_own_music
(prediction).
"""
from .fit import check_out_dir, train_run
from .folder import (NOVELTY_FILE, NOVELTY_SPACES, RUN_FORMAT, STATS_FILE, SYNTHETIC_DOMAIN_NOTE,
                     Predictions, Run, load_run, novelty_vectors, predict_file, predict_folder)

__all__ = ["NOVELTY_FILE", "NOVELTY_SPACES", "RUN_FORMAT", "STATS_FILE", "SYNTHETIC_DOMAIN_NOTE",
           "Predictions", "Run", "check_out_dir", "load_run", "novelty_vectors", "predict_file",
           "predict_folder", "train_run"]
