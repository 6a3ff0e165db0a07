"""`cleaner eval`: a model's per-label figures on line-label files, beside others."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cleaner.cli.base import Command, app
from cleaner.cli.common import fail, label_files
from cleaner.cli.options import FavorOption, MinPOption, ModelOption, ReportFormatOption, paths
from cleaner.favor import FavorError
from cleaner.model.files import ModelError


@app.command(name="eval", cls=Command)
def evaluate_command(
    labelled: Annotated[list[Path], paths("Line-label files or folders of them.")],
    model: ModelOption = "default",
    compare: Annotated[list[str] | None, typer.Option(
        "--compare", metavar="NAME", help="Also score this model (repeatable) and print the "
        "figures side by side.")] = None,
    output_format: ReportFormatOption = "text",
    as_json: Annotated[bool, typer.Option(
        "--json", hidden=True, help="Deprecated: the same as --format json.")] = False,
    site_stats: Annotated[bool, typer.Option(
        "--site-stats/--no-site-stats",
        help="Score the files as one batch, as `cleaner clean` cleans several pages: lines "
             "that recur on the pages of a site are barred from body.")] = True,
    favor: FavorOption = "balanced",
    min_p: MinPOption = None,
) -> None:
    """Score a model on line-label files: per-label precision, recall, F1, confusion.

    --favor and --min-p score the labels `cleaner clean` gives with them.

    Example: cleaner eval labels/check/ --model models/mysite --compare default
    """
    from cleaner.training.report import full_report, side_by_side
    from cleaner.training.train import evaluate_models

    if as_json:  # kept, unlisted, for the scripts written before --format json
        output_format = "json"
    files = label_files(labelled)
    names = [model, *(compare or [])]
    try:
        reports = evaluate_models(names, files, site_stats=site_stats, favor=favor,
                                  min_p=min_p)
    except (ModelError, FavorError) as error:
        raise fail(str(error)) from None
    if output_format == "json":
        typer.echo(json.dumps(reports if compare else reports[model], indent=2))
    elif compare:
        typer.echo(side_by_side(reports) + f"\n({len(files)} pages)")
    else:
        typer.echo(full_report(reports[model], f"model {model} on {len(files)} pages"))
