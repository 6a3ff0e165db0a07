"""The Spark job against `cleaner clean` on the same pages: pages/s, and the job's
overhead per partition.

Builds, in a temporary folder, N HTML pages (those of ../shared/datasets, each
after a request record, as bench_batch.py writes them) split over F gzipped WARC
files (Spark runs one task per file: one file would keep one core busy), then
times, each as a whole command (interpreter, JVM, workers and model loads included):

  - `cleaner clean FILES --format jsonl -o out.jsonl --jobs J`
  - `cleaner spark paths.txt out.parquet --master local[J]`

both with site stats. Then the overhead per partition: the Spark job over 2 and over
2 + K one-page files; the extra wall seconds times J cores, per extra file, less the
CLI's core time a page, is what a task costs beyond its pages (scheduling, a
Python worker's round trips, the site stats' stages).

Last, clean_column over a DataFrame of pages, by mapInPandas and by a pandas UDF.

Reproduce: python benchmarks/bench_spark.py [--pages 2000] [--files 8] [--jobs 2]
[--json out.json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
HTML_DIRS = (SHARED / "datasets" / "dragnet" / "html", SHARED / "datasets" / "l3s-gn1" / "original")
SITES = 50  # pages are spread over this many hosts, so site stats have sites to count


def html_warcs(folder: Path, pages: int, files: int, first: int = 0) -> list[Path]:
    """`pages` HTML responses (after their requests) in `files` gzipped WARC files,
    written with warcio's writer (cleaner reads them with FastWARC)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    sources = sorted(p for d in HTML_DIRS for p in d.glob("*.htm*"))
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(files):
        path = folder / f"part-{first + number:05d}.warc.gz"
        with path.open("wb") as handle:
            writer = WARCWriter(handle, gzip=True)
            for index in range(first + number, first + pages, files):
                page = sources[index % len(sources)]
                host = f"site{index % SITES}.example"
                url = f"https://{host}/{page.stem}/{index}"
                request = StatusAndHeaders("GET / HTTP/1.1", [("Host", host)],
                                           is_http_request=True)
                writer.write_record(writer.create_warc_record(
                    url, "request", payload=io.BytesIO(b""), http_headers=request))
                response = StatusAndHeaders(
                    "200 OK", [("Content-Type", "text/html; charset=utf-8")],
                    protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(
                    url, "response", payload=io.BytesIO(page.read_bytes()),
                    http_headers=response))
        paths.append(path)
    return paths


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its descendants)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def cli(paths: list[Path], out: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "cleaner", "clean", *map(str, paths), "--format", "jsonl",
            "-o", str(out), "--jobs", str(jobs), "--quiet"]


def spark(paths: list[Path], scratch: Path, name: str, jobs: int) -> list[str]:
    listing = scratch / f"{name}.txt"
    listing.write_text("".join(f"{p}\n" for p in paths), encoding="utf-8")
    return [sys.executable, "-m", "cleaner", "spark", str(listing),
            str(scratch / f"{name}.parquet"), "--master", f"local[{jobs}]"]


# clean_column over a DataFrame of N pages, both ways, in one session: seconds each,
# the session's start left out (it is the same for both).
COLUMN = """
import sys, time
from pathlib import Path
from cleaner.integrations.spark import clean_column, session
files, jobs = [Path(p) for p in sys.argv[2:]], sys.argv[1]
spark = session(f"local[{jobs}]", conf={"spark.ui.enabled": "false"})
spark.sparkContext.setLogLevel("ERROR")
rows = [(f.name, f.read_text(encoding="utf-8", errors="replace")) for f in files]
frame = spark.createDataFrame(rows, "name string, html string").repartition(int(jobs) * 4)
frame.cache().count()
clean_column(frame, "html", method="udf").write.format("noop").mode("overwrite").save()
for method in ("mapInPandas", "udf", "mapInPandas", "udf"):
    started = time.perf_counter()
    clean_column(frame, "html", method=method).write.format("noop").mode("overwrite").save()
    print(method, time.perf_counter() - started)
spark.stop()
"""


