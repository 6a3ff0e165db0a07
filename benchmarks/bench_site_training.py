"""Learning curve of site training: label k pages of a site, retrain, score the rest.

    python -m cleaner.training.corpus build                          # once: the label files
    python -m benchmarks.bench_site_training                # held-out sites, k = 1, 2, 4
    python -m benchmarks.bench_site_training --sites train  # training-split sites (design only)

Sites: the hosts (not registrable domains: sethgodin.typepad.com and
legaltimes.typepad.com are different sites) of l3s-gn1, dragnet and
readability with at least 6 pages in
the corpus (`data/build/corpus/<dataset>/cleaner/<split>`: HTML rendered by
cleaner, with DOM cues). By default only held-out hosts, which the shipped
model never saw; `--sites train` runs on the training split, where the default
model's "before" is flattered, for choosing settings only.

For each site and k, `--draws` random choices (seeded) of k pages train a
`SiteModel` on top of the default model (what `cleaner train PAGES --base
default` does); the site's other pages are scored before (default model) and
after (site model): body-text 4-gram shingle F1 averaged over pages. Lines a
partial gold (dragnet, readability) does not cover count as "not body" for
training, as a person correcting them would mark them. It prints one row per
site and k, then the mean over sites, the share of errors (1 - F1) removed,
and the slowest training time.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import random
import time
from pathlib import Path

import numpy as np

from cleaner.clean import Cleaner
from cleaner.model.site import SITE_WEIGHT, SiteModel
from cleaner.training.train import labelled_batch, load_label_files, score_probabilities, site_of

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "data" / "build" / "corpus"
DATASETS = ("l3s-gn1", "dragnet", "readability")
MIN_PAGES = 6
KS = (1, 2, 4)


def site_pages(split: str, renderer: str) -> dict[str, list]:
    by_site: dict[str, list] = collections.defaultdict(list)
    for dataset in DATASETS:
        folder = CORPUS / dataset / renderer / split
        if folder.is_dir():
            for labelled in load_label_files([folder]):
                host = labelled.meta.get("host") or site_of(labelled)
                by_site[f"{dataset}:{host}"].append(labelled)
    return {site: pages for site, pages in sorted(by_site.items()) if len(pages) >= MIN_PAGES}


def body_f1(estimator, data) -> float:
    probs = estimator.predict_proba(data.batch.X, page_of_row=data.batch.page_of_row,
                                    copy_of_row=data.batch.copy_of_row,
                                    box_of_row=data.batch.box_of_row)
    return score_probabilities(data, probs)["text"]["body"]["f1"]


def run_site(base, pages: list, k: int, draws: int, seed: int, **settings) -> dict:
    before, after, seconds = [], [], []
    rng = random.Random(f"{seed}:{k}:{pages[0].path}")
    for _ in range(draws):
        chosen = set(rng.sample(range(len(pages)), k))
        train = labelled_batch([p for i, p in enumerate(pages) if i in chosen],
                               partial_weight=1.0)
        test = labelled_batch([p for i, p in enumerate(pages) if i not in chosen])
        started = time.perf_counter()
        site = SiteModel(base, **settings).fit(
            train.batch.X, train.y, page_of_row=train.batch.page_of_row,
            copy_of_row=train.batch.copy_of_row, box_of_row=train.batch.box_of_row)
        seconds.append(time.perf_counter() - started)
        before.append(body_f1(base, test))
        after.append(body_f1(site, test))
    return {"before": float(np.mean(before)), "after": float(np.mean(after)),
            "seconds": max(seconds)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", choices=("heldout", "train"), default="heldout")
    parser.add_argument("--renderer", choices=("cleaner", "w3m"), default="cleaner")
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--site-weight", type=float, default=SITE_WEIGHT)
    parser.add_argument("--params", default="{}", help="more SiteModel settings, as JSON")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    model = Cleaner.load().model
    model.load_all()  # the first site's training time should not count reading it
    base = model.estimator
    sites = site_pages(args.sites, args.renderer)
    if not sites:
        raise SystemExit(f"no sites with >= {MIN_PAGES} pages in {CORPUS}: "
                         "run python -m cleaner.training.corpus build")
    print(f"site weight {args.site_weight}, settings {args.params}")
    print("| site | pages | k | body F1 default | body F1 site model | train s |")
    print("| --- | --- | --- | --- | --- | --- |")
    results = collections.defaultdict(list)
    for site, pages in sites.items():
        for k in KS:
            row = run_site(base, pages, k, args.draws, args.seed, site_weight=args.site_weight,
                           **json.loads(args.params))
            results[k].append(row)
            print(f"| {site} | {len(pages)} | {k} | {row['before']:.3f} | {row['after']:.3f} "
                  f"| {row['seconds']:.1f} |")
    print()
    print("| k | sites | body F1 default | body F1 site model | errors removed | slowest train s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for k, rows in results.items():
        before = np.mean([r["before"] for r in rows])
        after = np.mean([r["after"] for r in rows])
        removed = 1 - (1 - after) / (1 - before) if before < 1 else 0.0
        print(f"| {k} | {len(rows)} | {before:.3f} | {after:.3f} | {removed:.0%} "
              f"| {max(r['seconds'] for r in rows):.1f} |")
    print()
    print(f"{platform.machine()}, {os.cpu_count()} cores, one used; {args.draws} draws per site "
          f"and k; reproduce: python -m benchmarks.bench_site_training "
          f"--sites {args.sites} --renderer {args.renderer}")


if __name__ == "__main__":
    main()
