"""Shared fixtures and helpers: the seed dumps and the shared datasets, and the
CLI as the tests run it (in process through CliRunner, or as a subprocess)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
DATASETS = SHARED / "datasets"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside the checkout")
    return SEEDS


@pytest.fixture(scope="session")
def seed_files(seeds_dir) -> list[Path]:
    return sorted(seeds_dir.glob("*.txt"))


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    if not DATASETS.is_dir():
        pytest.skip("../shared/datasets is not beside the checkout")
    return DATASETS


# --- the CLI, as the tests run it ---------------------------------------------------------

_runner = CliRunner()


def invoke(*args, input=None, application=None):
    """The `cleaner` command (or another Typer app) through Typer's CliRunner, in process."""
    return _runner.invoke(application or app, [str(a) for a in args], input=input,
                          catch_exceptions=False)


def cleaner_subprocess(*args, faults: dict | None = None,
                       timeout: float = 120) -> subprocess.CompletedProcess:
    """`cleaner ARGS` as a real process; with `faults` (cleaner/batch/faults.py) it runs
    through the fault seam, e.g. {"crash_at_page": 7} kills it while writing page 7."""
    command = [sys.executable, "-m", "cleaner"]
    if faults is not None:
        command = [sys.executable, "-m", "cleaner.batch.faults", json.dumps(faults)]
    return subprocess.run([*command, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def records(path: Path) -> list[dict]:
    """The records of a JSONL output file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def seed_copies(seed_files, folder: Path, count: int, broken: str = "013_broken.txt") -> Path:
    """A crawl-like folder: `count` dumps, `NNN_<seed>`, the seeds over and over, and one
    binary file named `broken` (sorted among them by its name)."""
    folder.mkdir()
    for index in range(count):
        source = seed_files[index % len(seed_files)]
        (folder / f"{index:03d}_{source.name}").write_bytes(source.read_bytes())
    (folder / broken).write_bytes(bytes(range(256)) * 16)
    return folder


# --- a small WARC of real pages, for the engines' tests (Spark, datatrove) --------------

# Two sites of l3s-gn1 with several pages each, so that site stats find template lines.
WARC_HOSTS = ("www.reuters.com", "www.earthtimes.org")


def real_pages_warc(path: Path, per_host: int = 3, broken: bool = False) -> Path:
    """A gzipped WARC at `path` of `per_host` real l3s-gn1 pages of each of WARC_HOSTS
    (their own URLs, UTF-8 as declared), each response after its request, as crawlers
    write them; with `broken`, one response whose gzip body cannot be decoded. Written
    by hand (the format is a few headers): no WARC writer among the test dependencies.
    Build it under data/build/ (git-ignored): dataset pages are never committed."""
    import gzip
    import uuid

    if not DATASETS.is_dir():
        pytest.skip("../shared/datasets is not beside the checkout")
    folder = DATASETS / "l3s-gn1"
    urls = dict(line.split("\t") for line in
                (folder / "url-mapping.tsv").read_text(encoding="utf-8").splitlines() if line)
    chosen = [pair for host in WARC_HOSTS for pair in
              [(name, url) for name, url in sorted(urls.items()) if url.split("/")[2] == host]
              [:per_host]]

    def record(kind: str, url: str, block: bytes, number: int) -> bytes:
        record_id = uuid.UUID(int=number)
        content_type = f"application/http; msgtype={kind}"
        head = (f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {url}\r\n"
                f"WARC-Date: 2010-01-01T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:{record_id}>\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(block)}\r\n\r\n")
        return gzip.compress(head.encode() + block + b"\r\n\r\n", mtime=0)

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for number, (name, url) in enumerate(chosen):
            html = (folder / "original" / f"{name}.html").read_bytes()
            host = url.split("/")[2]
            out.write(record("request", url, f"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n".encode(),
                             2 * number))
            headers = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            if broken and number == 1:  # a gzip body cut after its first bytes
                headers += b"Content-Encoding: gzip\r\n"
                html = gzip.compress(html)[:64]
            block = headers + f"Content-Length: {len(html)}\r\n\r\n".encode() + html
            out.write(record("response", url, block, 2 * number + 1))
    return path


def review_server(pages: Path, labels: Path, cleaner, host: str = "127.0.0.1"):
    """`cleaner review`'s server on a free port, the pages pre-labelled (see serving)."""
    from cleaner.review.pages import Workspace

    workspace = Workspace([pages], labels, cleaner)
    workspace.prelabel()
    return serving(workspace, host)


@contextlib.contextmanager
def serving(workspace, host: str = "127.0.0.1"):
    """A review server for the workspace, serving in a thread while the block runs."""
    from cleaner.review.server import ReviewServer
    from cleaner.review.training import TrainJob

    running = ReviewServer(workspace, TrainJob(workspace, "default", workspace.labels / "model"),
                           host=host, port=0)
    threading.Thread(target=running.serve_forever, daemon=True).start()
    try:
        yield running
    finally:
        running.shutdown()
        running.server_close()
