"""course_utils: the library behind the music-genre-classification course.

Modules, in dependency order: ``config`` -> ``exceptions``/``_validate`` ->
``audio`` -> ``features`` -> ``data``/``synth``/``download`` -> ``models`` ->
``train`` -> ``evaluate``. ``widgets``, ``checks``, ``notebooks`` and ``cli``
are leaves. Import the module you need, e.g.
``from course_utils import data, features``.
"""
__version__ = "0.1.0"
