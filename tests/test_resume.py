"""Resuming: killed (kill -9 mid-write) or Ctrl-C'd, the same command finishes the job.

The final output must equal an uninterrupted run's, byte for byte, with no
page lost or written twice and nothing left over from the interruption.
"""

import json
import subprocess
from pathlib import Path

import pytest
from conftest import cleaner_subprocess, invoke

from cleaner.batch.journal import Checkpoint, Journal
from cleaner.batch.sinks import TextTreeSink
from cleaner.cli import EXIT_INTERRUPTED


def batch(seed_files, root: Path) -> Path:
    """24 dumps, one broken page, and a JSONL export with a broken line."""
    root.mkdir()
    for index in range(24):
        source = seed_files[index % len(seed_files)]
        (root / f"p{index:02d}.txt").write_bytes(source.read_bytes())
    (root / "p05b.txt").write_bytes(bytes(range(256)) * 16)
    rows = [json.dumps({"id": f"j{i}", "text": p.read_text()}) for i, p in enumerate(seed_files)]
    (root / "z-export.jsonl").write_text("\n".join(rows[:2] + ["{not json"] + rows[2:]) + "\n")
    return root


def clean_subprocess(*args, crash_at: int | None = None) -> subprocess.CompletedProcess:
    """`cleaner clean ARGS` as a process, killed -9 halfway through writing page `crash_at`."""
    faults = {"crash_at_page": crash_at} if crash_at is not None else None
    return cleaner_subprocess("clean", *args, faults=faults)


def test_jsonl_output_survives_two_kill_9s(seed_files, tmp_path):
    pages = batch(seed_files, tmp_path / "pages")
    reference = tmp_path / "reference.jsonl"
    assert invoke("clean", pages, "--format", "jsonl", "--lines", "-o", reference,
                  "--jobs", "1").exit_code == 1
    out = tmp_path / "out.jsonl"
    args = (pages, "--format", "jsonl", "--lines", "-o", out, "--chunk", "4")
    first = clean_subprocess(*args, "--jobs", "1", crash_at=11)  # 8 pages checkpointed
    assert first.returncode == -9 and not out.exists()
    progress = out.with_name("out.jsonl.progress")
    assert Journal(progress, "").path.exists()
    second = clean_subprocess(*args, "--jobs", "2", crash_at=6)  # torn line, workers running
    assert second.returncode == -9
    assert "resuming after 8 pages" in second.stderr
    last = clean_subprocess(*args, "--jobs", "1")
    assert last.returncode == 1, last.stderr
    assert "resuming after 12 pages" in last.stderr
    assert out.read_bytes() == reference.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "pages", "reference.jsonl"]
    # Piped stderr: no progress bar, only the resume note, bad pages and the summary.
    summary = last.stderr.splitlines()[-1]
    assert summary.startswith("cleaner: 31 pages, 2 errors, ") and "\r" not in last.stderr
    assert "resumed after 12 pages" in summary


def test_text_tree_resumes_after_ctrl_c(seed_files, tmp_path, monkeypatch):
    pages = batch(seed_files, tmp_path / "pages")
    reference, out = tmp_path / "reference", tmp_path / "out"
    assert invoke("clean", pages, "-o", reference, "--jobs", "1").exit_code == 1
    real_write, calls = TextTreeSink.write, []

    def write_then_ctrl_c(self, outcome):
        calls.append(outcome.source)
        if len(calls) == 10:
            raise KeyboardInterrupt
        real_write(self, outcome)

    monkeypatch.setattr(TextTreeSink, "write", write_then_ctrl_c)
    stopped = invoke("clean", pages, "-o", out, "--chunk", "4", "--jobs", "1")
    assert stopped.exit_code == EXIT_INTERRUPTED
    assert "interrupted; run the same command again to resume" in stopped.stderr
    monkeypatch.setattr(TextTreeSink, "write", real_write)
    calls.clear()
    resumed = invoke("clean", pages, "-o", out, "--chunk", "4", "--jobs", "1")
    assert resumed.exit_code == 1 and "resuming after 8 pages" in resumed.stderr
    assert _tree(out) == _tree(reference)


def test_a_different_command_starts_over(seed_files, tmp_path, monkeypatch):
    pages = batch(seed_files, tmp_path / "pages")
    out = tmp_path / "out.jsonl"
    Journal(out.with_name("out.jsonl.progress"), "another run").begin(None)
    out.with_name("out.jsonl.part").write_text('{"id": "stale"}\n')
    result = invoke("clean", pages, "--format", "jsonl", "-o", out, "--keep", "body,comment",
                    "--jobs", "1")
    assert "resuming" not in result.stderr
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()][:2] == ["p00", "p01"]


def test_journal_ignores_a_torn_last_checkpoint(tmp_path):
    journal = Journal(tmp_path / "out.progress", "run-1")
    journal.begin(None)
    journal.commit(Checkpoint(pages=4, offset=100, last="a"))
    journal.commit(Checkpoint(pages=8, offset=200, last="b"))
    journal.close()
    with (tmp_path / "out.progress").open("a") as handle:
        handle.write('{"pages": 12, "offs')
    assert journal.last_checkpoint() == Checkpoint(pages=8, offset=200, last="b")
    assert Journal(tmp_path / "out.progress", "run-2").last_checkpoint() is None


@pytest.mark.parametrize("changed", ["removed", "added"])
def test_changed_inputs_start_over(seed_files, tmp_path, monkeypatch, changed):
    pages = batch(seed_files, tmp_path / "pages")
    out = tmp_path / "out"
    real_write, calls = TextTreeSink.write, []

    def write_then_ctrl_c(self, outcome):
        calls.append(outcome)
        if len(calls) == 6:
            raise KeyboardInterrupt
        real_write(self, outcome)

    monkeypatch.setattr(TextTreeSink, "write", write_then_ctrl_c)
    invoke("clean", pages, "-o", out, "--chunk", "2", "--jobs", "1")
    monkeypatch.setattr(TextTreeSink, "write", real_write)
    if changed == "removed":
        (pages / "p01.txt").unlink()
    else:
        (pages / "p00a.txt").write_bytes(seed_files[0].read_bytes())
    result = invoke("clean", pages, "-o", out, "--chunk", "2", "--jobs", "1")
    assert "resuming" not in result.stderr
    pages_now = 30 if changed == "removed" else 32
    assert f"cleaner: {pages_now} pages, 2 errors, " in result.stderr
    assert "resumed" not in result.stderr
    assert (out / "z-export" / "j4.txt").exists()


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}
