"""Speed of `cleaner clean DIR -o OUT` on directories of text dumps and HTML, one core.

The model is loaded before the clock starts; everything after (reading files,
features, both classifier passes, writing the clean text) is timed, through
the same code path as the CLI. BLAS and OpenMP are held to one thread.

    python benchmarks/bench_speed.py                      # seeds, l3s-gn1 dumps and HTML
    python benchmarks/bench_speed.py --dir some/dumps --json speed.json

The held-out dumps come from the corpus (`python -m cleaner.training.corpus build`);
without it only the seeds are measured. The HTML rows clean the held-out
l3s-gn1 and dragnet pages as crawled (raw HTML, parsing and rendering included),
read where they sit in ../shared/datasets.

Both are timed as `cleaner clean` runs by default, with site stats: every page
is read and classified once, kept with its sketch, and written once every
site's template lines are known (cleaner/batch/site_pass.py).

For HTML directories, trafilatura (`extract`, its defaults) cleans the same
pages in the same run, one core, for a ratio measured on this machine now
(`pip install -e '.[bench]'`; left out when it is not installed).

A second table splits the work into its stages, in milliseconds of one core
per page (the median of three timings): reading (decoding, and for HTML
parsing and rendering), site stats' sketch of a page (normalising and hashing
its lines), the features, the two tree passes, labelling the lines and joining
the kept text, and writing the file. Its total leaves out the batch machinery
(keeping classified pages until their sites are known). It says where a
faster run has to come from.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cleaner.batch.runner import clean_sources  # noqa: E402
from cleaner.batch.sinks import TextTreeSink, outcome_of  # noqa: E402
from cleaner.batch.workers import Settings, chunked  # noqa: E402
from cleaner.batched import batched  # noqa: E402
from cleaner.clean import BATCH_LINES, Cleaner, labelled_result  # noqa: E402
from cleaner.document import Page  # noqa: E402
from cleaner.features import batch_features  # noqa: E402
from cleaner.readers.sources import iter_sources, read_source  # noqa: E402
from cleaner.site_stats import sketch_page  # noqa: E402
from cleaner.training.labelfile import read_label_file  # noqa: E402

SEEDS = REPO.parent / "shared" / "seeds"
HELDOUT_DUMPS = REPO / "data" / "build" / "corpus" / "l3s-gn1" / "w3m" / "heldout"
# A crawl directory holds thousands of pages, cleaned in large batches; small
# sample directories are copied until they hold this many files.
MIN_PAGES = 2000
PAGE_SUFFIXES = (".txt", ".html", ".htm")
# Where the cleaned files go (--out-root): a file per page costs this machine's
# disk 0.4 to 1 ms, mostly in the kernel; on a RAM disk (/dev/shm) the write
# stage shows cleaner's own cost.
OUTPUT_ROOT: str | None = None
# --markdown: time `cleaner clean --format markdown` (pages read for markdown, .md files).
MARKDOWN = False


def dumps_from_label_files(label_dir: Path, target: Path) -> Path:
    """Write the page text of each label file as a plain dump (what a crawl leaves)."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(label_dir.glob("*.tsv")):
        page = read_label_file(path)
        (target / (path.stem + ".txt")).write_text("\n".join(page.lines) + "\n", encoding="utf-8")
    return target


