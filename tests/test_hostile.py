"""Hostile input: every kind in tests/hostile/make.py gives its records, in time.

Each case is cleaned through the real command line (Typer's CliRunner) into
JSONL with every line, and must give exactly the records it lists (a result,
or an error record naming the page with a one-line reason), the exit status
that says whether a page failed, no traceback, and finish within its time
bound (bounds have ten times headroom or more, so they never flake). The
whole corpus is then cleaned once more as one batch in a subprocess on two
workers.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile.make import CASES, OK, Case, case_id, write_case
from typer.testing import CliRunner

from cleaner.batch.summary import counted
from cleaner.cli import app

runner = CliRunner()


def clean_folder(folder: Path, out: Path, *args: str):
    return runner.invoke(app, ["clean", str(folder), "--format", "jsonl", "--lines",
                               "-o", str(out), "--jobs", "1", *args])


def check_records(case: Case, records: list[dict]) -> None:
    if case.records is not None:
        got = [record.get("error") for record in records]
        assert len(records) == len(case.records), got
        for record, expected in zip(records, case.records, strict=True):
            if expected is OK:
                assert "error" not in record, record["error"]
            else:
                assert expected in record["error"], (expected, record["error"])
    for record in records:
        assert record["id"] and record["source"]
        assert "\n" not in record.get("error", ""), "a reason is one line"
    if case.check is not None:
        case.check(records)


def test_the_corpus_has_at_least_30_kinds():
    assert len({case.kind for case in CASES}) >= 30
    assert len({case_id(case) for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_hostile_input(case, tmp_path):
    folder = write_case(case, tmp_path / "in")
    out = tmp_path / "out.jsonl"
    started = time.perf_counter()
    result = clean_folder(folder, out, *case.args)
    elapsed = time.perf_counter() - started
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    records = [json.loads(line) for line in out.read_text().splitlines()]
    check_records(case, records)
    failed = sum("error" in record for record in records)
    assert result.exit_code == (1 if failed else 0), result.stderr
    assert "Traceback" not in result.stderr
    *errors, summary = result.stderr.splitlines()  # a line per bad page, then the summary
    assert len(errors) == failed
    assert summary.startswith(f"cleaner: {counted(len(records), 'page')}, ")
    assert elapsed < case.seconds, f"{elapsed:.1f}s > {case.seconds}s"


def test_the_whole_corpus_as_one_batch_on_two_workers(tmp_path):
    """Every case in one folder: the records of each, in order, with workers."""
    light = [case for case in CASES if not (case.large or case.args or case.seconds > 10)]
    root = tmp_path / "corpus"
    for case in light:
        write_case(case, root / case_id(case))
    out = tmp_path / "out.jsonl"
    done = subprocess.run([sys.executable, "-m", "cleaner", "clean", str(root), "--format",
                           "jsonl", "--lines", "-o", str(out), "--jobs", "2", "--chunk", "3"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    records = [json.loads(line) for line in out.read_text().splitlines()]
    checked = 0
    for case in light:
        folder = str(root / case_id(case)) + "/"
        own = [r for r in records if r["source"].startswith(folder)]
        check_records(case, own)
        checked += len(own)
    assert checked == len(records)  # no record but those of the cases
    summary = done.stderr.strip().splitlines()[-1]
    assert summary.startswith(f"cleaner: {counted(len(records), 'page')}, ")
