"""course_utils: the library behind the music-genre-classification course.

Modules and subpackages, lowest first; each imports only those of earlier items
(imports inside functions too; ``tests/test_packaging.py`` checks it against this list):

1. ``config`` (constants and paths), ``exceptions``;
2. ``runtime`` (seeding, GPU, versions), ``_validate`` (argument checks), ``_io`` (cache
   keys, atomic writes);
3. ``audio`` (loading and checking audio), ``notebooks`` (building and executing the lessons),
   ``claims`` (the numbers a lesson states, against its outputs);
4. ``features`` (log-mel, MFCC, chroma, contrast, statistics, the feature cache),
   ``synth`` (the synthetic dataset, a package), ``download`` (fetching GTZAN);
5. ``data`` (datasets and the split rules, a package), ``pretrained`` (musicnn: weights, embeddings);
6. ``segments`` (model inputs and prepare), ``models`` (Keras builders, a package);
7. ``classical`` (the statistics SVMs, the ensemble weight and the unsure rules), ``train``
   (augmentation, batches, fit), ``tagging`` (musicnn's tags, zero-shot genres);
8. ``runs`` (run folders, training one, predicting with it, a package);
9. ``evaluate`` (metrics, plots, run evaluation), ``apps`` (archiving, similarity, timelines),
   ``grading`` (nbgrader release and autograde);
10. ``experiments`` (the runs a lesson makes: ``ensure_run``, ``compare``, ``cross_validate``);
11. ``widgets``, ``checks`` (the lessons' graded checks), ``colab``, ``cli``;
12. ``__main__`` (``python -m course_utils``).

``audio``, ``features``, ``synth``, ``data``, ``segments``, ``classical``, ``runtime``,
``evaluate``'s metrics, ``experiments``, ``widgets``, ``checks`` and ``colab`` load no
deep-learning framework (lessons 01-02 start in seconds); ``models`` loads Keras but not librosa. Import the module
you need, e.g. ``from course_utils import data, features``.
"""
__version__ = "0.1.0"
