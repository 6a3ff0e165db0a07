"""`cleaner lines`: a page as the lines cleaner labels, with their DOM cues."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cleaner.cli.base import Command, app
from cleaner.cli.common import note, read_one_page
from cleaner.cli.options import InputFormatOption, PageArgument, RecordsFormatOption
from cleaner.show import lines_view


@app.command(name="lines", cls=Command)
def lines_command(
    page: PageArgument,
    input_format: InputFormatOption = "auto",
    cues: Annotated[bool, typer.Option(
        "--cues", help="Print each line's DOM cues before it (HTML only).")] = False,
    output_format: RecordsFormatOption = "text",
) -> None:
    """Print the page as the lines cleaner labels: the renderer's debugging aid.

    With --cues each line starts with its cues: tag@depth, heading level, the
    share of its characters inside links, enclosing regions (in=), class or id
    tokens of its ancestors (cls=), its box (the element around its block), its
    container's content score, and "top" or "chrome" where they hold. Blank
    lines separate blocks. --format jsonl prints a JSON record per line: its
    text, and with --cues its cues (null for a text dump).

    Example: cleaner lines page.html --cues | less
    """
    loaded = read_one_page(page, input_format, "printing")
    if cues and loaded.cues is None:
        note(f"{loaded.source}: a text dump has no DOM cues")
    if output_format == "jsonl":
        for index, line in enumerate(loaded.lines):
            record = {"text": line}
            if cues:
                found = loaded.cues[index] if loaded.cues is not None else None
                record["cues"] = found.to_dict() if found is not None else None
            typer.echo(json.dumps(record, ensure_ascii=False))
        return
    for line in lines_view(loaded, cues):
        typer.echo(line)
