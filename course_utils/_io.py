"""Small I/O helpers the caches and writers share: a file's signature, cache keys and
atomic writes. Private: the modules that cache (features, pretrained, data, apps) and write
(synth, download) use them.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Callable


def signature(path: str | os.PathLike) -> list[int]:
    """``[size, mtime_ns]`` of a file: what tells an edited file from the one cached."""
    st = Path(path).stat()
    return [st.st_size, st.st_mtime_ns]


def cache_key(*parts) -> str:
    """A hex digest of ``parts`` (anything JSON can write, dict keys sorted)."""
    return hashlib.sha1(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def file_key(path: str | os.PathLike, *parts) -> str:
    """:func:`cache_key` of a file's resolved path, its :func:`signature` and ``parts``: a
    moved, edited or touched file gets a new key.

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "a.wav"
    >>> _ = f.write_bytes(b"RIFF")
    >>> file_key(f, "logmel") == file_key(f, "logmel") != file_key(f, "mfcc")
    True
    """
    return cache_key(str(Path(path).resolve()), *signature(path), *parts)


def write_atomic(path: str | os.PathLike, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary name beside ``path``, then move it into place in one
    step, so a reader never sees half a file (or half a folder); the temporary is removed if
    ``write`` fails. The temporary keeps ``path``'s suffix (``np.savez`` adds ``.npz`` to a
    name without it). When another process has already put a folder in place, its copy wins.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}{path.suffix}")
    try:
        write(tmp)
        try:
            os.replace(tmp, path)
        except OSError:
            if not (tmp.is_dir() and path.is_dir()):
                raise
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp.exists():
            tmp.unlink()
