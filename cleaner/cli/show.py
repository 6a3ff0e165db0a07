"""`cleaner show`: one page's lines with their labels and probabilities, coloured."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from cleaner.cli.base import Command, app
from cleaner.cli.common import fail, load_cleaner, read_one_page, rounded_p
from cleaner.cli.options import (
    FavorOption,
    InputFormatOption,
    MinPOption,
    ModelOption,
    PageArgument,
    RecordsFormatOption,
    one_of,
)
from cleaner.favor import FavorError
from cleaner.show import detailed_view, line_views

COLOR_CHOICES = ("always", "never", "auto")



@app.command(cls=Command)
def show(
    page: PageArgument,
    model: ModelOption = "default",
    input_format: InputFormatOption = "auto",
    favor: FavorOption = "balanced",
    min_p: MinPOption = None,
    color: Annotated[str, typer.Option(
        "--color", metavar="|".join(COLOR_CHOICES), callback=one_of(lambda: COLOR_CHOICES),
        help="Colour by label: always, never, or auto (when stdout is a terminal), as ls "
             "and grep do; `| less -R` needs always.")] = "auto",
    no_color: Annotated[bool, typer.Option("--no-color", hidden=True,
                                           help="The same as --color never.")] = False,
    output_format: RecordsFormatOption = "text",
) -> None:
    """Print every line with its label and probability, coloured by label.

    --format jsonl prints a JSON record per line: text, label, p, and the
    runner-up label and its p (null on blank lines). --favor and --min-p show
    the labels and probabilities `cleaner clean` would give with them.

    Example: cleaner show examples/article.html --color always | less -R
    """
    cleaner = load_cleaner(model)
    try:
        decision = cleaner.decision(favor, min_p)
    except FavorError as error:
        raise fail(str(error)) from None
    loaded = read_one_page(page, input_format, "showing")
    probs = decision.favoured(loaded.kind, cleaner.probabilities([loaded])[0])
    if output_format == "jsonl":
        for view in line_views(loaded, probs, decision.min_p):
            typer.echo(json.dumps({"text": view.text, "label": view.label, "p": rounded_p(view.p),
                                   "runner_up": view.runner_up,
                                   "runner_up_p": rounded_p(view.runner_up_p)}, ensure_ascii=False))
        return
    use_colour = {"always": True, "never": False}.get(
        "never" if no_color else color, sys.stdout.isatty())

    def style(text: str, colour: str) -> str:
        return typer.style(text, fg=colour) if use_colour else text

    rows, summary = detailed_view(loaded, probs, style, decision.min_p)
    for row in rows:
        typer.echo(row, color=use_colour)  # click would drop the colour on a pipe
    typer.echo(summary, err=True)
