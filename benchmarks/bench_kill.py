"""Kill a batch at random points, resume it, and compare with an uninterrupted run.

Builds, in a temporary folder, a batch of text dumps (copies of
../shared/seeds/*.txt), HTML pages, corrupt pages and a JSONL export with
broken lines, and cleans it once without interruption. Then, for each trial
(seeded), it starts the same command, kills it with SIGKILL at a random point,
runs it again (sometimes killing that run too) until one completes, and checks
that the output is byte for byte the uninterrupted run's, with nothing else
left beside it. Kill points are of two kinds, alternating:

  - "write": the fault seam (cleaner/batch/faults.py, crash_at_page=N) kills the main process
    halfway through writing page N (the worst moment: a torn line or file);
  - "clock": the main process is killed from outside at a random moment of
    the batch (after a random number of checkpoints and a random delay of up
    to 0.3 s: walking the inputs, waiting on workers, writing, checkpointing).

Trials alternate JSONL output (-o out.jsonl) and text output (-o out/), and
run on --jobs workers. A kill that comes after the output is complete (the
process was exiting) is marked "output done": the next run starts over, as a
run with no journal does.

Reproduce: python benchmarks/bench_kill.py [--trials 20] [--seed 5] [--jobs 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"
NEWS_HTML = REPO / "tests" / "data" / "news_article.html"


def build_batch(folder: Path, pages: int) -> int:
    """`pages` page files (1 in 20 corrupt, 1 in 10 HTML) and a JSONL export of 40
    records, two of them broken; returns the number of records the batch gives."""
    seeds = sorted(SEEDS.glob("*.txt"))
    html = NEWS_HTML.read_bytes()
    folder.mkdir(parents=True)
    for index in range(pages):
        if index % 20 == 13:
            (folder / f"{index:05d}.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(400))
        elif index % 10 == 5:
            (folder / f"{index:05d}.html").write_bytes(html.replace(b"<title>",
                                                                    f"<title>{index} ".encode()))
        else:
            (folder / f"{index:05d}.txt").write_bytes(seeds[index % len(seeds)].read_bytes())
    rows = [json.dumps({"id": f"j{i}", "text": seeds[i % len(seeds)].read_text()})
            for i in range(38)]
    rows[7:7] = ['{"id": "cut", "text": "half a line', "[1, 2]"]
    (folder / "zz-export.jsonl").write_text("\n".join(rows) + "\n")
    return pages + len(rows)


def command(batch: Path, out: Path, jsonl: bool, jobs: int, chunk: int) -> list[str]:
    fmt = ["--format", "jsonl", "--lines"] if jsonl else []
    return [sys.executable, "-m", "cleaner", "clean", str(batch), *fmt, "-o", str(out),
            "--jobs", str(jobs), "--chunk", str(chunk), "--no-progress"]


def run(args: list[str], *, crash_at: int | None = None,
        kill_at: tuple[Path, int, float] | None = None) -> tuple[int, str, float]:
    """Run the command, killed at page `crash_at`, or once its journal holds a number
    of checkpoints and a delay has passed (`kill_at`: journal, checkpoints, seconds):
    (exit status, stderr, seconds).

    Only the main process is killed (SIGKILL, as `kill -9` would); the workers it
    leaves are stopped afterwards, so that none outlives its trial. The command
    runs in a session of its own, and its stderr goes to a file, not a pipe
    that orphaned workers would hold open.
    """
    if crash_at is not None:  # through the fault seam, cleaner/batch/faults.py
        args = [sys.executable, "-m", "cleaner.batch.faults",
                json.dumps({"crash_at_page": crash_at}), *args[3:]]
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=stderr, text=True,
                                   start_new_session=True)
        if kill_at is not None and _wait_for_checkpoints(process, *kill_at[:2]):
            time.sleep(kill_at[2])
            process.kill()
        process.wait()
        seconds = time.perf_counter() - started
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the workers of a killed run
        stderr.seek(0)
        return process.returncode, stderr.read(), seconds


def _wait_for_checkpoints(process: subprocess.Popen, journal: Path, count: int) -> bool:
    """Wait until the run has added `count` checkpoints to its journal (a resumed run
    appends to the journal it resumes); False if the run ended first."""
    before = _lines(journal)
    while process.poll() is None:
        if _lines(journal) >= before + count + (before == 0):  # + the fingerprint line
            return True
        time.sleep(0.005)
    return False


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except OSError:
        return 0


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file the run leaves: the output itself and whatever is beside it."""
    if out.is_dir():
        return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
                if p.is_file()}
    return {p.name: p.read_bytes() for p in sorted(out.parent.iterdir())
            if p.name.startswith(out.name)}