def column_seconds(pages: int, jobs: int) -> dict[str, float]:
    """The faster of two runs of clean_column over `pages` pages, per method."""
    sources = sorted(p for d in HTML_DIRS for p in d.glob("*.htm*"))
    files = [str(sources[i % len(sources)]) for i in range(pages)]
    done = subprocess.run([sys.executable, "-c", COLUMN, str(jobs), *files], cwd=REPO,
                          capture_output=True, text=True, check=True)
    best: dict[str, float] = {}
    for line in done.stdout.splitlines():
        method, seconds = line.split()
        best[method] = min(best.get(method, float("inf")), float(seconds))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--extra-partitions", type=int, default=16)
    parser.add_argument("--column-pages", type=int, default=500)
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-spark-", dir=REPO / "data" / "build") as tmp:
        scratch = Path(tmp)
        warcs = html_warcs(scratch / "warc", args.pages, args.files)
        cli_wall, cli_cpu = timed(cli(warcs, scratch / "cli.jsonl", args.jobs))
        spark_wall, spark_cpu = timed(spark(warcs, scratch, "spark", args.jobs))
        base = html_warcs(scratch / "small", 2, 2)
        extra = html_warcs(scratch / "small", args.extra_partitions, args.extra_partitions,
                           first=2)
        small_wall, _ = timed(spark(base, scratch, "small", args.jobs))
        more_wall, _ = timed(spark(base + extra, scratch, "more", args.jobs))
        column = column_seconds(args.column_pages, args.jobs)
    # Core time a page, wall seconds x cores: the CLI's loky workers outlive the command
    # unwaited, so its children's CPU time (cli_cpu) leaves theirs out.
    page_core = cli_wall * args.jobs / args.pages
    per_partition = ((more_wall - small_wall) * args.jobs / args.extra_partitions) - page_core
    results = {
        "machine": machine(), "pages": args.pages, "files": args.files, "jobs": args.jobs,
        "cli": {"seconds": round(cli_wall, 2), "pages_per_s": round(args.pages / cli_wall, 1),
                "cpu_seconds": round(cli_cpu, 2)},
        "spark": {"seconds": round(spark_wall, 2),
                  "pages_per_s": round(args.pages / spark_wall, 1),
                  "driver_cpu_seconds": round(spark_cpu, 2)},
        "cli_core_ms_per_page": round(1000 * page_core, 2),
        "spark_core_ms_per_page": round(1000 * spark_wall * args.jobs / args.pages, 2),
        "partition_overhead_s": round(per_partition, 3),
        "partitions_measured": (small_wall, more_wall, args.extra_partitions),
        "column_pages": args.column_pages,
        "column_pages_per_s": {m: round(args.column_pages / t, 1) for m, t in column.items()},
    }
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def machine() -> str:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    return (f"{platform.machine()}, {cores} cores, Python {platform.python_version()}, "
            f"load average {os.getloadavg()[0]:.1f} at the start")


def print_table(r: dict) -> None:
    print(f"{r['pages']} HTML pages in {r['files']} WARC files, site stats on, whole command "
          f"timed, {r['jobs']} jobs ({r['machine']})")
    print(f"{'run':<44}{'seconds':>9}{'pages/s':>9}")
    print(f"{'cleaner clean --format jsonl --jobs ' + str(r['jobs']):<44}"
          f"{r['cli']['seconds']:>9.2f}{r['cli']['pages_per_s']:>9.1f}")
    print(f"{'cleaner spark --master local[' + str(r['jobs']) + ']':<44}"
          f"{r['spark']['seconds']:>9.2f}{r['spark']['pages_per_s']:>9.1f}")
    small, more, extra = r["partitions_measured"]
    print(f"core time a page (wall x jobs / pages): cleaner clean {r['cli_core_ms_per_page']} "
          f"ms, Spark job {r['spark_core_ms_per_page']} ms")
    print(f"overhead per partition: {r['partition_overhead_s']} core-s (2 one-page files "
          f"{small:.1f} s, {2 + extra} files {more:.1f} s)")
    rates = ", ".join(f"{m} {rate} pages/s" for m, rate in r["column_pages_per_s"].items())
    print(f"clean_column over {r['column_pages']} pages (session started): {rates}")


if __name__ == "__main__":
    main()
