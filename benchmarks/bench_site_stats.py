"""Site stats on held-out hosts: body text before and after, and what pass one costs.

    python -m cleaner.training.corpus build                  # once: the label files
    python -m benchmarks.bench_site_stats           # quality, then the cost of pass one
    python -m benchmarks.bench_site_stats --no-speed --json out.json

Quality: each held-out set (`data/build/corpus/<dataset>/<renderer>/heldout`,
sites never trained on) is cleaned as one batch with the shipped model, as
`cleaner clean` would clean it, without and with site stats: the same
functions (`SiteStats`, `Cleaner.clean_many(..., templates=...)`). A page's
site is its URL host, else the host its label file names (the split's host,
cleaner/training/corpus/split.py). Body text is scored as everywhere else (4-gram
shingles, cleaner.metrics) on the pages of hosts with several pages, the only
ones the rule can change, and on all pages.

Cost: `cleaner clean DIR -o OUT --jobs N` on the seed dumps copied 2,000 times
(one folder: one site) and on a gzipped WARC of 2,000 HTML pages (50 hosts),
with and without `--no-site-stats`, whole command timed
(benchmarks/bench_batch.py's helpers).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import tempfile
from pathlib import Path

from benchmarks.bench_batch import clean_command, html_warc, machine, measure, text_dumps
from cleaner.clean import Cleaner, join_kept
from cleaner.site_stats import BUCKET_PAGES, SiteStats, site_key
from cleaner.training.metrics import match_text, text_scores
from cleaner.training.train import gold_labels, load_label_files, page_of

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "data" / "build" / "corpus"
SETS = (("l3s-gn1", "w3m"), ("l3s-gn1", "cleaner"), ("dragnet", "w3m"),
        ("dragnet", "cleaner"), ("readability", "cleaner"))
KEEP = frozenset({"body"})
COPIES = 2_000
COMMAND = "python -m benchmarks.bench_site_stats"


def quality(cleaner: Cleaner, dataset: str, renderer: str) -> dict:
    files = [f for f in load_label_files([CORPUS / dataset / renderer / "heldout"])
             if "body" in gold_labels(f)]
    pages = [page_of(f) for f in files]
    stats = SiteStats.of(pages)
    templates = stats.templates()
    before = list(cleaner.clean_many(pages, keep=KEEP))
    after = list(cleaner.clean_many(pages, keep=KEEP, templates=templates))
    sites = [site_key(page) for page in pages]
    pages_of_site = collections.Counter(sites)
    several = [i for i, site in enumerate(sites) if pages_of_site[site] >= 2]
    gold = [join_kept(f.lines, f.labels, KEEP) for f in files]

    def scores(results, indices) -> dict:
        return text_scores(match_text(results[i].text, gold[i]) for i in indices)

    demoted = sum(b == "body" != a for r0, r1 in zip(before, after, strict=True)
                  for b, a in zip(r0.labels, r1.labels, strict=True))
    every = range(len(pages))
    return {
        "set": f"{dataset} {renderer}", "hosts": sum(n >= 2 for n in pages_of_site.values()),
        "pages": len(several), "all_pages": len(pages),
        "before": scores(before, several), "after": scores(after, several),
        "all_before": scores(before, every), "all_after": scores(after, every),
        "template_lines": sum(len(lines) for lines in templates.values()),
        "demoted_body_lines": demoted,
        "largest_site": max(counter.pages for counter in stats.sites.values()),
    }


def print_quality(rows: list[dict]) -> None:
    print("Held-out hosts with several pages; body text shingle P / R / F1 without -> with "
          "site stats (model: models/default)")
    print("| set | hosts | pages | precision | recall | F1 | F1, all held-out pages "
          "| template lines | body lines demoted |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        b, a = row["before"], row["after"]
        print(f"| {row['set']} | {row['hosts']} | {row['pages']} "
              f"| {b['precision']:.3f} -> {a['precision']:.3f} "
              f"| {b['recall']:.3f} -> {a['recall']:.3f} | {b['f1']:.3f} -> **{a['f1']:.3f}** "
              f"| {row['all_before']['f1']:.3f} -> {row['all_after']['f1']:.3f} "
              f"({row['all_pages']}) | {row['template_lines']} | {row['demoted_body_lines']} |")
    largest = max(row["largest_site"] for row in rows)
    exact = "exact" if largest < BUCKET_PAGES else "streaming estimate"
    print(f"(largest site: {largest} distinct pages, counted {exact}; "
          f"reproduce: {COMMAND})")


def speed(jobs: int, html: bool) -> list[dict]:
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-site-stats-") as scratch:
        scratch = Path(scratch)
        inputs = [("text dumps (seed copies), directory", text_dumps(scratch / "dumps", COPIES))]
        if html:
            inputs.append(("HTML pages, WARC", html_warc(scratch / "pages.warc.gz", COPIES)))
        for name, path in inputs:
            for flag in ([], ["--no-site-stats"]):
                command = clean_command(path, scratch / f"out{len(runs)}", jobs) + flag
                run = measure(name, COPIES, command)
                run["site_stats"] = not flag
                runs.append(run)
    return runs


def print_speed(runs: list[dict], jobs: int) -> None:
    print(f"\ncleaner clean INPUT -o OUT --jobs {jobs}, whole command timed ({machine()})")
    print("| input | pages | seconds, --no-site-stats | seconds, site stats | pass one costs "
          "| peak RSS MB (off / on) |")
    print("| --- | --- | --- | --- | --- | --- |")
    by_input: dict[str, dict] = collections.defaultdict(dict)
    for run in runs:
        by_input[run["run"]][run["site_stats"]] = run
    for name, pair in by_input.items():
        off, on = pair[False], pair[True]
        extra = on["seconds"] - off["seconds"]
        print(f"| {name} | {off['pages']} | {off['seconds']:.1f} | {on['seconds']:.1f} "
              f"| +{extra:.1f} s ({extra / off['seconds']:+.0%}) "
              f"| {off['peak_rss_mb']:.0f} / {on['peak_rss_mb']:.0f} |")
    print(f"reproduce: {COMMAND} --jobs {jobs}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="--jobs of the timed runs")
    parser.add_argument("--no-speed", action="store_true", help="Quality only.")
    parser.add_argument("--no-html", action="store_true", help="Time the text dumps only.")
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if not (CORPUS / "l3s-gn1").is_dir():
        raise SystemExit(f"no corpus in {CORPUS}: run python -m cleaner.training.corpus build")
    cleaner = Cleaner.load()
    rows = [quality(cleaner, dataset, renderer) for dataset, renderer in SETS
            if (CORPUS / dataset / renderer / "heldout").is_dir()]
    print_quality(rows)
    runs = [] if args.no_speed else speed(args.jobs, html=not args.no_html)
    if runs:
        print_speed(runs, args.jobs)
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "quality": rows, "speed": runs},
                                        indent=2))


if __name__ == "__main__":
    main()