def resumed_from(stderr: str) -> int:
    for line in stderr.splitlines():
        if "resuming after " in line:
            return int(line.split("resuming after ")[1].split()[0])
    return 0


def trial(number: int, rng: random.Random, batch: Path, work: Path, records: int,
          references: dict[bool, dict[str, bytes]], jobs: int, chunk: int) -> dict:
    jsonl = number % 2 == 0
    kind = "write" if number % 4 < 2 else "clock"
    out = work / f"trial{number:02d}" / ("out.jsonl" if jsonl else "out")
    journal = out.with_name("out.jsonl.progress") if jsonl else out / ".cleaner-progress"
    chunks = -(-records // chunk)  # checkpoints of a whole run
    out.parent.mkdir()
    args = command(batch, out, jsonl, jobs, chunk)
    attempts, resumes, points = 0, [], []
    kills_wanted = 1 + (rng.random() < 0.3)  # about a third of the trials are killed twice
    while True:
        if attempts < kills_wanted:
            if kind == "write":  # the hook counts the pages this run writes
                crash_at = rng.randint(1, records - resumes[-1] if resumes else records)
                status, stderr, _ = run(args, crash_at=crash_at)
                point = f"page {crash_at}"
            else:
                checkpoints, delay = rng.randint(0, chunks - 1), rng.uniform(0, 0.3)
                status, stderr, _ = run(args, kill_at=(journal, checkpoints, delay))
                point = f"{checkpoints} checkpoints +{delay:.2f}s"
            attempts += 1
            if status < 0:  # killed; after the output was complete if the journal is gone
                points.append(point if journal.exists() else f"{point} (output done)")
        else:
            status, stderr, _ = run(args)
        resumes.append(resumed_from(stderr))
        if status >= 0:  # finished (1: some pages failed, as in the reference)
            break
    identical = snapshot(out) == references[jsonl]
    return {"trial": number, "output": "jsonl" if jsonl else "text", "kill": kind,
            "points": points, "runs": len(resumes), "resumed_after": resumes[1:],
            "status": status, "identical": identical}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--chunk", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    options = parser.parse_args()
    rng = random.Random(options.seed)
    with tempfile.TemporaryDirectory(prefix="bench-kill-") as temp:
        work = Path(temp)
        records = build_batch(work / "batch", options.pages)
        references, seconds = {}, []
        for jsonl in (True, False):
            out = work / "reference" / ("out.jsonl" if jsonl else "out")
            out.parent.mkdir(exist_ok=True)
            status, stderr, took = run(command(work / "batch", out, jsonl, options.jobs,
                                               options.chunk))
            assert status == 1, stderr  # the corrupt pages fail, the rest is cleaned
            references[jsonl] = snapshot(out)
            seconds.append(took)
        results = [trial(n, rng, work / "batch", work, records, references, options.jobs,
                         options.chunk) for n in range(options.trials)]
    print_table(results, records, seconds, options)
    if options.json:
        options.json.write_text(json.dumps({"machine": machine(), "records": records,
                                            "results": results}, indent=2) + "\n")


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def print_table(results: list[dict], records: int, seconds: list[float], options) -> None:
    print(f"# bench_kill: {records} records per run ({options.pages} page files and a JSONL "
          f"export), --jobs {options.jobs} --chunk {options.chunk}, seed {options.seed}; "
          f"{machine()}; uninterrupted run {min(seconds):.1f}-{max(seconds):.1f}s")
    print()
    print("| trial | output | kill | kill points | runs | resumed after (pages) "
          "| identical to uninterrupted |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        resumed = ", ".join(map(str, r["resumed_after"])) or "-"
        print(f"| {r['trial']} | {r['output']} | {r['kill']} | {'; '.join(r['points'])} "
              f"| {r['runs']} "
              f"| {resumed} | {'yes' if r['identical'] else 'NO'} |")
    same = sum(r["identical"] for r in results)
    kills = sum(len(r["points"]) for r in results)
    print()
    print(f"{kills} kills in {len(results)} trials; {same} of {len(results)} batches finished "
          "with output identical to the uninterrupted run's (and no other file left).")


if __name__ == "__main__":
    main()
