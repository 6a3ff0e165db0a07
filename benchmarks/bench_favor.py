"""Precision or recall: cleaner's body weight curve beside trafilatura's three settings.

    pip install -e '.[bench]'
    python -m benchmarks.bench_favor                     # table, docs/favor.png
    python -m benchmarks.bench_favor --sets dragnet --plot /tmp/favor.png --json favor.json

Pages: the held-out hosts of l3s-gn1 and dragnet and wcxb's held-out articles, raw
HTML in, gold from each dataset's own human gold, loaded as benchmarks/bench_peers.py
loads them (wcxb: its pages of type article, benchmarks/peers_wcxb.py). Each page
is cleaned on its own, as bench_peers' `cleaner` row and as trafilatura runs
(`--site-stats`: as one batch per set, as `cleaner clean` cleans a folder).

For each set: body text 4-gram shingle precision, recall and F1 averaged over pages
(cleaner.training.metrics), for
- cleaner with body's decision weight times each factor 2^(k/4), k = -16..16 (the
  curve; the model runs once per page, the factors only move the argmax),
- cleaner with `--favor balanced`, `precision` and `recall` (the factors the
  model's card gives, chosen out of fold on the training sites:
  cleaner.training.favor),
- trafilatura.extract with comments off (bench_peers' setting) at its default,
  `favor_precision=True` and `favor_recall=True` (the command line's `--precision`
  and `--recall`).
The plot draws each set's curve as precision against recall, with the six points.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import os
import platform
import sys
import warnings
from pathlib import Path

import numpy as np

from benchmarks import bench_peers, peers_wcxb
from cleaner.clean import Cleaner, page_labels
from cleaner.document import Result
from cleaner.favor import FAVORS, KINDS, Decision
from cleaner.labels import join_kept
from cleaner.site_stats import SiteStats
from cleaner.training.corpus.records import WCXB
from cleaner.training.metrics import match_text, text_scores

REPO = Path(__file__).resolve().parents[1]
SETS = ("l3s-gn1", "dragnet", WCXB)
FACTORS = tuple(float(2.0 ** (k / 4)) for k in range(-16, 17))
TRAFILATURA = {"default": {}, "precision": {"favor_precision": True},
               "recall": {"favor_recall": True}}
PLOT = REPO / "docs" / "favor.png"
SET_NAMES = {"l3s-gn1": "l3s-gn1", "dragnet": "dragnet", WCXB: "wcxb articles"}


def load_sets(datasets_dir: Path, names: list[str]) -> dict[str, list]:
    """bench_peers' pages of each set (wcxb: its articles)."""
    pages = bench_peers.load_pages(datasets_dir, [n for n in names if n != WCXB])
    if WCXB in names:
        def make_page(record, raw, html, gold, page_type):
            return bench_peers.Page(record, raw, html, gold, "", "?", page_type)

        found, _ = peers_wcxb.load_pages(datasets_dir, make_page)
        pages[WCXB] = [page for page in found if page.page_type == "article"]
    return {name: pages[name] for name in names if pages.get(name)}


def scores(texts: list[str], pages: list) -> dict[str, float]:
    return text_scores(match_text(text, page.gold_body)
                       for text, page in zip(texts, pages, strict=True))


class CleanerRun:
    """The model's probabilities for every page of a set, once; texts for any decision."""

    def __init__(self, cleaner: Cleaner, pages: list, site_stats: bool):
        loaded = [bench_peers._cleaner_page(page) for page in pages]
        readable = [page for page in loaded if not isinstance(page, Result)]
        self.templates = SiteStats.of(readable).templates() if site_stats else None
        self.items = list(cleaner.probabilities_many(loaded))

    def texts(self, decision: Decision) -> list[str]:
        out = []
        for item in self.items:
            if isinstance(item, Result):  # a page cleaner cannot read scores as empty
                out.append("")
                continue
            page, probs = item
            labels, _ = page_labels(page, probs, self.templates, decision)
            out.append(join_kept(page.lines, labels, frozenset({"body"})))
        return out


def run_trafilatura(pages: list) -> dict[str, list[str]]:
    import trafilatura

    texts: dict[str, list[str]] = {}
    for setting, flags in TRAFILATURA.items():
        texts[setting] = []
        with contextlib.redirect_stderr(io.StringIO()):
            for page in pages:
                try:
                    texts[setting].append(trafilatura.extract(
                        page.html, include_comments=False, **flags) or "")
                except Exception:  # a page it raises on scores as empty
                    texts[setting].append("")
    return texts


def set_rows(name: str, pages: list, cleaner: Cleaner, site_stats: bool,
             with_trafilatura: bool) -> list[dict]:
    """The curve's rows, cleaner's three favors, trafilatura's three settings."""
    run = CleanerRun(cleaner, pages, site_stats)
    rows = []
    for factor in FACTORS:
        decision = Decision(dict.fromkeys(KINDS, factor))
        rows.append({"set": name, "tool": "cleaner", "setting": "curve", "factor": factor,
                     **scores(run.texts(decision), pages)})
    for favor in FAVORS:
        decision = cleaner.decision(favor)
        rows.append({"set": name, "tool": "cleaner", "setting": favor,
                     "factor": decision.body_weights.get("html", 1.0),
                     **scores(run.texts(decision), pages)})
    if with_trafilatura:
        for setting, texts in run_trafilatura(pages).items():
            rows.append({"set": name, "tool": "trafilatura", "setting": setting,
                         "factor": None, **scores(texts, pages)})
    return rows


