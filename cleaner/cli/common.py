"""What every command shares: exit statuses, error and note lines, loading a model,
reading the one page `show` and `lines` take, and the label files `train` and
`eval` take."""

from __future__ import annotations

from pathlib import Path

import typer

from cleaner import interrupts
from cleaner.clean import Cleaner
from cleaner.document import PageError
from cleaner.labels import parse_keep
from cleaner.model.files import ModelError
from cleaner.readers.sources import InputError, Source, read_one

EXIT_OK, EXIT_PAGES_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = interrupts.EXIT_INTERRUPTED  # what shells report after Ctrl-C
EXIT_BROKEN_PIPE = 141  # what shells report for a command whose reader went away (| head)


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    typer.echo(f"cleaner: error: {message}", err=True)
    return typer.Exit(code)


def note(message: str) -> None:
    """A line on stderr about what the command does with what it was given."""
    typer.echo(f"cleaner: {message}", err=True)


def load_cleaner(model: str) -> Cleaner:
    try:
        return Cleaner.load(model)
    except ModelError as error:
        raise fail(str(error)) from None


def keep_labels(keep: str) -> frozenset[str]:
    try:
        return parse_keep(keep)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--keep") from None



def os_error(error: Exception) -> str:
    """One line for an OSError: the file and the reason, without Python's [Errno N]."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.filename}: {error.strerror}" if error.filename else error.strerror
    return str(error)



def rounded_p(probability: float | None) -> float | None:
    """A probability as JSON records give it: 4 decimals."""
    return None if probability is None else round(float(probability), 4)


def read_one_page(spec: str, input_format: str, doing: str):
    def more(first: Source) -> None:
        note(f"{spec} holds several pages: {doing} the first, {first.source} "
             f"(cleaner clean {spec} cleans them all)")

    try:
        return read_one(spec, input_format, on_more=more)
    except InputError as error:
        raise fail(str(error)) from None
    except PageError as error:
        raise fail(str(error), EXIT_PAGES_FAILED) from None



def label_files(paths: list[Path]):
    from cleaner.training.labelfile import LabelFileError
    from cleaner.training.train import load_label_files

    try:
        files = load_label_files(paths)
    except (OSError, LabelFileError) as error:
        raise fail(str(error)) from None
    if not files:
        raise fail(f"no line-label files (*.tsv) in {', '.join(map(str, paths))}")
    return files

