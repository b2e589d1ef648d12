"""course_utils: the library behind the music-genre-classification course.

Modules, lowest first; each imports only modules above it in this list:

1. ``config`` (constants and paths), ``runtime`` (seeding, GPU, versions);
2. ``exceptions``, ``_validate``;
3. ``audio`` (loading, checking, segmenting audio), ``features`` (log-mel,
   MFCC, chroma, contrast, statistics, the feature cache);
4. ``synth`` (the synthetic dataset, a package), ``data`` (loading datasets and
   the split rules);
5. ``segments`` (model inputs and ``prepare``), ``classical`` (the statistics
   SVMs and the ensemble weight rule);
6. ``models`` (Keras builders and the one compile function), ``train``
   (augmentation, batches, ``fit``), ``runs`` (run folders and prediction),
   ``evaluate`` (metrics, plots, run evaluation).

Nothing up to ``classical`` imports Keras. ``widgets``, ``checks``, ``colab``,
``download``, ``notebooks`` and ``cli`` are leaves. Import the module you need,
e.g. ``from course_utils import data, features``.
"""
__version__ = "0.1.0"
