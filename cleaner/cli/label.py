"""`cleaner label`: line-label files pre-filled by a model, for a person to correct."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cleaner.batch.summary import counted
from cleaner.cli.base import Command, app
from cleaner.cli.common import EXIT_OK, EXIT_PAGES_FAILED, fail, load_cleaner, note
from cleaner.cli.options import InputFormatOption, ModelOption, RecordsFormatOption, paths
from cleaner.labels import UNSURE_BELOW
from cleaner.readers.sources import InputError


@app.command(cls=Command)
def label(
    pages: Annotated[list[str], paths("Text dumps or HTML pages, or folders.")],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="DIR",
                                         help="Folder for the label files.")],
    model: ModelOption = "default",
    input_format: InputFormatOption = "auto",
    unsure_below: Annotated[float, typer.Option(
        "--unsure-below", metavar="P",
        help="Mark lines whose label probability is below this with '?'.")] = UNSURE_BELOW,
    output_format: RecordsFormatOption = "text",
) -> None:
    """Write line-label files pre-filled with the model's labels, for a person to correct.

    --format jsonl prints a JSON record per page: source, and target and unsure
    (its file and unsure lines) or error.

    Example: cleaner label site-pages/ -o labels/mysite/
    """
    from cleaner.training.prelabel import prelabel_pages

    cleaner = load_cleaner(model)
    failed = written = 0
    try:
        for done in prelabel_pages(cleaner, pages, output, input_format=input_format,
                                   unsure_below=unsure_below):
            if done.error is not None:
                typer.echo(f"cleaner: {done.source}: {done.error}", err=True)
                failed += 1
            else:
                written += 1
            if output_format == "jsonl":
                record = ({"source": done.source, "error": done.error} if done.error is not None
                          else {"source": done.source, "target": str(done.target),
                                "unsure": done.unsure})
                typer.echo(json.dumps(record, ensure_ascii=False))
            elif done.error is None:
                typer.echo(f"{done.target}\t{done.unsure} unsure lines")
    except InputError as error:
        raise fail(str(error)) from None
    note(f"wrote {counted(written, 'label file')}, {counted(failed, 'page')} failed")
    raise typer.Exit(EXIT_PAGES_FAILED if failed else EXIT_OK)