def format_points(rows: list[dict]) -> str:
    """cleaner's three favors and trafilatura's three settings, set by set."""
    lines = ["| set | pages | tool | setting | body weight x | precision | recall | F1 |",
             "|" + " --- |" * 8]
    for row in rows:
        if row["setting"] == "curve":
            continue
        factor = f"{row['factor']:.3g}" if row["factor"] is not None else "-"
        lines.append(f"| {SET_NAMES[row['set']]} | {row['pages']} | {row['tool']} "
                     f"| {row['setting']} | {factor} | {row['precision']:.3f} "
                     f"| {row['recall']:.3f} | {row['f1']:.3f} |")
    return "\n".join(lines)


def format_curve(rows: list[dict]) -> str:
    """The curve: a row per factor, each set's precision / recall / F1."""
    names = list(dict.fromkeys(row["set"] for row in rows))
    curve = [row for row in rows if row["setting"] == "curve"]
    lines = ["| body weight x | " + " | ".join(f"{SET_NAMES[n]} P / R / F1" for n in names)
             + " |", "|" + " --- |" * (len(names) + 1)]
    for factor in dict.fromkeys(row["factor"] for row in curve):
        cells = {row["set"]: row for row in curve if row["factor"] == factor}
        lines.append(f"| {factor:.3g} | " + " | ".join(
            f"{cells[n]['precision']:.3f} / {cells[n]['recall']:.3f} / {cells[n]['f1']:.3f}"
            for n in names) + " |")
    return "\n".join(lines)


def plot(rows: list[dict], target: Path, footer: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(row["set"] for row in rows))
    figure, axes = plt.subplots(1, len(names), figsize=(5.2 * len(names), 5.0), squeeze=False)
    for axis, name in zip(axes[0], names, strict=True):
        _plot_set(axis, [row for row in rows if row["set"] == name], name)
    axes[0][0].legend(loc="lower left", fontsize=8)
    figure.suptitle("Body text precision and recall, held-out pages (HTML in)")
    figure.text(0.5, 0.005, footer, ha="center", fontsize=7, color="grey")
    figure.tight_layout(rect=(0, 0.03, 1, 0.97))
    figure.savefig(target, dpi=110)
    plt.close(figure)


MARKERS = {"balanced": "o", "precision": "^", "recall": "v", "default": "o"}


def _plot_set(axis, rows: list[dict], name: str) -> None:
    curve = [row for row in rows if row["setting"] == "curve"]
    axis.plot([r["recall"] for r in curve], [r["precision"] for r in curve], "-",
              color="tab:blue", alpha=0.6, marker=".", label="cleaner, body weight x 1/16..16")
    for row in rows:
        if row["setting"] == "curve":
            continue
        colour = "tab:blue" if row["tool"] == "cleaner" else "tab:red"
        prefix = "--favor " if row["tool"] == "cleaner" else ""
        axis.plot(row["recall"], row["precision"], MARKERS[row["setting"]], color=colour,
                  markersize=9, markeredgecolor="black",
                  label=f"{row['tool']} {prefix}{row['setting']}")
    _iso_f1(axis, [r for r in rows if r["setting"] != "curve"])
    axis.set_title(f"{SET_NAMES[name]} ({rows[0]['pages']} pages)")
    axis.set_xlabel("recall")
    axis.set_ylabel("precision")
    axis.grid(alpha=0.3)


def _iso_f1(axis, points: list[dict]) -> None:
    """Limits around the six points (the curve's far ends are cut), and grey lines of
    equal F1."""
    precision = [r["precision"] for r in points]
    recall = [r["recall"] for r in points]
    axis.set_xlim(max(min(recall) - 0.1, 0), 1.0)
    axis.set_ylim(max(min(precision) - 0.06, 0), min(max(precision) + 0.02, 1.0))
    r = np.linspace(0.01, 1.0, 200)
    for f1 in np.arange(0.5, 1.0, 0.02):
        p = f1 * r / (2 * r - f1)
        ok = (p > 0) & (p <= 1)
        axis.plot(r[ok], p[ok], color="grey", linewidth=0.5, alpha=0.4)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets-dir", type=Path, default=bench_peers.DEFAULT_DATASETS)
    parser.add_argument("--sets", default=",".join(SETS),
                        help=f"comma-separated, of {','.join(SETS)} (default: all)")
    parser.add_argument("--model", default=None, help="cleaner model (default: shipped)")
    parser.add_argument("--site-stats", action="store_true",
                        help="clean each set as one batch with site stats")
    parser.add_argument("--no-trafilatura", action="store_true")
    parser.add_argument("--plot", type=Path, default=PLOT, help=f"default: {PLOT}")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    parser.add_argument("--markdown", type=Path, help="also write the tables as Markdown")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    warnings.filterwarnings("ignore")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    cleaner = Cleaner.load(args.model)
    rows = []
    for name, pages in load_sets(args.datasets_dir, args.sets.split(",")).items():
        for row in set_rows(name, pages, cleaner, args.site_stats, not args.no_trafilatura):
            rows.append({**row, "pages": len(pages)})
    command = "python -m benchmarks.bench_favor " + " ".join(
        sys.argv[1:] if argv is None else argv)
    footer = (f"{datetime.date.today()} · {platform.processor() or platform.machine()} · "
              f"model {cleaner.model.name} · `{command.strip()}`")
    text = "\n\n".join([format_points(rows), format_curve(rows), footer])
    print(text)
    plot(rows, args.plot, footer.replace("`", ""))
    print(f"plot: {args.plot}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "footer": footer}, indent=2))
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
