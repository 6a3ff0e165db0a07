"""Ctrl-C at any moment of `cleaner clean`: exit status 130 and no traceback
(cleaner/interrupts.py, cleaner/batch/pool.py).

Real processes, interrupted as a terminal does it: SIGINT to the whole process
group, the main process and its loky workers alike.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

EXIT_INTERRUPTED = 130
PAGES = 3000
# What Python and loky print when a KeyboardInterrupt goes astray.
NOISE = ("Traceback", "Exception ignored", "KeyboardInterrupt", "Warning", "leaked")


@pytest.fixture(scope="module")
def crawl(seed_files, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("interrupts") / "crawl"
    folder.mkdir()
    for index in range(PAGES):
        source = seed_files[index % len(seed_files)]
        (folder / f"{index:05d}.txt").write_bytes(source.read_bytes())
    return folder


def start(crawl: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cleaner", "clean", str(crawl), "-o", str(out), "--jobs", "2",
         *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env=dict(os.environ, PYTHONPATH=str(REPO)))


def ctrl_c(process: subprocess.Popen) -> None:
    """SIGINT to the process group, as a terminal sends it on Ctrl-C."""
    os.killpg(process.pid, signal.SIGINT)


def written(out: Path) -> int:
    try:
        return sum(1 for name in os.listdir(out) if name.endswith(".txt"))
    except FileNotFoundError:
        return 0


def wait_for(condition, process: subprocess.Popen, timeout: float = 120) -> bool:
    """Whether `condition()` came true while the process was still running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if condition():
            return True
        time.sleep(0.005)
    raise AssertionError("the run neither got there nor ended")


def finish(process: subprocess.Popen) -> tuple[int, str]:
    _, stderr = process.communicate(timeout=120)
    for noise in NOISE:
        assert noise not in stderr, stderr[-3000:]
    return process.returncode, stderr


def test_ctrl_c_in_the_middle_of_a_run_keeps_it_resumable(crawl, tmp_path):
    out = tmp_path / "out"
    process = start(crawl, out, "--no-site-stats")
    assert wait_for(lambda: written(out) >= 200, process)
    ctrl_c(process)
    code, stderr = finish(process)
    assert code == EXIT_INTERRUPTED
    assert stderr.splitlines() == [f"cleaner: error: interrupted; run the same command again "
                                   f"to resume ({out / '.cleaner-progress'})"]
    again = start(crawl, out, "--no-site-stats")
    code, stderr = finish(again)
    assert code == 0 and stderr.startswith("cleaner: resuming after ")
    assert written(out) == PAGES


@pytest.mark.parametrize("after", [0.1, 0.4, 0.8, 1.2])
def test_ctrl_c_at_start_up_and_while_workers_start(crawl, tmp_path, after):
    """Imports, the model's loading, the workers' start, site stats' first chunks."""
    process = start(crawl, tmp_path / "out")
    time.sleep(after)
    assert process.poll() is None
    ctrl_c(process)
    code, stderr = finish(process)
    assert code == EXIT_INTERRUPTED, stderr
    assert all(line.startswith("cleaner: error: interrupted") for line in stderr.splitlines())


def test_ctrl_c_near_the_end(crawl, tmp_path):
    out = tmp_path / "out"
    process = start(crawl, out, "--no-site-stats")
    alive = wait_for(lambda: written(out) >= PAGES - 100, process)
    ctrl_c(process)
    code, stderr = finish(process)
    # The last chunks can be written between the check and the signal: then 0.
    assert code == EXIT_INTERRUPTED or (code == 0 and written(out) == PAGES), (alive, stderr)


def test_ctrl_c_as_the_run_finishes(crawl, tmp_path):
    """After the summary: the interpreter stops loky's workers and exits."""
    process = start(crawl, tmp_path / "out")
    summary = process.stderr.readline()
    assert summary.startswith(f"cleaner: {PAGES} pages, 0 errors")
    ctrl_c(process)
    code, stderr = finish(process)
    assert code in (EXIT_INTERRUPTED, 0) and stderr == ""
