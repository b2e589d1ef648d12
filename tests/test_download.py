"""Tests for course_utils.download, against a local HTTP server on 127.0.0.1."""
from __future__ import annotations

import hashlib
import io
import re
import socket
import tarfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf

from course_utils.download import fetch_gtzan, import_dataset, sha256sum
from course_utils.exceptions import (
    ChecksumError, DataNotFoundError, DownloadError, ParameterError,
)

GENRES = ("blues", "classical")
APPLE_DOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "


@pytest.fixture
def server():
    """An HTTP server on 127.0.0.1 that serves ``state.payload`` at ``state.url``.

    It honours ``Range: bytes=N-`` (206, or 416 past the end) unless
    ``state.ignore_range``; with ``state.cut_after = n`` the first response announces the
    whole length but closes the connection after n bytes. ``/redirect`` answers 302 to
    ``state.url``. ``state.requests`` records the headers of every request.
    """
    state = SimpleNamespace(payload=b"", requests=[], cut_after=None, cut_done=False,
                            ignore_range=False, status=200)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            state.requests.append(dict(self.headers))
            if self.path == "/redirect":  # as Hugging Face's resolve/ URLs redirect to a CDN
                self.send_response(302)
                self.send_header("Location", state.url)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data, start = state.payload, 0
            match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
            if state.status != 200:
                self.send_error(state.status)
                return
            if match and not state.ignore_range:
                start = int(match.group(1))
                if start >= len(data):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            body = data[start:]
            self.send_response(206 if start else 200)
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if state.cut_after is not None and not state.cut_done:
                state.cut_done = True
                body = body[:state.cut_after]  # then HTTP/1.0 closes the connection
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_port}/genres.tar.gz"
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _wav_bytes(seed: int) -> bytes:
    y = np.random.default_rng(seed).uniform(-0.5, 0.5, 2205).astype(np.float32)  # 0.1 s
    buf = io.BytesIO()
    sf.write(buf, y, 22050, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def _clips(prefix: str, ext: str = ".wav") -> dict[str, bytes]:
    """2 genres x 2 clips at ``prefix/<genre>/<genre>.0000N<ext>``, with AppleDouble files."""
    files = {}
    for g, genre in enumerate(GENRES):
        for i in range(2):
            name = f"{genre}.{i:05d}{ext}"
            files[f"{prefix}/{genre}/{name}"] = _wav_bytes(10 * g + i)
            files[f"{prefix}/{genre}/._{name}"] = APPLE_DOUBLE
    return files


def _tar(files: dict[str, bytes], extra: tuple[tarfile.TarInfo, ...] = ()) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info in extra:
            tar.addfile(info, io.BytesIO(b"evil" if info.isfile() else b""))
    return buf.getvalue()


def _serve(server, files=None, extra=()) -> tuple[bytes, str]:
    server.payload = _tar(_clips("genres") if files is None else files, extra)
    return server.payload, hashlib.sha256(server.payload).hexdigest()


def test_sha256sum_matches_hashlib(tmp_path):
    f = tmp_path / "blob"
    f.write_bytes(b"x" * 3000)
    assert sha256sum(f, chunk_size=1000) == hashlib.sha256(b"x" * 3000).hexdigest()


def test_fetch_downloads_verifies_extracts_and_is_idempotent(server, tmp_path):
    payload, digest = _serve(server)
    root = fetch_gtzan(tmp_path / "gtzan", url=server.url, sha256=digest, progress=False)
    assert root == tmp_path / "gtzan"
    for path, data in _clips("genres").items():
        assert (root / path).read_bytes() == data  # AppleDouble files come along too
    assert sha256sum(root / "downloads" / "genres.tar.gz") == digest
    assert not (root / "downloads" / "genres.tar.gz.part").exists()
    assert not list(root.glob(".extract-*"))
    y, sr = sf.read(root / "genres/blues/blues.00001.wav")
    assert sr == 22050 and y.shape == (2205,)
    inode = (root / "genres/blues/blues.00001.wav").stat().st_ino
    fetch_gtzan(root, url=server.url, sha256=digest, progress=False)
    assert len(server.requests) == 1  # no download ...
    assert (root / "genres/blues/blues.00001.wav").stat().st_ino == inode  # ... nor extraction


def test_fetch_force_downloads_again(server, tmp_path):
    _, digest = _serve(server)
    fetch_gtzan(tmp_path, url=server.url, sha256=digest, progress=False)
    fetch_gtzan(tmp_path, url=server.url, sha256=digest, force=True, progress=False)
    assert len(server.requests) == 2


@pytest.mark.parametrize("redirect", [False, True], ids=["direct", "redirected"])
def test_fetch_resumes_an_interrupted_download(server, tmp_path, redirect):
    payload, digest = _serve(server)
    server.cut_after = len(payload) // 2
    url = server.url.replace("/genres.tar.gz", "/redirect") if redirect else server.url
    with pytest.raises(DownloadError, match="resumes"):
        fetch_gtzan(tmp_path, url=url, sha256=digest, progress=False)
    part = tmp_path / "downloads" / "genres.tar.gz.part"
    assert part.stat().st_size == len(payload) // 2
    assert not (tmp_path / "downloads" / "genres.tar.gz").exists()
    fetch_gtzan(tmp_path, url=url, sha256=digest, progress=False)
    assert server.requests[-1]["Range"] == f"bytes={len(payload) // 2}-"  # kept on redirect
    assert (tmp_path / "downloads" / "genres.tar.gz").read_bytes() == payload
    assert (tmp_path / "genres/classical/classical.00001.wav").is_file()


def test_fetch_restarts_when_the_server_ignores_range(server, tmp_path):
    payload, digest = _serve(server)
    server.cut_after, server.ignore_range = len(payload) // 3, True
    with pytest.raises(DownloadError):
        fetch_gtzan(tmp_path, url=server.url, sha256=digest, progress=False)
    fetch_gtzan(tmp_path, url=server.url, sha256=digest, progress=False)
    assert "Range" in server.requests[1]
    assert (tmp_path / "downloads" / "genres.tar.gz").read_bytes() == payload


@pytest.mark.parametrize("extra", [b"", b"junk"], ids=["complete", "too-long"])
def test_fetch_handles_416_for_a_finished_part(server, tmp_path, extra):
    payload, digest = _serve(server)
    (tmp_path / "downloads").mkdir()
    (tmp_path / "downloads" / "genres.tar.gz.part").write_bytes(payload + extra)
    fetch_gtzan(tmp_path, url=server.url, sha256=digest, progress=False)
    assert (tmp_path / "downloads" / "genres.tar.gz").read_bytes() == payload
    assert len(server.requests) == (1 if not extra else 2)


def test_fetch_refuses_a_bad_checksum_and_keeps_the_file(server, tmp_path):
    payload, digest = _serve(server)
    with pytest.raises(ChecksumError, match=f"expected sha256 {'0' * 64}, got {digest}"):
        fetch_gtzan(tmp_path, url=server.url, sha256="0" * 64, progress=False)
    kept = tmp_path / "downloads" / f"genres.tar.gz.bad-{digest[:8]}"
    assert kept.read_bytes() == payload
    assert sorted(p.name for p in tmp_path.iterdir()) == ["downloads"]
    assert sorted(p.name for p in (tmp_path / "downloads").iterdir()) == [kept.name]


def test_fetch_rejects_a_malformed_sha256(tmp_path):
    with pytest.raises(ParameterError, match="64 hex digits"):
        fetch_gtzan(tmp_path, url="http://127.0.0.1:9/x", sha256="abc", progress=False)


def _evil(kind: str, tmp_path: Path) -> tarfile.TarInfo:
    if kind == "dotdot":
        info = tarfile.TarInfo("genres/blues/../../../evil.txt")
    elif kind == "absolute":
        info = tarfile.TarInfo(str(tmp_path / "evil-absolute.txt"))
    else:
        info = tarfile.TarInfo("genres/evil-link")
        info.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
        info.linkname = "../../evil.txt" if kind == "symlink" else "../evil.txt"
        return info
    info.size = 4
    return info


@pytest.mark.filterwarnings("ignore:Python 3.14 will:DeprecationWarning")  # no filter=
@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink", "hardlink"])
@pytest.mark.parametrize("data_filter", [True, False], ids=["with-filter", "own-check-only"])
def test_fetch_refuses_members_outside_the_target(server, tmp_path, monkeypatch, kind,
                                                  data_filter):
    if not data_filter:  # as on Python < 3.11.4: only our own check stands guard
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    evil = _evil(kind, tmp_path)
    _, digest = _serve(server, extra=(evil,))
    root = tmp_path / "a" / "b" / "gtzan"
    with pytest.raises(ParameterError, match=re.escape(repr(evil.name))):
        fetch_gtzan(root, url=server.url, sha256=digest, progress=False)
    assert not list(tmp_path.rglob("evil*"))
    assert sorted(p.name for p in root.iterdir()) == ["downloads"]


def test_fetch_reports_network_errors(server, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    with pytest.raises(DownloadError, match=f"127.0.0.1:{port}.*resumes"):
        fetch_gtzan(tmp_path, url=f"http://127.0.0.1:{port}/x", sha256="0" * 64,
                    progress=False)
    server.status = 404
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch_gtzan(tmp_path, url=server.url, sha256="0" * 64, progress=False)


def _kaggle_files() -> dict[str, bytes]:
    files = _clips("Data/genres_original")
    files["Data/images_original/blues/blues00000.png"] = b"\x89PNG"
    files["Data/features_30_sec.csv"] = b"filename,label\r\nblues.00000.wav,blues\r\n"
    files["Data/features_3_sec.csv"] = b"filename,label\r\n"
    files["__MACOSX/Data/genres_original/blues/._blues.00000.wav"] = APPLE_DOUBLE
    return files


def _assert_imported(root: Path, layout: str, ext: str = ".wav") -> None:
    expected = {f"{layout}/{g}/{g}.{i:05d}{ext}" for g in GENRES for i in range(2)}
    found = {p.relative_to(root).as_posix() for p in root.rglob("*")
             if p.is_file() and p.parent.parent.name == layout and not p.name.startswith(".")}
    assert found == expected
    assert not list(root.rglob("._*")) and not list(root.rglob("*.png"))
    assert not list(root.glob(".import-*"))


def test_import_kaggle_zip(tmp_path):
    archive = tmp_path / "gtzan-dataset-music-genre-classification.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in _kaggle_files().items():
            zf.writestr(name, data)
    root = import_dataset(archive, tmp_path / "gtzan", progress=False)
    _assert_imported(root, "genres_original")
    blues = root / "genres_original/blues/blues.00001.wav"
    assert blues.read_bytes() == _kaggle_files()["Data/genres_original/blues/blues.00001.wav"]
    assert (root / "features_30_sec.csv").read_bytes().startswith(b"filename,label\r\n")
    assert (root / "features_3_sec.csv").is_file()
    inode = blues.stat().st_ino
    import_dataset(archive, root, progress=False)  # idempotent: nothing is rewritten
    assert blues.stat().st_ino == inode


@pytest.mark.parametrize("given, layout, ext", [
    ("Data", "genres_original", ".wav"),
    ("Data/genres_original", "genres_original", ".wav"),
    ("genres", "genres", ".au"),
])
def test_import_folder_copies_it(tmp_path, given, layout, ext):
    files = _kaggle_files() if layout == "genres_original" else _clips("genres", ext)
    for name, data in files.items():
        (tmp_path / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / name).write_bytes(data)
    root = import_dataset(tmp_path / "src" / given, tmp_path / "gtzan", progress=False)
    _assert_imported(root, layout, ext)
    assert all((tmp_path / "src" / name).read_bytes() == data for name, data in files.items())


def test_import_missing_path(tmp_path):
    with pytest.raises(DataNotFoundError, match="nowhere.zip"):
        import_dataset(tmp_path / "nowhere.zip", tmp_path / "gtzan")


def test_import_without_genre_folders(tmp_path):
    (tmp_path / "src" / "songs").mkdir(parents=True)
    (tmp_path / "src" / "songs" / "a.wav").write_bytes(_wav_bytes(0))
    with pytest.raises(ParameterError, match=r"genres_original/<genre>/\*\.wav"):
        import_dataset(tmp_path / "src", tmp_path / "gtzan", progress=False)
    (tmp_path / "notes.txt").write_text("not a zip")
    with pytest.raises(ParameterError, match="neither a folder nor a zip"):
        import_dataset(tmp_path / "notes.txt", tmp_path / "gtzan", progress=False)


def test_import_refuses_unsafe_zip_members(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Data/genres_original/blues/blues.00000.wav", _wav_bytes(0))
        zf.writestr("Data/genres_original/blues/../../../../evil.wav", b"evil")
    with pytest.raises(ParameterError, match=re.escape("'Data/genres_original/blues/../")):
        import_dataset(archive, tmp_path / "gtzan", progress=False)
    assert not (tmp_path / "gtzan").exists() and not list(tmp_path.rglob("evil.wav"))



@pytest.mark.gtzan
def test_import_real_gtzan_sample(gtzan_sample, tmp_path):
    root = import_dataset(gtzan_sample, tmp_path / "gtzan", progress=False)
    assert len(list(root.glob("genres/*/*.au"))) == 10
    assert len(list(root.glob("genres_original/*/*.wav"))) == 14
    csv = "features_30_sec.csv"
    assert (root / csv).read_bytes() == (gtzan_sample / csv).read_bytes()


def _four_second_clips() -> dict[str, bytes]:
    files = {}
    for g, genre in enumerate(GENRES):
        for i in range(2):
            y = np.random.default_rng(10 * g + i).uniform(-0.5, 0.5, 4 * 22050).astype(np.float32)
            buf = io.BytesIO()
            sf.write(buf, y, 22050, format="WAV", subtype="PCM_16")
            files[f"genres/{genre}/{genre}.{i:05d}.wav"] = buf.getvalue()
    return files


def test_colab_setup_fetches_and_verifies_gtzan_when_asked(server, tmp_path, monkeypatch):
    from course_utils import colab, config, data
    from course_utils.exceptions import DatasetError
    _, digest = _serve(server, _four_second_clips())
    monkeypatch.setattr(colab, "missing_requirements", lambda: [])
    for var, value in (("COURSE_DATA_DIR", tmp_path / "home" / "data"),
                       ("COURSE_RUNS_DIR", tmp_path / "home" / "runs"),
                       ("COURSE_DATASET", "synthetic")):   # restored after the test
        monkeypatch.setenv(var, str(value))
    # a partial copy is not the benchmark: a clear error, the download kept for the next try
    with pytest.raises(DatasetError, match="fewer than 990 usable tracks"):
        colab.setup(dataset="gtzan", gtzan_url=server.url, gtzan_sha256=digest)
    assert config.default_dataset() == "synthetic"
    monkeypatch.setattr(data.tracks, "GTZAN_FULL", 4)
    data_dir = colab.setup(dataset="gtzan", gtzan_url=server.url, gtzan_sha256=digest)
    assert data_dir == tmp_path / "home" / "data"
    assert config.default_dataset() == "gtzan" and len(data.load_dataset(progress=False)) == 4
    assert len(server.requests) == 1      # fetched once: the second call found it in place
    with pytest.raises(ParameterError, match="COURSE_DATASET"):
        colab.setup(dataset="~/music", prepare_data=False)
