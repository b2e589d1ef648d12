"""Download, verify and import the real GTZAN dataset.

`fetch_gtzan` downloads the archive (resuming a broken transfer), checks its sha256
and extracts it safely; `import_dataset` places a copy downloaded by hand (Kaggle's
zip or an extracted folder) where the loader looks. Nothing half-done is ever left
where a whole file or folder is expected. Introduced in 06_evaluation / README
'Using real GTZAN'.
"""
from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import re
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path, PurePosixPath
from typing import NoReturn

from tqdm.auto import tqdm

from . import audio, config
from .exceptions import ChecksumError, DataNotFoundError, DownloadError, ParameterError

MARKER = ".complete"                     # written into a dataset folder once it is whole
_CHUNK = 1 << 20


def sha256sum(path: str | os.PathLike, *, chunk_size: int = _CHUNK) -> str:
    """Return the sha256 of a file as 64 lowercase hex digits, reading it in chunks.

    Parameters
    ----------
    path : str or path-like
        The file to hash.
    chunk_size : int > 0
        Bytes read at a time, so a 1.2 GB archive never sits in memory.

    Returns
    -------
    digest : str
        The hex digest.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "empty"; f.write_bytes(b"")
    0
    >>> sha256sum(f)[:12]
    'e3b0c44298fc'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_gtzan(root: str | os.PathLike | None = None, *, url: str = config.GTZAN_URL,
                sha256: str = config.GTZAN_SHA256, force: bool = False,
                progress: bool = True) -> Path:
    """Download GTZAN's ``genres.tar.gz``, verify it and extract it under ``root``.

    The archive goes to ``<root>/downloads/`` (via a ``.part`` file that a re-run
    resumes), and the audio ends up in ``<root>/genres/<genre>/<genre>.NNNNN.wav``.
    A second call finds the finished folder and returns at once.

    Parameters
    ----------
    root : str, path-like or None
        Dataset folder; default ``config.data_dir() / "gtzan"``.
    url : str
        Where to download from (default: the Hugging Face mirror).
    sha256 : str [64 hex digits]
        Expected checksum of the archive at ``url``.
    force : bool
        Download and extract again even if the data is already in place.
    progress : bool
        Show tqdm progress bars.

    Returns
    -------
    root : Path
        The dataset folder, which holds ``genres/``.

    Raises
    ------
    DownloadError
        The network failed; re-running resumes the download.
    ChecksumError
        The archive has another checksum; it is kept aside as ``*.bad-<hex>``.
    ParameterError
        ``sha256`` is malformed, or the archive has an unsafe member or no ``genres/``.

    See Also
    --------
    import_dataset : place a copy downloaded by hand (e.g. from Kaggle).
    """
    root = Path(root).expanduser() if root is not None else config.data_dir() / "gtzan"
    if not re.fullmatch(r"[0-9a-fA-F]{64}", str(sha256)):
        raise ParameterError(f"sha256 must be 64 hex digits, got sha256={sha256!r}. "
                             "Copy the full checksum published with the mirror.")
    sha256 = sha256.lower()
    marker = root / "genres" / MARKER
    if not force and marker.is_file() and marker.read_text().strip() == sha256:
        return root
    archive = root / "downloads" / "genres.tar.gz"
    part = archive.with_name(archive.name + ".part")
    archive.parent.mkdir(parents=True, exist_ok=True)
    if force:
        archive.unlink(missing_ok=True)
        part.unlink(missing_ok=True)
    if not archive.exists():
        _download(url, part, progress=progress)
        _verify(part, sha256)
        os.replace(part, archive)
    else:
        _verify(archive, sha256)
    _remove_stale(root)
    with tempfile.TemporaryDirectory(dir=root, prefix=".extract-") as tmp:
        _extract_tar(archive, Path(tmp), progress=progress)
        if not (Path(tmp) / "genres").is_dir():
            raise ParameterError(f"{archive} has no genres/ folder at its top. Check that "
                                 f"{url} serves GTZAN's genres.tar.gz.")
        (Path(tmp) / "genres" / MARKER).write_text(sha256)
        for entry in Path(tmp).iterdir():
            _replace(entry, root / entry.name)
    return root


def import_dataset(path: str | os.PathLike, root: str | os.PathLike | None = None, *,
                   progress: bool = True) -> Path:
    """Copy a GTZAN downloaded by hand into ``root``, in a layout the loader reads.

    Accepts Kaggle's zip (``Data/genres_original/<genre>/*.wav`` plus CSVs; the
    spectrogram images are skipped), Kaggle's extracted ``Data/`` or
    ``genres_original/`` folder, or the original ``genres/`` folder. Audio lands in
    ``<root>/genres_original/<genre>/`` or ``<root>/genres/<genre>/``, CSVs in
    ``<root>/``. Hidden and macOS ``._*`` files are skipped. The source is never
    changed, and a second call with the same source returns at once.

    Parameters
    ----------
    path : str or path-like
        The zip file or folder.
    root : str, path-like or None
        Dataset folder; default ``config.data_dir() / "gtzan"``.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    root : Path
        The dataset folder.

    Raises
    ------
    DataNotFoundError
        ``path`` does not exist.
    ParameterError
        ``path`` is not a zip or folder, holds no genre folders, or has an unsafe member.

    See Also
    --------
    fetch_gtzan : download the dataset instead.
    """
    path = Path(path).expanduser()
    root = Path(root).expanduser() if root is not None else config.data_dir() / "gtzan"
    if not path.exists():
        raise DataNotFoundError(f"{path} does not exist. Pass Kaggle's GTZAN zip or a folder "
                                "holding genres_original/ or genres/.")
    with contextlib.ExitStack() as stack:
        sources = _list_sources(path, stack)
        plan = {name: dest for name in sources if (dest := _destination(name)) is not None}
        layouts = sorted({dest.parts[0] for dest in plan.values() if len(dest.parts) == 3})
        if not layouts:
            raise ParameterError(
                f"No genre folders found in {path}. Expected audio in genres_original/<genre>/"
                f"*.wav (Kaggle's Data/ folder or zip) or genres/<genre>/*.au|wav (the "
                f"original archive), with <genre> one of {', '.join(config.GENRES)}.")
        size = sum(sources[name][0] for name in plan)
        fingerprint = f"{path.resolve()}|{len(plan)}|{size}"
        if all(_read(root / layout / MARKER) == fingerprint for layout in layouts):
            return root
        root.mkdir(parents=True, exist_ok=True)
        _remove_stale(root)
        with tempfile.TemporaryDirectory(dir=root, prefix=".import-") as tmp:
            for name, dest in tqdm(plan.items(), desc=f"Importing {path.name}", unit=" files",
                                   disable=not progress):
                Path(tmp, dest).parent.mkdir(parents=True, exist_ok=True)
                with sources[name][1]() as src, open(Path(tmp, dest), "wb") as out:
                    shutil.copyfileobj(src, out, _CHUNK)
            for layout in layouts:
                Path(tmp, layout, MARKER).write_text(fingerprint)
            for entry in Path(tmp).iterdir():
                _replace(entry, root / entry.name)
    return root


def _list_sources(path: Path, stack: contextlib.ExitStack) -> dict[str, tuple[int, Callable]]:
    """Map each file of folder or zip ``path`` to its size and a function that opens it."""
    if path.is_dir():  # names start with the folder's own name, e.g. genres_original/blues/..
        return {f"{path.name}/{p.relative_to(path).as_posix()}":
                (p.stat().st_size, partial(open, p, "rb"))
                for p in sorted(path.rglob("*")) if p.is_file()}
    if not zipfile.is_zipfile(path):
        raise ParameterError(f"{path} is neither a folder nor a zip file. Pass Kaggle's "
                             "GTZAN zip or an extracted folder.")
    zf = stack.enter_context(zipfile.ZipFile(path))
    infos = [info for info in zf.infolist() if not info.is_dir()]
    for info in infos:
        _check_zip_member(info, path)
    return {info.filename: (info.file_size, partial(zf.open, info)) for info in infos}


def _download(url: str, part: Path, *, progress: bool) -> None:
    """Download ``url`` into ``part``, resuming from its current size with HTTP Range."""
    retry = " Re-run the same command: the download resumes where it stopped."
    for _ in range(2):  # a second pass starts from zero after a 416 on a bad .part
        start = part.stat().st_size if part.exists() else 0
        headers = {"User-Agent": "course-utils"} | ({"Range": f"bytes={start}-"} if start else {})
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                        timeout=60) as resp:
                if resp.status != 206:
                    start = 0  # the server ignored Range: start over
                length = resp.headers.get("Content-Length")
                total = start + int(length) if length else None
                with open(part, "ab" if start else "wb") as out, \
                        tqdm(total=total, initial=start, unit="B", unit_scale=True,
                             unit_divisor=1024, desc=part.name, disable=not progress) as bar:
                    while chunk := resp.read(_CHUNK):
                        out.write(chunk)
                        bar.update(len(chunk))
        except urllib.error.HTTPError as err:
            if err.code == 416 and start:  # .part is whole already, or longer than the file
                whole = re.search(r"/(\d+)$", err.headers.get("Content-Range", ""))
                if whole and int(whole.group(1)) == start:
                    return
                part.unlink()
                continue
            raise DownloadError(f"{url} answered HTTP {err.code} {err.reason}. Check the URL "
                                "or pass another mirror with --url and --sha256.") from err
        except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
            raise DownloadError(f"Downloading {url} to {part} failed: {getattr(err, 'reason', err)}.{retry}") from err
        got = part.stat().st_size
        if total is not None and got < total:
            raise DownloadError(f"The connection to {url} closed after {got} of {total} "
                                f"bytes (kept in {part}).{retry}")
        return


def _verify(path: Path, expected: str) -> None:
    """Raise ChecksumError, keeping the file aside, unless ``path`` hashes to ``expected``."""
    actual = sha256sum(path)
    if actual != expected:
        kept = path.with_name(f"{path.name.removesuffix('.part')}.bad-{actual[:8]}")
        os.replace(path, kept)
        raise ChecksumError(
            f"Checksum mismatch: expected sha256 {expected}, got {actual} for the downloaded "
            f"file, kept aside as {kept}. If you trust this mirror, re-run with --sha256 "
            f"{actual} (sha256= in Python); otherwise re-run to download it again and delete "
            f"{kept.name} afterwards.")


def _extract_tar(archive: Path, dest: Path, *, progress: bool) -> None:
    """Extract ``archive`` into ``dest``, refusing any member that would land outside."""
    safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python >= 3.11.4
    base = dest.resolve()
    with tarfile.open(archive, "r:*") as tar:
        for member in tqdm(tar, desc=f"Extracting {archive.name}", unit=" files",
                           disable=not progress):
            targets = [member.name]
            if member.issym():
                targets.append(str(PurePosixPath(member.name).parent / member.linkname))
            elif member.islnk():
                targets.append(member.linkname)
            elif not (member.isfile() or member.isdir()):
                _refuse(archive, member.name, "is a device or a pipe")
            for target in targets:  # resolve() follows links extracted so far
                path = (base / target).resolve()
                if path != base and base not in path.parents:
                    _refuse(archive, member.name, f"would reach {target!r}, outside the "
                            "target folder")
            tar.extract(member, dest, **safe)


def _check_zip_member(info: zipfile.ZipInfo, archive: Path) -> None:
    """Refuse a zip member that is absolute, climbs out with ``..`` or is a symlink."""
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in name.split("/"):
        _refuse(archive, info.filename, "would be written outside the target folder")
    if (info.external_attr >> 16) & 0o170000 == 0o120000:
        _refuse(archive, info.filename, "is a symbolic link")


def _refuse(archive: Path, member: str, why: str) -> NoReturn:
    """Raise ParameterError naming the unsafe ``member`` of ``archive``."""
    raise ParameterError(f"{archive}: member {member!r} {why}. Refusing to extract it: the "
                         "archive is damaged or malicious, so delete it and get it again.")


def _destination(name: str) -> PurePosixPath | None:
    """Where an imported file goes below ``root``, or None to skip it."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if any(p.startswith(".") or p == "__MACOSX" for p in parts):
        return None
    if parts[-1].lower().endswith(".csv"):
        return PurePosixPath(parts[-1])
    if (len(parts) >= 2 and parts[-2] in config.GENRES
            and audio.is_audio_file(parts[-1])):
        layout = parts[-3] if len(parts) >= 3 and parts[-3] in config.LAYOUTS else "genres"
        return PurePosixPath(layout, parts[-2], parts[-1])
    return None


def _read(path: Path) -> str | None:
    """The stripped text of ``path``, or None if it is not a file."""
    return path.read_text().strip() if path.is_file() else None


def _remove_stale(root: Path) -> None:
    """Remove temporary folders that a killed extraction or import left in ``root``."""
    for stale in [*root.glob(".extract-*"), *root.glob(".import-*")]:
        shutil.rmtree(stale, ignore_errors=True)


def _replace(src: Path, dst: Path) -> None:
    """Move ``src`` to ``dst``, removing whatever ``dst`` was first."""
    if dst.is_dir() and not dst.is_symlink():
        shutil.rmtree(dst)
    elif dst.exists() or dst.is_symlink():
        dst.unlink()
    os.replace(src, dst)
