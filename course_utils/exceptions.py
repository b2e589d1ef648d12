"""The course's exceptions: one small hierarchy, so callers can catch precisely.

Every message says what is wrong, shows the bad value and gives the fix.
Introduced in 01_audio_basics.
"""
from __future__ import annotations


class CourseError(Exception):
    """Base class of every error this package raises on purpose."""


class ParameterError(CourseError, ValueError):
    """An argument has the wrong type, shape or value."""


class DataNotFoundError(CourseError, FileNotFoundError):
    """A dataset, folder or file that was asked for does not exist."""


class AudioDecodeError(CourseError):
    """A file could not be read as usable audio (corrupt, empty, silent, too short)."""

    def __init__(self, path, reason: str, fix: str = ""):
        self.path, self.reason = str(path), reason
        message = f"{path}: {reason}."
        if fix:
            message += f" {fix}"
        super().__init__(message)


class ChecksumError(CourseError):
    """A downloaded file does not have the expected checksum."""


class DownloadError(CourseError):
    """A download failed or was interrupted and could not be resumed."""


class RunMismatchError(CourseError):
    """A saved run was made with feature settings that differ from the code's."""


class DatasetError(CourseError):
    """A dataset exists but is unusable (e.g. fewer than 2 usable tracks in a genre)."""
