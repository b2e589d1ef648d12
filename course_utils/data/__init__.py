"""Datasets: one loader for the synthetic set, GTZAN and any folder of genres.

``load_dataset`` returns a table of tracks (path, genre, track id, artist),
with bad files checked once, cached, and kept out with a logged reason
(:mod:`.tracks`). ``split_tracks`` splits **by track, before any segmenting**, so no
track lands on two sides (:mod:`.splits`). ``verify`` reports what is in a dataset and
what is wrong with it. Introduced in 02_feature_extraction (loading) and 03_cnn
(splitting).
"""
from .splits import (SPLIT_METHODS, Split, kfold_shares, split_segments, split_tracks,
                     track_folds)
from .tracks import (GTZAN_FULL, check_file, format_report, full_gtzan, identity, load_dataset,
                     load_recorded, resolve, track_id, verify)

__all__ = ["GTZAN_FULL", "SPLIT_METHODS", "Split", "check_file", "format_report", "full_gtzan",
           "identity", "kfold_shares", "load_dataset", "load_recorded", "resolve",
           "split_segments", "split_tracks", "track_folds", "track_id", "verify"]
