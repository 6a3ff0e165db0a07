"""The `cleaner` command: Typer commands over the library, nothing more.

Each command parses its options, makes one library call and chooses the exit
status: 0 when every page was cleaned, 1 when some pages failed (each has an
error line on stderr and an error record in JSONL output), 2 for bad usage or
when the run cannot start (missing input, model that will not load).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import traceback
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cleaner import __version__
from cleaner.batch import BatchOptions, run
from cleaner.batch.options import CHUNK_PAGES, DEFAULT_PAGE_TIMEOUT
from cleaner.batch.runner import journal_path
from cleaner.batch.sinks import OutputError
from cleaner.batch.watchdog import WorkersFailed
from cleaner.clean import Cleaner
from cleaner.document import PageError
from cleaner.labels import LABELS, UNSURE_BELOW, parse_keep
from cleaner.model.files import ModelError
from cleaner.readers.jsonl import JsonlFields
from cleaner.readers.pages import DEFAULT_MAX_BYTES, DEFAULT_MAX_LINES
from cleaner.readers.sources import InputError, read_one
from cleaner.show import detailed_view, lines_view

EXIT_OK, EXIT_PAGES_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # what shells report for a command stopped by Ctrl-C
EXIT_BROKEN_PIPE = 141  # what shells report for a command whose reader went away (| head)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Strip navigation, related links and reader comments from scraped news pages.",
)
state = {"debug": False}


class OutputFormat(StrEnum):
    text = "text"
    jsonl = "jsonl"


class InputFormat(StrEnum):
    auto = "auto"
    html = "html"
    text = "text"


def _option(*names: str, help: str, **kwargs):
    return typer.Option(*names, help=help, **kwargs)


ModelOption = Annotated[str, _option("--model", "-m",
                                     help="Model name (in ./models or shipped) or folder.")]
KeepOption = Annotated[str, _option(
    "--keep", help=f"Labels whose lines make the clean text: a subset of {','.join(LABELS)}.")]
InputFormatOption = Annotated[InputFormat, _option(
    "--input-format", help="Treat inputs as HTML or text dumps; auto sniffs each page.")]
# `cleaner clean`'s options.
Inputs = Annotated[list[str], typer.Argument(
    help="Page files, JSONL / WARC / WET files (gzipped or not), directories of them; "
         "- reads stdin (a page or a WARC).")]
OutputOption = Annotated[Path | None, _option(
    "--output", "-o", help="Text: a directory mirroring the inputs. JSONL: a file. "
                           "Default: stdout.")]
FormatOption = Annotated[OutputFormat, _option(
    "--format", help="text: clean text; jsonl: one JSON record per page.")]
LinesOption = Annotated[bool, _option(
    "--lines", help="JSONL: add every line with its label and probability.")]
WithMetadataOption = Annotated[bool, _option(
    "--with-metadata", help="Text: start each page with a header of its title, author, "
    "date, sitename, language, url and canonical_url between --- lines (JSONL records "
    "always carry them).")]
ModelsOption = Annotated[Path | None, _option(
    "--models", help="Folder of site models: each page whose URL host a model's card names "
                     "is cleaned by that model, the rest by --model.")]
MaxBytesOption = Annotated[int, _option(
    "--max-bytes", min=1, help="Pages larger than this give an error record.")]
MaxLinesOption = Annotated[int, _option(
    "--max-lines", min=1, help="Pages of more lines than this give an error record.")]
PageTimeoutOption = Annotated[float, _option(
    "--page-timeout", min=0, help="Seconds a page may take to read (decode and render) "
    "before it gives an error record; a worker stuck on one is stopped. 0: no limit.")]
JobsOption = Annotated[int | None, _option(
    "--jobs", "-j", min=1, help="Worker processes. Default: all cores.")]
ChunkOption = Annotated[int, _option(
    "--chunk", min=1, help="Pages per worker task; a resumed run redoes at most a few "
                           "chunks.")]
GlobOption = Annotated[list[str] | None, _option(
    "--glob", help="Only files of a directory whose path matches (e.g. '*.warc.gz'); "
                   "repeatable.")]
IdField = Annotated[str, _option("--id-field", help="JSONL: key of the page id.")]
UrlField = Annotated[str, _option("--url-field", help="JSONL: key of the url.")]
TextField = Annotated[str, _option("--text-field", help="JSONL: key of a text dump.")]
HtmlField = Annotated[str, _option(
    "--html-field", help="JSONL: key of an HTML page (used before the text).")]
SiteStatsOption = Annotated[bool, _option(
    "--site-stats/--no-site-stats",
    help="In a batch, first read every page for the lines that recur on many pages of a "
         "site (URL host, else folder), then keep them out of the body. Not with - (stdin).")]
ProgressOption = Annotated[bool | None, _option(
    "--progress/--no-progress",
    help="Progress bar on stderr (default: when stderr is a terminal).")]
QuietOption = Annotated[bool, _option("--quiet", "-q", help="No summary line on stderr.")]


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    typer.echo(f"cleaner: error: {message}", err=True)
    return typer.Exit(code)


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


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"cleaner {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=version_callback,
                                          is_eager=True, help="Print the version.")] = False,
) -> None:
    """Label every line of a page body, nav, related or comment, and keep the article."""
    state["debug"] = debug
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="cleaner: %(levelname)s: %(message)s")


@app.command()
def clean(
    inputs: Inputs, output: OutputOption = None, output_format: FormatOption = OutputFormat.text,
    lines: LinesOption = False, with_metadata: WithMetadataOption = False,
    keep: KeepOption = "body", model: ModelOption = "default",
    models: ModelsOption = None, input_format: InputFormatOption = InputFormat.auto,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES, max_lines: MaxLinesOption = DEFAULT_MAX_LINES,
    page_timeout: PageTimeoutOption = DEFAULT_PAGE_TIMEOUT, jobs: JobsOption = None,
    chunk: ChunkOption = CHUNK_PAGES, glob: GlobOption = None, id_field: IdField = "id",
    url_field: UrlField = "url", text_field: TextField = "text", html_field: HtmlField = "html",
    site_stats: SiteStatsOption = True, progress: ProgressOption = None,
    quiet: QuietOption = False,
) -> None:
    """Clean pages: keep the article text, drop navigation, related links and comments.

    An interrupted run writing to -o resumes where it stopped when the same
    command is run again. JSONL records carry each page's title, author, date,
    sitename, language, url and canonical_url (null where unknown);
    --with-metadata puts them in a header before each page's text.

    Example: cleaner clean ../shared/seeds/ -o out/
    """
    options = BatchOptions(
        format=output_format.value, lines=lines, with_metadata=with_metadata,
        keep=keep_labels(keep), model=model,
        models=models, input_format=input_format.value, max_bytes=max_bytes,
        max_lines=max_lines, page_timeout=page_timeout, jobs=jobs, chunk=chunk,
        globs=tuple(glob or ()), site_stats=site_stats,
        fields=JsonlFields(id=id_field, url=url_field, text=text_field, html=html_field),
        progress=progress if progress is not None else sys.stderr.isatty() and not quiet,
        on_error=_report_error, on_resume=None if quiet else _report_resume)
    with _run_errors(output, options.format):
        summary = run(inputs, output, options)
    if not quiet and (output is not None or summary.pages > 1):
        typer.echo(f"cleaner: {summary.line()}", err=True)
    raise typer.Exit(EXIT_PAGES_FAILED if summary.errors else EXIT_OK)


def _report_error(outcome) -> None:
    typer.echo(f"cleaner: {outcome.source}: {outcome.error}", err=True)


def _report_resume(pages: int, journal: Path) -> None:
    typer.echo(f"cleaner: resuming after {pages} pages ({journal})", err=True)


@contextlib.contextmanager
def _run_errors(output: Path | None, output_format: str):
    """A run's exceptions as one line on stderr and an exit status."""
    try:
        yield
    except KeyboardInterrupt:
        raise fail(f"interrupted{_to_resume(output, output_format)}", EXIT_INTERRUPTED) from None
    except (InputError, ModelError, OutputError) as error:
        raise fail(str(error)) from None
    except BrokenPipeError:
        raise _quiet_broken_pipe() from None
    except (OSError, WorkersFailed) as error:  # output not writable, disk full, ...
        raise fail(f"{_os_error(error)}{_to_resume(output, output_format)}") from None


