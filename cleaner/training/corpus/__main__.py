"""`python -m cleaner.training.corpus`: build the corpus, show the split, check the aligner.

python -m cleaner.training.corpus build --jobs 2
python -m cleaner.training.corpus split
python -m cleaner.training.corpus validate
python -m cleaner.training.corpus site canada.com --train 2 --out data/build/site/canada.com
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from cleaner.labels import LABELS
from cleaner.sites import registrable_domain
from cleaner.training.corpus.build import NO_TARGET, build_corpus
from cleaner.training.corpus.records import ALL_DATASETS, L3S, page_records
from cleaner.training.corpus.site import write_site
from cleaner.training.corpus.split import HELDOUT
from cleaner.training.corpus.validate import validate_alignment

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)

DEFAULT_DATASETS = Path("../shared/datasets")
DEFAULT_OUT = Path("data/build/corpus")
DatasetsOption = Annotated[Path, typer.Option("--datasets", help="Folder of the datasets.")]
JobsOption = Annotated[int, typer.Option("--jobs", "-j", help="Worker processes (-1: all cores).")]
OutOption = Annotated[Path, typer.Option("--out", help="Output folder (git-ignored).")]
OnlyOption = Annotated[list[str] | None, typer.Option("--only", help="Build only these datasets.")]
RendererOption = Annotated[
    list[str] | None, typer.Option("--renderer", help="Render with w3m and/or cleaner only.")
]


def _datasets_dir(path: Path) -> Path:
    if not path.is_dir():
        raise typer.BadParameter(f"{path} is not a folder (expected ../shared/datasets)")
    return path


@app.command()
def build(
    datasets: DatasetsOption = DEFAULT_DATASETS,
    out: OutOption = DEFAULT_OUT,
    jobs: JobsOption = -1,
    only: OnlyOption = None,
    renderer: RendererOption = None,
) -> None:
    """Rebuild the corpus from scratch, deterministically, and print a summary.

    Example: python -m cleaner.training.corpus build --jobs 2
    """
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    chosen = tuple(only) if only else ALL_DATASETS
    if unknown := set(chosen) - set(ALL_DATASETS):
        raise typer.BadParameter(f"unknown dataset(s) {sorted(unknown)}; expected {ALL_DATASETS}")
    started = time.perf_counter()
    summary = build_corpus(
        _datasets_dir(datasets), out, datasets=chosen, renderers=renderer or None, jobs=jobs
    )
    typer.echo(format_summary(summary))
    typer.echo(f"\n{summary['files']} files in {out} ({time.perf_counter() - started:.0f} s)")


def format_summary(summary: dict) -> str:
    columns = (*LABELS, NO_TARGET)
    header = f"{'dataset/renderer/split':34} {'pages':>6} " + " ".join(f"{x:>8}" for x in columns)
    rows = [header, "-" * len(header)]
    for key, group in summary["groups"].items():
        counts = " ".join(f"{group['lines'].get(label, 0):>8}" for label in columns)
        rows.append(f"{key:34} {group['pages']:>6} {counts}")
    rows.extend(_page_type_rows(summary.get("page_types", {})))
    for renderer, checks in summary["checks"].items():
        if checks["l3s_layout_kept"] == "0/0":  # no l3s-gn1 page in this build
            rows.extend(f"{renderer}: {dataset}: {share:.1%} of the gold words matched"
                        for dataset, share in checks["gold_words_matched"].items())  # fmt: skip
            continue
        rows.append(f"\n{renderer}: l3s pages whose layout the markers kept: "
                    f"{checks['l3s_layout_kept']}")  # fmt: skip
        rows.append(f"{renderer}: aligner vs marker labels on l3s-gn1 (related scored as nav):")
        for label, s in checks["l3s_alignment_vs_markers"].items():
            rows.append(f"  {label:8} P {s['precision']:.4f}  R {s['recall']:.4f}  "
                        f"F1 {s['f1']:.4f}  ({s['lines']} lines)")  # fmt: skip
        for dataset, share in checks["gold_words_matched"].items():
            rows.append(f"{renderer}: {dataset}: {share:.1%} of the gold words matched")
    for kind in ("dropped", "failed"):
        if summary[kind]:
            rows.append(f"\n{kind}:")
            rows.extend(f"  {page}" for page in summary[kind])
    return "\n".join(rows)


def _page_type_rows(figures: dict) -> list[str]:
    """Pages per page type (wcxb), and how its forum threads were labelled."""
    if not figures:
        return []
    rows = ["\npages by type (forum threads: posts told apart / untold, no target):"]
    for key, group in figures.items():
        types = ", ".join(f"{kind} {n}" for kind, n in sorted(group["pages"].items()))
        threads = group["threads"]
        rows.append(f"  {key:32} {types}; threads {threads.get('cut', 0)} / "
                    f"{threads.get('untold', 0)}")  # fmt: skip
    return rows


@app.command()
def split(datasets: DatasetsOption = DEFAULT_DATASETS, jobs: JobsOption = -1) -> None:
    """Print the held-out split: hosts and pages per dataset, and how hosts were found.

    Example: python -m cleaner.training.corpus split
    """
    records = page_records(_datasets_dir(datasets), ALL_DATASETS, jobs=jobs)
    header = f"{'dataset':12} " + "   ".join(
        f"{what:>6} {'held':>5} {'share':>6}" for what in ("pages", "hosts", "sites")
    )
    rows = [header + f"   {'unknown':>7}", "-" * (len(header) + 10)]
    for dataset in [*ALL_DATASETS, "all"]:
        mine = [r for r in records if dataset in ("all", r.dataset)]
        if not mine:
            continue
        hosts = {r.host: r.split for r in mine}
        sites = {registrable_domain(r.host): r.split for r in mine}
        cells = [_held(list(x)) for x in ((r.split for r in mine), hosts.values(), sites.values())]
        unknown = sum(r.host_source == "unknown" for r in mine)
        rows.append(f"{dataset:12} " + "   ".join(cells) + f"   {unknown:>7}")
    shared = _hosts_in_several_datasets(records)
    rows.append(f"\nhosts in more than one dataset: {len(shared)} ({', '.join(sorted(shared)[:8])}"
                f"{', ...' if len(shared) > 8 else ''})")  # fmt: skip
    rows.append("how hosts were found:")
    for (dataset, how), n in sorted(Counter((r.dataset, r.host_source) for r in records).items()):
        rows.append(f"  {dataset:12} {how:12} {n:>5}")
    typer.echo("\n".join(rows))


def _held(splits: list[str]) -> str:
    held = sum(split == HELDOUT for split in splits)
    return f"{len(splits):>6} {held:>5} {held / len(splits):>6.1%}"


def _hosts_in_several_datasets(records) -> set[str]:
    seen: dict[str, set[str]] = {}
    for r in records:
        if not r.host.startswith("unknown-"):
            seen.setdefault(registrable_domain(r.host), set()).add(r.dataset)
    return {site for site, where in seen.items() if len(where) > 1}


@app.command()
def site(
    host: Annotated[str, typer.Argument(help="A URL host of the datasets, e.g. canada.com.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder (keep it git-ignored).")],
    train: Annotated[int, typer.Option("--train", help="Pages to put aside for labelling.")] = 2,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the draw of those pages.")] = 0,
    datasets: DatasetsOption = DEFAULT_DATASETS,
) -> None:
    """Copy one site's pages and their gold labels, split into pages to label and to check.

    Example:
    python -m cleaner.training.corpus site canada.com --train 2 --out data/build/site/canada.com
    """
    records = [r for r in page_records(_datasets_dir(datasets), ALL_DATASETS, jobs=-1)
               if r.host == host.lower().removeprefix("www.")]
    if not records:
        raise typer.BadParameter(f"no pages of host {host} in {datasets}")
    done = write_site(records, out, train=train, seed=seed)
    split_of_host = records[0].split
    typer.echo(f"{host} ({split_of_host} host): {len(done.train)} pages to label in "
               f"{out}/pages/train, {len(done.check)} to check in {out}/pages/check; "
               f"gold in {out}/gold")
    for reason in done.skipped:
        typer.echo(f"skipped {reason}", err=True)


@app.command()
def validate(
    datasets: DatasetsOption = DEFAULT_DATASETS,
    jobs: JobsOption = -1,
    renderer: Annotated[str, typer.Option(help="w3m or cleaner.")] = "w3m",
    garble: Annotated[float, typer.Option(help="Share of gold words to garble first.")] = 0.0,
) -> None:
    """Score the aligner against the marker labels of l3s-gn1 (related counts as nav).

    Example: python -m cleaner.training.corpus validate --garble 0.05
    """
    records = page_records(_datasets_dir(datasets), (L3S,))
    scores = validate_alignment(records, renderer, garble, jobs).scores()
    typer.echo(f"aligner vs markers, l3s-gn1, {renderer}, {garble:.0%} of gold words garbled:")
    for label, s in scores.items():
        typer.echo(f"  {label:8} P {s['precision']:.4f}  R {s['recall']:.4f}  "
                   f"F1 {s['f1']:.4f}  ({s['lines']} lines)")  # fmt: skip


if __name__ == "__main__":
    app()
