"""Shared fixtures and helpers: the seed dumps and the shared datasets, and the
CLI as the tests run it (in process through CliRunner, or as a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
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