def _to_resume(output: Path | None, output_format: str) -> str:
    """How to go on after a run stopped early, if it left a journal to resume from."""
    journal = journal_path(output, output_format)
    if journal is None or not journal.exists():
        return ""
    return f"; run the same command again to resume ({journal})"


def _os_error(error: Exception) -> str:
    """One line for an OSError: the file and the reason, without Python's [Errno N]."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.filename}: {error.strerror}" if error.filename else error.strerror
    return str(error)


def _quiet_broken_pipe() -> typer.Exit:
    """Standard output was closed early (`cleaner clean ... | head`): stop without a word,
    as tools killed by SIGPIPE do, and keep Python from failing to flush it at exit."""
    with contextlib.suppress(OSError, ValueError):  # no file descriptor: a test's stdout
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return typer.Exit(EXIT_BROKEN_PIPE)


def run_app() -> None:
    """Entry point: Typer, with one clean line instead of a traceback on unexpected errors."""
    try:
        app(standalone_mode=True)
    except Exception as error:  # pragma: no cover - last line of defence
        if state["debug"]:
            traceback.print_exc()
        typer.echo(f"cleaner: error: {error}", err=True)
        sys.exit(EXIT_USAGE)


@app.command()
def show(
    page: Annotated[str, typer.Argument(help="A text dump or HTML page; - reads stdin.")],
    model: ModelOption = "default",
    input_format: InputFormatOption = InputFormat.auto,
    color: Annotated[bool | None, typer.Option(
        "--color/--no-color", help="Colour by label (default: when stdout is a terminal).")
    ] = None,
) -> None:
    """Print every line with its label and probability, coloured by label.

    Example: cleaner show ../shared/seeds/003_106c6ee7f5bce682.txt | less -R
    """
    cleaner = load_cleaner(model)
    loaded = _read_one(page, input_format)
    use_colour = sys.stdout.isatty() if color is None else color

    def style(text: str, colour: str) -> str:
        return typer.style(text, fg=colour) if use_colour else text

    rows, summary = detailed_view(loaded, cleaner.probabilities([loaded])[0], style)
    for row in rows:
        typer.echo(row)
    typer.echo(summary, err=True)


@app.command(name="lines")
def lines_command(
    page: Annotated[str, typer.Argument(help="An HTML page or text dump; - reads stdin.")],
    input_format: InputFormatOption = InputFormat.auto,
    cues: Annotated[bool, typer.Option(
        "--cues", help="Print each line's DOM cues before it (HTML only).")] = False,
) -> None:
    """Print the page as the lines cleaner labels: the renderer's debugging aid.

    With --cues each line starts with its cues: tag@depth, heading level, the
    share of its characters inside links, enclosing regions (in=), class or id
    tokens of its ancestors (cls=), its box (the element around its block), its
    container's content score, and "top" or "chrome" where they hold. Blank
    lines separate blocks.

    Example: cleaner lines page.html --cues | less
    """
    loaded = _read_one(page, input_format)
    if cues and loaded.cues is None:
        typer.echo(f"cleaner: {loaded.source}: a text dump has no DOM cues", err=True)
    for line in lines_view(loaded, cues):
        typer.echo(line)


def _read_one(spec: str, input_format: InputFormat):
    try:
        return read_one(spec, input_format.value)
    except InputError as error:
        raise fail(str(error)) from None
    except PageError as error:
        raise fail(str(error), EXIT_PAGES_FAILED) from None


@app.command()
def label(
    pages: Annotated[list[str], typer.Argument(help="Text dumps or HTML pages, or folders.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the label files.")],
    model: ModelOption = "default",
    input_format: InputFormatOption = InputFormat.auto,
    unsure_below: Annotated[float, typer.Option(
        "--unsure-below", help="Mark lines whose label probability is below this with '?'.")
    ] = UNSURE_BELOW,
) -> None:
    """Write line-label files pre-filled with the model's labels, for a person to correct.

    Example: cleaner label site-pages/ -o labels/mysite/
    """
    from cleaner.training.prelabel import prelabel_pages

    cleaner = load_cleaner(model)
    failed = written = 0
    try:
        for done in prelabel_pages(cleaner, pages, output, input_format=input_format.value,
                                   unsure_below=unsure_below):
            if done.error is not None:
                typer.echo(f"cleaner: {done.source}: {done.error}", err=True)
                failed += 1
            else:
                typer.echo(f"{done.target}\t{done.unsure} unsure lines")
                written += 1
    except InputError as error:
        raise fail(str(error)) from None
    typer.echo(f"cleaner: wrote {written} label files, {failed} pages failed", err=True)
    raise typer.Exit(EXIT_PAGES_FAILED if failed else EXIT_OK)


@app.command()
def train(
    labelled: Annotated[list[Path], typer.Argument(help="Line-label files or folders of them.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the new model.")],
    heldout: Annotated[list[Path] | None, typer.Option(
        "--heldout", help="Label files to score the model on; figures go into its card.")
    ] = None,
    partial_weight: Annotated[float, typer.Option(
        "--partial-weight",
        help="Weight of 'nav' lines in files whose gold lacks nav/related (0: ignore them).")
    ] = 0.0,
    base: Annotated[str | None, typer.Option(
        "--base", help="Adapt this model (e.g. default) to the labelled pages' site "
        "instead of training from scratch.")] = None,
    hosts: Annotated[str | None, typer.Option(
        "--hosts", help="With --base: comma-separated URL hosts the model is for "
        "(default: the labelled pages' hosts); `clean --models` picks it for them.")] = None,
) -> None:
    """Train a model from line-label files and write it with its card (model.json).

    With --base, keep the base model's general skill and fit the site of the
    labelled pages (a few pages are enough; seconds on one core).

    Example: cleaner train labels/mysite/ --base default -o models/mysite
    """
    from cleaner.training.report import full_report
    from cleaner.training.train import train_model, train_site_model

    train_files = _label_files(labelled)
    heldout_files = _label_files(heldout) if heldout else None
    command = "cleaner train " + " ".join(sys.argv[2:]) if sys.argv[1:2] == ["train"] else ""
    if base is None:
        card = train_model(train_files, output, heldout_files=heldout_files,
                           partial_weight=partial_weight, command=command)
    else:
        bound = [h.strip().lower() for h in hosts.split(",") if h.strip()] if hosts else None
        card = train_site_model(train_files, output, load_cleaner(base).model, hosts=bound,
                                heldout_files=heldout_files, partial_weight=partial_weight,
                                command=command)
    data = card["training_data"]
    typer.echo(f"trained on {data['pages']} pages from {data['sites']} sites: {output}")
    if card.get("hosts"):
        typer.echo(f"bound to hosts: {', '.join(card['hosts'])}")
    if heldout_files:
        typer.echo(full_report(card["metrics"]["heldout"], "held-out figures"))


def _label_files(paths: list[Path]):
    from cleaner.training.labelfile import LabelFileError
    from cleaner.training.train import load_label_files

    try:
        files = load_label_files(paths)
    except (OSError, LabelFileError) as error:
        raise fail(str(error)) from None
    if not files:
        raise fail(f"no line-label files (*.tsv) in {', '.join(map(str, paths))}")
    return files


@app.command(name="eval")
def evaluate_command(
    labelled: Annotated[list[Path], typer.Argument(help="Line-label files or folders of them.")],
    model: ModelOption = "default",
    compare: Annotated[list[str] | None, typer.Option(
        "--compare", help="Also score this model (repeatable) and print the figures "
        "side by side.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    site_stats: Annotated[bool, typer.Option(
        "--site-stats/--no-site-stats",
        help="Score the files as one batch, as `cleaner clean` cleans several pages: lines "
             "that recur on the pages of a site are barred from body.")] = True,
) -> None:
    """Score a model on line-label files: per-label precision, recall, F1, confusion.

    Example: cleaner eval labels/mysite-check/ --model models/mysite --compare default
    """
    from cleaner.training.report import full_report, side_by_side
    from cleaner.training.train import evaluate_models

    files = _label_files(labelled)
    names = [model, *(compare or [])]
    try:
        reports = evaluate_models(names, files, site_stats=site_stats)
    except ModelError as error:
        raise fail(str(error)) from None
    if as_json:
        typer.echo(json.dumps(reports if compare else reports[model], indent=2))
    elif compare:
        typer.echo(side_by_side(reports) + f"\n({len(files)} pages)")
    else:
        typer.echo(full_report(reports[model], f"model {model} on {len(files)} pages"))
