"""`cleaner train`: a model (or a site model, with --base) from line-label files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from cleaner.cli.base import Command, app
from cleaner.cli.common import label_files, load_cleaner
from cleaner.cli.options import ReportFormatOption, paths


@app.command(cls=Command)
def train(
    labelled: Annotated[list[Path], paths("Line-label files or folders of them.")],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="DIR",
                                         help="Folder for the new model.")],
    heldout: Annotated[list[Path] | None, typer.Option(
        "--heldout", metavar="PATH",
        help="Label files to score the model on; figures go into its card.")] = None,
    partial_weight: Annotated[float, typer.Option(
        "--partial-weight", metavar="W",
        help="Weight of 'nav' lines in files whose gold lacks nav/related (0: ignore them).")
    ] = 0.0,
    base: Annotated[str | None, typer.Option(
        "--base", metavar="NAME", help="Adapt this model (e.g. default) to the labelled "
        "pages' site instead of training from scratch.")] = None,
    hosts: Annotated[str | None, typer.Option(
        "--hosts", metavar="HOSTS", help="With --base: comma-separated URL hosts the model "
        "is for (default: the labelled pages' hosts); `clean --models` picks it for them.")
    ] = None,
    output_format: ReportFormatOption = "text",
) -> None:
    """Train a model from line-label files and write it with its card (model.json).

    With --base, keep the base model's general skill and fit the site of the
    labelled pages (a few pages are enough; seconds on one core). --format json
    prints the new model's card.

    Example: cleaner train labels/mysite/ --base default -o models/mysite
    """
    from cleaner.training.train import train_model, train_site_model

    train_files = label_files(labelled)
    heldout_files = label_files(heldout) if heldout else None
    command = "cleaner train " + " ".join(sys.argv[2:]) if sys.argv[1:2] == ["train"] else ""
    if base is None:
        card = train_model(train_files, output, heldout_files=heldout_files,
                           partial_weight=partial_weight, command=command)
    else:
        bound = [h.strip().lower() for h in hosts.split(",") if h.strip()] if hosts else None
        card = train_site_model(train_files, output, load_cleaner(base).model, hosts=bound,
                                heldout_files=heldout_files, partial_weight=partial_weight,
                                command=command)
    if output_format == "json":
        typer.echo(json.dumps(card, indent=2))
    else:
        _print_trained(card, output, with_heldout=bool(heldout_files))


def _print_trained(card: dict, output: Path, *, with_heldout: bool) -> None:
    from cleaner.training.report import full_report

    data = card["training_data"]
    typer.echo(f"trained on {data['pages']} pages from {data['sites']} sites: {output}")
    if card.get("hosts"):
        typer.echo(f"bound to hosts: {', '.join(card['hosts'])}")
    if with_heldout:
        typer.echo(full_report(card["metrics"]["heldout"], "held-out figures"))