def crawl_like(directory: Path, scratch: Path) -> Path:
    """A directory of at least MIN_PAGES dumps: copies of `directory`'s pages."""
    files = sorted(p for p in directory.iterdir() if p.suffix in PAGE_SUFFIXES)
    target = scratch / f"{directory.name}-x{-(-MIN_PAGES // len(files))}"
    target.mkdir(parents=True, exist_ok=True)
    for copy in range(-(-MIN_PAGES // len(files))):
        for path in files:
            (target / f"{copy:04d}_{path.name}").write_bytes(path.read_bytes())
    return target


def heldout_html(dataset: str, scratch: Path) -> Path | None:
    """The held-out pages of a dataset as crawled, linked into one folder."""
    from cleaner.training.corpus.records import page_records

    datasets = REPO.parent / "shared" / "datasets"
    if not (datasets / dataset).is_dir():
        return None
    target = scratch / f"{dataset}-heldout-html"
    target.mkdir(parents=True, exist_ok=True)
    for record in page_records(datasets, (dataset,), jobs=-1):
        if record.split != "heldout":
            continue
        (target / f"{record.id}.html").write_bytes(record.crawled_html.read_bytes())
    return target


def measure(cleaner: Cleaner, directory: Path) -> dict:
    sources = list(iter_sources([str(directory)]))
    kilobytes = sum(len(s.read_bytes()) for s in sources) / 1024 / max(len(sources), 1)
    with tempfile.TemporaryDirectory(dir=OUTPUT_ROOT) as out, threadpool_limits(1):
        # page_timeout=0: in this process, with the model loaded above. With a time
        # budget, even one job cleans on a worker process, which loads the model itself.
        settings = Settings(model=str(cleaner.model.path), keep=frozenset({"body"}),
                            page_timeout=0, markdown=MARKDOWN)
        clean_sources(sources[:50], _sink(out), settings, cleaner=cleaner,
                      site_sources=sources[:50])  # warm-up: loads the model
        started = time.perf_counter()
        summary = clean_sources(sources, _sink(out), settings, cleaner=cleaner,
                                site_sources=sources)
        seconds = time.perf_counter() - started
    return {"dir": str(directory), "pages": len(sources), "errors": summary.errors,
            "seconds": round(seconds, 3), "pages_per_s": round(len(sources) / seconds, 1),
            "lines_per_s": round(summary.lines / seconds, 1), "kb_per_page": round(kilobytes, 1)}


def _sink(out: str) -> TextTreeSink:
    return TextTreeSink(Path(out), suffix=".md" if MARKDOWN else ".txt")


STAGES = ("read", "sketch", "features", "trees", "label", "write")


def stage_costs(cleaner: Cleaner, directory: Path, repeats: int = 3) -> dict:
    """Milliseconds of one core per page for each stage, the median of `repeats` timings.

    The model must be loaded already (main() loads it). Pages that
    cannot be read are left out, as their later stages cost nothing.
    """
    timings = [_stage_seconds(cleaner, directory) for _ in range(repeats)]
    pages = timings[0][1]
    return {stage: round(statistics.median(t[0][stage] for t in timings) / pages * 1000, 3)
            for stage in STAGES}


def _stage_seconds(cleaner: Cleaner, directory: Path) -> tuple[dict, int]:
    """Seconds of each stage over the pages of `directory`, one stage at a time.

    Pages go in the chunks `cleaner clean` sends a worker, and each chunk's
    features and trees in the batches `Cleaner.clean_many` makes of it.
    """
    seconds = dict.fromkeys(STAGES, 0.0)
    pages = 0
    with tempfile.TemporaryDirectory(dir=OUTPUT_ROOT) as out, threadpool_limits(1):
        sink = _sink(out)
        sink.start()
        for chunk in chunked(iter_sources([str(directory)])):
            started = time.perf_counter()
            read = [(source, read_source(source, markdown=MARKDOWN)) for source in chunk]
            seconds["read"] += time.perf_counter() - started
            read = [(source, page) for source, page in read if isinstance(page, Page)]
            started = time.perf_counter()
            for _, page in read:
                sketch_page(page)
            seconds["sketch"] += time.perf_counter() - started
            for batch in batched(read, weight=lambda pair: len(pair[1].lines),
                                 max_weight=BATCH_LINES):
                _clean_and_write(cleaner, batch, sink, seconds)
            pages += len(read)
    return seconds, max(pages, 1)


def _clean_and_write(cleaner: Cleaner, batch: list, sink: TextTreeSink, seconds: dict) -> None:
    pages = [page for _, page in batch]
    started = time.perf_counter()
    lines = batch_features(pages)
    seconds["features"] += time.perf_counter() - started
    started = time.perf_counter()
    probs = cleaner.model.estimator.predict_proba(lines.X, page_of_row=lines.page_of_row,
                                                  copy_of_row=lines.copy_of_row,
                                                  box_of_row=lines.box_of_row)
    seconds["trees"] += time.perf_counter() - started
    started = time.perf_counter()
    results = [labelled_result(page, probs[lines.rows_of(i)], cleaner.keep)
               for i, (_, page) in enumerate(batch)]
    outcomes = [outcome_of(str(source.relative), result, cleaner.keep, record=False,
                           with_lines=False)
                for (source, _), result in zip(batch, results, strict=True)]
    seconds["label"] += time.perf_counter() - started
    started = time.perf_counter()
    for outcome in outcomes:
        sink.write(outcome)
    seconds["write"] += time.perf_counter() - started


def trafilatura_pages_per_s(directory: Path, limit: int = 400) -> float | None:
    """trafilatura.extract's pages/s on (up to `limit` of) the HTML pages of `directory`,
    one core, after a warm-up page; None when trafilatura is not installed."""
    try:
        import trafilatura
    except ImportError:
        return None
    pages = [p.read_bytes() for p in sorted(directory.iterdir())
             if p.suffix in (".html", ".htm")][:limit]
    if not pages:
        return None
    trafilatura.extract(pages[0])
    started = time.perf_counter()
    for html in pages:
        trafilatura.extract(html)
    return len(pages) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, action="append", help="Directory of dumps.")
    parser.add_argument("--model", default="default")
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    parser.add_argument("--out-root", help="Write the cleaned files under this folder "
                        "(default: the system's temporary folder), e.g. /dev/shm.")
    parser.add_argument("--markdown", action="store_true",
                        help="Time --format markdown: pages read for markdown, .md files.")
    args = parser.parse_args()
    global OUTPUT_ROOT, MARKDOWN
    OUTPUT_ROOT, MARKDOWN = args.out_root, args.markdown
    cleaner = Cleaner.load(args.model)
    cleaner.model.load_all()  # model load excluded
    with tempfile.TemporaryDirectory() as scratch:
        dirs = args.dir or [SEEDS]
        if not args.dir and HELDOUT_DUMPS.is_dir():
            dirs.append(dumps_from_label_files(HELDOUT_DUMPS, Path(scratch) / "l3s-heldout"))
        if not args.dir:
            dirs += [d for d in (heldout_html(name, Path(scratch))
                                 for name in ("l3s-gn1", "dragnet")) if d is not None]
        crawls = [crawl_like(d, Path(scratch)) for d in dirs]
        results = [measure(cleaner, crawl) for crawl in crawls]
        for result, crawl in zip(results, crawls, strict=True):
            result["ms_per_page"] = stage_costs(cleaner, crawl)
            with threadpool_limits(1):
                peer = trafilatura_pages_per_s(crawl)
            result["trafilatura_pages_per_s"] = round(peer, 1) if peer else None
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    how = " --format markdown" if MARKDOWN else ""
    print(f"cleaner clean DIR -o OUT{how}, one core, model load excluded ({machine})")
    print(f"each directory's pages copied to >= {MIN_PAGES} files")
    print(f"{'directory':<40}{'pages':>8}{'KB/page':>9}{'pages/s':>10}{'text lines/s':>14}"
          f"{'trafilatura p/s':>17}{'ratio':>7}")
    for r in results:
        name = Path(r["dir"]).name
        peer = r["trafilatura_pages_per_s"]
        versus = (f"{peer:>17.0f}{r['pages_per_s'] / peer:>6.1f}x" if peer else
                  f"{'-':>17}{'-':>7}")
        print(f"{name:<40}{r['pages']:>8}{r['kb_per_page']:>9.0f}{r['pages_per_s']:>10.0f}"
              f"{r['lines_per_s']:>14.0f}{versus}")
    print()
    print("where the time goes, ms of one core per page (each stage timed alone, "
          "median of 3)")
    print(f"{'directory':<40}" + "".join(f"{stage:>11}" for stage in STAGES) + f"{'total':>9}")
    for r in results:
        costs = r["ms_per_page"]
        print(f"{Path(r['dir']).name:<40}" + "".join(f"{costs[s]:>11.2f}" for s in STAGES)
              + f"{sum(costs.values()):>9.2f}")
    where = f" --out-root {args.out_root}" if args.out_root else ""
    where += " --markdown" if MARKDOWN else ""
    print(f"cleaned files written under {args.out_root or tempfile.gettempdir()}")
    print(f"reproduce: python benchmarks/bench_speed.py{where}")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "results": results}, indent=2))


if __name__ == "__main__":
    main()
