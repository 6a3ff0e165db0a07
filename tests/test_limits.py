"""Limits and faults: page size and line limits, time in page size, the page time
budget (in the main process and in workers), a batch with corrupt pages, a full
disk, an output that cannot be written, and one clear line for a run that
cannot start."""

import errno
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import invoke, records

from cleaner.atomic import TEMP_SUFFIX
from cleaner.batch import faults
from cleaner.batch.options import DEFAULT_PAGE_TIMEOUT
from cleaner.batch.pool import BEACONS_PREFIX, _remove_stale_beacon_folders
from cleaner.cli import EXIT_PAGES_FAILED, EXIT_USAGE
from cleaner.model.files import CARD_FILE, MODEL_FILE, file_sha256, resolve_model_dir
from cleaner.readers.html.render import render_html
from cleaner.readers.pages import DEFAULT_MAX_BYTES, DEFAULT_MAX_LINES, page_from_bytes

ARTICLE = (Path(__file__).parent / "data" / "news_article.html").read_bytes()



def seed_folder(seed_files, folder: Path, count: int) -> Path:
    folder.mkdir()
    for index in range(count):
        source = seed_files[index % len(seed_files)]
        (folder / f"p{index:04d}.txt").write_bytes(source.read_bytes())
    return folder


# --- size and line limits ----------------------------------------------------------------

def test_default_limits():
    assert DEFAULT_MAX_BYTES == 20 * 1024 * 1024
    assert DEFAULT_MAX_LINES == 100_000
    assert DEFAULT_PAGE_TIMEOUT == 30


