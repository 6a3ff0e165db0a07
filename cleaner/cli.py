"""The `cleaner` command: Typer commands over the library, nothing more.

Exit status: 0 when every page was cleaned, 1 when some pages failed (each
has an error line on stderr and an error record in JSONL output), 2 for bad
usage or when the run cannot start (missing input, model that will not load).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import sys
import traceback
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cleaner import __version__
from cleaner.batch.journal import Journal, fingerprint
from cleaner.batch.run import read_source, resume, run
from cleaner.batch.sinks import JsonlSink, Sink, StdoutTextSink, TextTreeSink
from cleaner.batch.watchdog import WorkersFailed
from cleaner.batch.workers import CHUNK_PAGES, DEFAULT_PAGE_TIMEOUT, all_cores, check_model
from cleaner.clean import Cleaner
from cleaner.document import Result
from cleaner.labels import LABELS, parse_keep
from cleaner.model.files import ModelError
from cleaner.readers.html.render import format_cues
from cleaner.readers.jsonl import JsonlFields
from cleaner.readers.pages import DEFAULT_MAX_BYTES, DEFAULT_MAX_LINES
from cleaner.readers.sources import STDIN, InputError, InputOptions, check_inputs, iter_sources
from cleaner.show import line_views, render_summary, render_view
from cleaner.training.labelfile import LabelFileError
from cleaner.training.prelabel import UNSURE_BELOW, write_prelabelled
from cleaner.training.report import full_report, side_by_side

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


ModelOption = Annotated[str, typer.Option("--model", "-m",
                                          help="Model name (in ./models or shipped) or folder.")]
KeepOption = Annotated[str, typer.Option(
    "--keep", help=f"Labels whose lines make the clean text: a subset of {','.join(LABELS)}.")]
InputFormatOption = Annotated[InputFormat, typer.Option(
    "--input-format", help="Treat inputs as HTML or text dumps; auto sniffs each page.")]


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
    inputs: Annotated[list[str], typer.Argument(
        help="Page files, JSONL / WARC / WET files (gzipped or not), directories of them; "
             "- reads stdin (a page or a WARC).")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o",
        help="Text: a directory mirroring the inputs. JSONL: a file. Default: stdout.")] = None,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", help="text: clean text; jsonl: one JSON record per page.")] = (
        OutputFormat.text),
    lines: Annotated[bool, typer.Option(
        "--lines", help="JSONL: add every line with its label and probability.")] = False,
    keep: KeepOption = "body",
    model: ModelOption = "default",
    models: Annotated[Path | None, typer.Option(
        "--models", help="Folder of site models: each page whose URL host a model's card "
                         "names is cleaned by that model, the rest by --model.")] = None,
    input_format: InputFormatOption = InputFormat.auto,
    max_bytes: Annotated[int, typer.Option(
        "--max-bytes", min=1, help="Pages larger than this give an error record.")] = (
        DEFAULT_MAX_BYTES),
    max_lines: Annotated[int, typer.Option(
        "--max-lines", min=1, help="Pages of more lines than this give an error record.")] = (
        DEFAULT_MAX_LINES),
    page_timeout: Annotated[float, typer.Option(
        "--page-timeout", min=0, help="Seconds a page may take to read (decode and render) "
        "before it gives an error record; a worker stuck on one is stopped. 0: no limit.")] = (
        DEFAULT_PAGE_TIMEOUT),
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, help="Worker processes. Default: all cores.")] = None,
    chunk: Annotated[int, typer.Option(
        "--chunk", min=1, help="Pages per worker task; a resumed run redoes at most "
                               "a few chunks.")] = CHUNK_PAGES,
    glob: Annotated[list[str] | None, typer.Option(
        "--glob", help="Only files of a directory whose path matches (e.g. '*.warc.gz'); "
                       "repeatable.")] = None,
    id_field: Annotated[str, typer.Option("--id-field", help="JSONL: key of the page id.")] = (
        "id"),
    url_field: Annotated[str, typer.Option("--url-field", help="JSONL: key of the url.")] = (
        "url"),
    text_field: Annotated[str, typer.Option(
        "--text-field", help="JSONL: key of a text dump.")] = "text",
    html_field: Annotated[str, typer.Option(
        "--html-field", help="JSONL: key of an HTML page (used before the text).")] = "html",
    site_stats: Annotated[bool, typer.Option(
        "--site-stats/--no-site-stats",
        help="In a batch, first read every page for the lines that recur on many pages of "
             "a site (URL host, else folder), then keep them out of the body. Not with - "
             "(stdin).")] = True,
    progress: Annotated[bool | None, typer.Option(
        "--progress/--no-progress",
        help="Progress bar on stderr (default: when stderr is a terminal).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                        help="No summary line on stderr.")] = False,
) -> None:
    """Clean pages: keep the article text, drop navigation, related links and comments.

    An interrupted run writing to -o resumes where it stopped when the same
    command is run again.

    Example: cleaner clean ../shared/seeds/ -o out/
    """
    wanted = keep_labels(keep)
    try:
        check_inputs(inputs)
        model_dir, model_sha = check_model(model)
        site_models = _site_models(models)
    except (InputError, ModelError) as error:
        raise fail(str(error)) from None
    sink = _sink(output, output_format, lines)
    options = InputOptions(globs=tuple(glob or ()), fields=JsonlFields(
        id=id_field, url=url_field, text=text_field, html=html_field),
        exclude=_own_output(sink, output), max_bytes=max_bytes)

    def sources():
        options.skipped.clear()
        return iter_sources(inputs, options)

    # Pass one counts its skipped records apart: the summary counts the cleaning pass's.
    # Standard input cannot be read twice.
    with_site_stats = site_stats and STDIN not in inputs
    site_sources = (iter_sources(inputs, dataclasses.replace(options, skipped=Counter()))
                    if with_site_stats else None)

    # --page-timeout is left out: it changes only pages whose reading is too slow, and
    # a run stopped to give slow pages more time should still resume.
    run_fingerprint = fingerprint({
        "cleaner": __version__, "inputs": [i if i == "-" else str(Path(i).resolve())
                                           for i in inputs],
        "fields": options.fields, "globs": options.globs, "format": output_format.value,
        "lines": lines, "keep": sorted(wanted), "input_format": input_format.value,
        "max_bytes": max_bytes, "max_lines": max_lines, "model": model_sha,
        "site_models": site_models, "site_stats": with_site_stats})
    journal, resumed, pending = _resume_point(sink, sources, run_fingerprint, quiet)

    def report(outcome) -> None:
        typer.echo(f"cleaner: {outcome.source}: {outcome.error}", err=True)

    show_progress = progress if progress is not None else sys.stderr.isatty() and not quiet
    try:
        summary = run(str(model_dir), pending, sink,
                      keep=wanted, input_format=input_format.value, max_bytes=max_bytes,
                      max_lines=max_lines, page_timeout=page_timeout,
                      on_error=report, jobs=jobs or all_cores(), journal=journal,
                      resumed=resumed, skipped=options.skipped, progress=show_progress,
                      chunk_pages=chunk, models_dir=str(models) if models else None,
                      site_sources=site_sources)
    except KeyboardInterrupt:
        raise fail(f"interrupted{_to_resume(journal)}", EXIT_INTERRUPTED) from None
    except (InputError, ModelError) as error:
        raise fail(str(error)) from None
    except BrokenPipeError:
        raise _quiet_broken_pipe() from None
    except (OSError, WorkersFailed) as error:  # output not writable, disk full, ...
        raise fail(f"{_os_error(error)}{_to_resume(journal)}") from None
    if not quiet and (output is not None or summary.pages > 1):
        typer.echo(f"cleaner: {summary.line()}", err=True)
    raise typer.Exit(EXIT_PAGES_FAILED if summary.errors else EXIT_OK)


def _to_resume(journal: Journal | None) -> str:
    """How to go on after a run stopped early, if it left a journal to resume from."""
    if journal is None or not journal.path.exists():
        return ""
    return f"; run the same command again to resume ({journal.path})"


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


def _site_models(models: Path | None) -> dict[str, str]:
    """{site model folder: its file's SHA-256} of --models; fails early on a bad one."""
    if models is None:
        return {}
    from cleaner.model.routing import bound_models

    bound = bound_models(models)
    if not bound:
        raise ModelError(f"{models}: no model there names the hosts it is for "
                         "(cleaner train --base default --hosts HOST ...)")
    return {str(m.path): m.card.get("model_sha256", "") for m in bound}


def _resume_point(sink: Sink, sources, run_fingerprint: str, quiet: bool):
    """The journal, the checkpoint to resume from (or None) and the sources still to do."""
    if sink.journal_path is None:  # stdout: nothing to resume
        return None, None, sources()
    journal = Journal(sink.journal_path, run_fingerprint)
    try:
        pending, resumed = resume(journal, sink, sources)
    except KeyboardInterrupt:
        raise fail("interrupted", EXIT_INTERRUPTED) from None
    if resumed is not None and resumed.pages and not quiet:
        typer.echo(f"cleaner: resuming after {resumed.pages} pages ({sink.journal_path})",
                   err=True)
    return journal, resumed, pending


def _own_output(sink: Sink, output: Path | None) -> frozenset[str]:
    if output is None:
        return frozenset()
    paths = [output] + ([sink.journal_path] if sink.journal_path is not None else [])
    return frozenset(os.path.abspath(path) for path in paths)


def _sink(output: Path | None, output_format: OutputFormat, lines: bool) -> Sink:
    if output_format is OutputFormat.jsonl:
        return JsonlSink(output, with_lines=lines)
    if output is None:
        return StdoutTextSink()
    if output.exists() and not output.is_dir():
        raise fail(f"{output}: text output needs a directory (use --format jsonl for a file)")
    return TextTreeSink(output)


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
    probs = cleaner.probabilities([loaded])[0]
    use_colour = sys.stdout.isatty() if color is None else color

    def style(text: str, colour: str) -> str:
        return typer.style(text, fg=colour) if use_colour else text

    views = line_views(loaded, probs)
    for view in views:
        typer.echo(render_view(view, style))
    typer.echo(render_summary(views), err=True)


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
    if not cues or loaded.cues is None:
        for line in loaded.lines:
            typer.echo(line)
        return
    for line, line_cues in zip(loaded.lines, loaded.cues, strict=True):
        shown = format_cues(line_cues) if line.strip() else ""
        typer.echo(f"{shown:<48} | {line}".rstrip() if line.strip() else "")


def _read_one(spec: str, input_format: InputFormat):
    try:
        check_inputs([spec])
        source = next(iter_sources([spec]))
    except (InputError, StopIteration) as error:
        raise fail(str(error) or f"{spec}: no page found") from None
    page = read_source(source, input_format=input_format.value)
    if isinstance(page, Result):
        raise fail(f"{page.source}: {page.error}", EXIT_PAGES_FAILED)
    return page


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
    try:
        check_inputs(pages)
    except InputError as error:
        raise fail(str(error)) from None
    cleaner = load_cleaner(model)
    failed = written = 0
    for source in iter_sources(pages):
        page = read_source(source, input_format=input_format.value)
        if isinstance(page, Result):
            typer.echo(f"cleaner: {page.source}: {page.error}", err=True)
            failed += 1
            continue
        probs = cleaner.probabilities([page])[0]
        target = output / (str(source.relative) + ".tsv")
        unsure = write_prelabelled(target, page, probs, model_name=cleaner.model.name,
                                   unsure_below=unsure_below)
        typer.echo(f"{target}\t{unsure} unsure lines")
        written += 1
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
    from cleaner.training.train import evaluate

    files = _label_files(labelled)
    cleaner = load_cleaner(model)
    report = evaluate(cleaner.model.estimator, files, site_stats=site_stats)
    if compare:
        reports = {model: report}
        for other in compare:
            reports[other] = evaluate(load_cleaner(other).model.estimator, files,
                                      site_stats=site_stats)
        typer.echo(json.dumps(reports, indent=2) if as_json else
                   side_by_side(reports) + f"\n({len(files)} pages)")
        return
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    else:
        typer.echo(full_report(report, f"model {cleaner.model.name} on {len(files)} pages"))