def test_max_bytes_and_max_lines_are_options(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a-fits.txt").write_bytes(b"x" * 1000)
    (folder / "b-over.txt").write_bytes(b"x" * 1001)
    (folder / "c-lines.txt").write_bytes(b"line\n" * 50)
    out = tmp_path / "out.jsonl"
    result = invoke("clean", folder, "--format", "jsonl", "-o", out, "--max-bytes", 1000,
                    "--max-lines", 49)
    assert result.exit_code == EXIT_PAGES_FAILED
    errors = [record.get("error") for record in records(out)]
    assert errors == [None, "page too large (1,001 bytes > 1,000 limit)",
                      "page too long (50 lines > 49 limit)"]
    assert f"{folder / 'b-over.txt'}: page too large (1,001 bytes > 1,000 limit)" in (
        result.stderr)


def _seconds(make, size: int) -> float:
    started = time.perf_counter()
    make(size)
    return time.perf_counter() - started


@pytest.mark.parametrize("shape", [
    "<div>", "<pre>", "<li><h1>", "<span><pre>", "<rt>", "<td><table>", '<link rel="x" ',
    '<div class="', "<b>x",
])
def test_html_reads_in_linear_time(shape):
    """Four times the markup takes about four times as long, not sixteen."""
    def read(size: int) -> None:
        render_html("<html><body>" + shape * size + "x")

    small, large = _seconds(read, 10_000), _seconds(read, 40_000)
    assert large < 8 * small + 0.25, f"{small:.3f}s, then {large:.3f}s"


def test_text_dumps_read_in_linear_time():
    def read(size: int) -> None:
        page_from_bytes(b"a line of a dump\r\n" * size + b"\x00" * 10 + b"x" * size)

    small, large = _seconds(read, 20_000), _seconds(read, 80_000)
    assert large < 8 * small + 0.25, f"{small:.3f}s, then {large:.3f}s"


# --- the page time budget ----------------------------------------------------------------

def test_a_slow_page_times_out_in_the_main_process(seed_files, tmp_path, monkeypatch):
    folder = seed_folder(seed_files, tmp_path / "pages", 4)
    monkeypatch.setattr(faults, "active", faults.Faults(slow={"p0001": 1.5}))
    out = tmp_path / "out.jsonl"
    result = invoke("clean", folder, "--format", "jsonl", "-o", out, "--jobs", 1,
                    "--page-timeout", 0.5)
    assert result.exit_code == EXIT_PAGES_FAILED
    assert [record.get("error") for record in records(out)] == [
        None, "timed out: reading the page took over 0.5 s (--page-timeout)", None, None]


def test_a_page_that_never_ends_is_stopped_with_one_job(seed_files, tmp_path, monkeypatch):
    """--jobs 1 cleans a batch of several chunks on one worker process, which the
    watchdog can stop in the middle of a page; the main process could not be."""
    folder = seed_folder(seed_files, tmp_path / "pages", 6)
    reference = tmp_path / "reference.jsonl"
    assert invoke("clean", folder, "--format", "jsonl", "-o", reference, "--jobs", 1,
                  "--page-timeout", 0).exit_code == 0
    monkeypatch.setattr(faults, "active", faults.Faults(slow={"p0002": 600}))
    out = tmp_path / "out.jsonl"
    started = time.perf_counter()
    result = invoke("clean", folder, "--format", "jsonl", "-o", out, "--jobs", 1,
                    "--chunk", 2, "--page-timeout", 1)
    assert time.perf_counter() - started < 120
    assert result.exit_code == EXIT_PAGES_FAILED, result.stderr
    got, expected = records(out), records(reference)
    assert got[2]["error"] == "timed out: reading the page took over 1 s (--page-timeout)"
    assert [r for i, r in enumerate(got) if i != 2] == [
        r for i, r in enumerate(expected) if i != 2]


def test_workers_stuck_or_dying_on_a_page_are_replaced(seed_files, tmp_path, monkeypatch):
    """A page that would take ten minutes and a page that kills its worker: the
    watchdog stops the first after the budget; the second is named once it kills
    a worker again while the chunks in doubt are cleaned one at a time. Every
    other page comes out as it does without them."""
    folder = seed_folder(seed_files, tmp_path / "pages", 16)
    reference = tmp_path / "reference.jsonl"
    assert invoke("clean", folder, "--format", "jsonl", "-o", reference, "--jobs", 1,
                  "--lines").exit_code == 0
    monkeypatch.setattr(faults, "active",
                        faults.Faults(slow={"p0003": 600}, die=frozenset({"p0009"})))
    out = tmp_path / "out.jsonl"
    started = time.perf_counter()
    result = invoke("clean", folder, "--format", "jsonl", "-o", out, "--jobs", 2,
                    "--chunk", 2, "--page-timeout", 1, "--lines")
    assert time.perf_counter() - started < 120
    assert result.exit_code == EXIT_PAGES_FAILED, result.stderr
    got, expected = records(out), records(reference)
    assert [r["id"] for r in got] == [r["id"] for r in expected]
    assert got[3]["error"] == "timed out: reading the page took over 1 s (--page-timeout)"
    assert got[9]["error"] == "a worker process died reading this page"
    assert [r for i, r in enumerate(got) if i not in (3, 9)] == [
        r for i, r in enumerate(expected) if i not in (3, 9)]
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("cleaner: 16 pages, 2 errors")


def test_beacon_folders_of_killed_runs_are_removed(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stale = tmp_path / f"{BEACONS_PREFIX}999999999-abc"  # no such process
    own = tmp_path / f"{BEACONS_PREFIX}{os.getpid()}-abc"
    for folder in (stale, own):
        folder.mkdir()
        (folder / "123").write_text("0 0 0.0\n")
    _remove_stale_beacon_folders()
    assert not stale.exists() and own.exists()


# --- memory ---------------------------------------------------------------------------------

# Runs a command and prints the peak RSS (KB) of its largest process, workers
# included: ru_maxrss of RUSAGE_CHILDREN covers every waited-for descendant.
PEAK_RSS = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def test_peak_memory_does_not_grow_with_the_batch(seed_files, tmp_path):
    """The same pages, ten times as many: the peak of the largest process stays
    where it was (bench_batch.py measures 1,000 against 10,000)."""
    def peak_mb(count: int) -> float:
        folder = seed_folder(seed_files, tmp_path / f"pages{count}", count)
        command = [sys.executable, "-m", "cleaner", "clean", str(folder), "--format", "jsonl",
                   "--lines", "-o", str(tmp_path / f"out{count}.jsonl"), "--jobs", "2",
                   "--chunk", "50"]
        done = subprocess.run([sys.executable, "-c", PEAK_RSS, *command], check=True,
                              capture_output=True, text=True)
        return int(done.stdout) / 1024

    small, large = peak_mb(200), peak_mb(2000)
    assert large < small + 25, f"{small:.0f} MB for 200 pages, {large:.0f} MB for 2,000"


# --- a batch of 1,000 pages, 100 of them corrupt -----------------------------------------

CORRUPT = [
    ("png.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "binary content"),
    ("cut.html.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\xed\xbd" * 40,
     "gzip data"),
    ("zeros.html", bytes(3000), "binary content"),
    ("huge.txt", b"x " * 10_001, "page too large"),
    ("lines.txt", b"\n" * 3001, "page too long"),
]


def test_a_thousand_pages_with_a_hundred_corrupt_give_a_thousand_records(seed_files,
                                                                         tmp_path):
    folder = tmp_path / "crawl"
    folder.mkdir()
    corrupt = {}
    for index in range(1000):
        if index % 10 == 7:
            name, data, reason = CORRUPT[(index // 10) % len(CORRUPT)]
            path = folder / f"{index:04d}-{name}"
            corrupt[path.name.split(".")[0]] = reason
            path.write_bytes(data)
        else:
            (folder / f"{index:04d}.txt").write_bytes(seed_files[index % 5].read_bytes())
    out = tmp_path / "out.jsonl"
    result = invoke("clean", folder, "--format", "jsonl", "-o", out, "--jobs", 2,
                    "--chunk", 50, "--max-bytes", 20_000, "--max-lines", 3000)
    assert result.exit_code == EXIT_PAGES_FAILED
    got = records(out)
    assert len(got) == 1000
    assert [r["id"] for r in got] == sorted(p.name.split(".")[0] for p in folder.iterdir())
    failed = {r["id"]: r["error"] for r in got if "error" in r}
    assert set(failed) == set(corrupt) and len(failed) == 100
    assert all(corrupt[id] in error for id, error in failed.items())
    assert all(r["text"] for r in got if "error" not in r)
    summary = result.stderr.strip().splitlines()[-1]
    assert summary.startswith("cleaner: 1000 pages, 100 errors, ")


# --- the file system ---------------------------------------------------------------------

def full_disk_after(room: int):
    """os.write as on a disk with room for `room` more output files: the write of the
    next temporary output file (cleaner/atomic.py) fails as a full disk does."""
    real_write, left = os.write, [room]

    def write(fd, data):
        if os.readlink(f"/proc/self/fd/{fd}").endswith(TEMP_SUFFIX):
            left[0] -= 1
            if left[0] < 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    return write


def test_a_full_disk_stops_the_run_in_one_line_and_leaves_no_partial_file(
        seed_files, tmp_path, monkeypatch):
    folder = seed_folder(seed_files, tmp_path / "pages", 12)
    reference, out = tmp_path / "reference", tmp_path / "out"
    assert invoke("clean", folder, "-o", reference, "--jobs", 1).exit_code == 0
    monkeypatch.setattr(os, "write", full_disk_after(7))
    result = invoke("clean", folder, "-o", out, "--jobs", 1, "--chunk", 3)
    monkeypatch.undo()
    assert result.exit_code == EXIT_USAGE
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert line.startswith(f"cleaner: error: {out}/") and "No space left on device" in line
    assert not list(out.rglob("*.cleaner-tmp"))  # nothing half-written left behind
    written = sorted(p.name for p in out.glob("*.txt"))
    assert all((out / name).read_bytes() == (reference / name).read_bytes()
               for name in written)
    resumed = invoke("clean", folder, "-o", out, "--jobs", 1, "--chunk", 3)
    # the checkpoint before the full disk: after one or two chunks of 3 pages
    assert resumed.exit_code == 0 and re.search(r"resuming after [36] pages", resumed.stderr)
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == sorted(
        p.name for p in reference.rglob("*") if p.is_file())


def test_a_full_disk_under_jsonl_output_never_leaves_the_output_file(seed_files, tmp_path):
    """The kernel's own ENOSPC: the partial file is a link to /dev/full."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    folder = seed_folder(seed_files, tmp_path / "pages", 3)
    out = tmp_path / "out.jsonl"
    out.with_name("out.jsonl.part").symlink_to("/dev/full")
    result = invoke("clean", folder, "--format", "jsonl", "-o", out, "--jobs", 1)
    assert result.exit_code == EXIT_USAGE and not out.exists()
    assert result.stderr.strip().splitlines() == [
        f"cleaner: error: {out}.part: No space left on device; run the same command again "
        f"to resume ({out}.progress)"]


@pytest.mark.parametrize("format", ["text", "jsonl"])
def test_an_output_folder_that_is_a_file_is_one_line(seed_files, tmp_path, format):
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder")
    target = blocker / ("out.jsonl" if format == "jsonl" else "out")
    result = invoke("clean", seed_files[0], "--format", format, "-o", target)
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.strip().splitlines() == [
        f"cleaner: error: {blocker}: a file is in the way, not a folder"]
    assert blocker.read_text() == "a file, not a folder"


def test_text_output_of_several_pages_onto_a_file_is_one_line(seed_files, tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("taken")
    result = invoke("clean", seed_files[0], seed_files[1], "-o", blocker)
    assert result.exit_code == EXIT_USAGE and len(result.stderr.strip().splitlines()) == 1
    assert blocker.read_text() == "taken"


# --- runs that cannot start: one line, no traceback --------------------------------------

def test_a_model_file_that_cannot_be_read_is_one_line(seed_files, tmp_path):
    model = tmp_path / "broken-model"
    model.mkdir()
    (model / MODEL_FILE).write_bytes(b"not an npz file at all")
    card = json.loads((resolve_model_dir("default") / CARD_FILE).read_text())
    card["model_sha256"] = file_sha256(model / MODEL_FILE)  # vouched for, still broken
    (model / CARD_FILE).write_text(json.dumps(card))
    folder = seed_folder(seed_files, tmp_path / "pages", 4)
    for jobs in ("1", "2"):
        result = invoke("clean", folder, "--model", model, "--jobs", jobs, "--chunk", 2)
        assert result.exit_code == EXIT_USAGE, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"cleaner: error: {model / MODEL_FILE}")


@pytest.mark.parametrize("args", [
    ["clean"], ["clean", "x.txt", "--jobs", "0"], ["clean", "x.txt", "--page-timeout", "-1"],
    ["clean", "x.txt", "--max-lines", "zero"],
])
def test_a_bad_command_line_is_a_usage_error(args):
    result = invoke(*args)
    assert result.exit_code == EXIT_USAGE and "Usage:" in result.output


def test_no_traceback_from_the_installed_command_on_bad_pages(tmp_path):
    """As a user runs it: a subprocess, piped, with a mix of bad pages."""
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.html").write_bytes(ARTICLE)
    (folder / "b.txt").write_bytes(b"\x7fELF" + bytes(500))
    (folder / "c.jsonl").write_bytes(b'{"id": 1, "text": "\\ud800"}\n[]\n{"html": 5}\n')
    (folder / "d.txt").symlink_to(folder / "missing.txt")
    done = subprocess.run([sys.executable, "-m", "cleaner", "clean", str(folder), "--format",
                           "jsonl", "--lines"], capture_output=True, text=True, timeout=120)
    assert done.returncode == EXIT_PAGES_FAILED
    assert "Traceback" not in done.stderr
    assert len(done.stdout.splitlines()) == 6
    assert len(done.stderr.strip().splitlines()) == 4 + 1  # one line per bad page, a summary


def test_stdout_closed_early_ends_quietly(seed_files, tmp_path):
    """`cleaner clean ... | head`: no traceback, no message, the status of SIGPIPE."""
    if not shutil.which("bash"):
        pytest.skip("no bash")
    folder = seed_folder(seed_files, tmp_path / "pages", 300)
    command = shlex.join([sys.executable, "-m", "cleaner", "clean", str(folder), "--jobs", "1"])
    done = subprocess.run(["bash", "-c", f"{command} | head -c 10 >/dev/null; "
                           "echo ${PIPESTATUS[0]}"], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "141"
    assert done.stderr == ""
