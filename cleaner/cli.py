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
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import click
import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup

from cleaner import __version__, interrupts
from cleaner.batch import BatchOptions, run
from cleaner.batch import options as batch_options
from cleaner.batch.options import CHUNK_PAGES, DEFAULT_PAGE_TIMEOUT, INPUT_FORMATS, expected_one_of
from cleaner.batch.runner import journal_path
from cleaner.batch.sinks import OutputError
from cleaner.batch.summary import counted
from cleaner.batch.watchdog import WorkersFailed
from cleaner.clean import Cleaner
from cleaner.document import PageError
from cleaner.favor import FAVORS, FavorError
from cleaner.labels import LABELS, UNSURE_BELOW, parse_keep
from cleaner.model.files import ModelError
from cleaner.readers.jsonl import JsonlFields
from cleaner.readers.pages import DEFAULT_MAX_BYTES, DEFAULT_MAX_LINES
from cleaner.readers.sources import InputError, Source, read_one
from cleaner.show import detailed_view, line_views, lines_view

EXIT_OK, EXIT_PAGES_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = interrupts.EXIT_INTERRUPTED  # what shells report after Ctrl-C
EXIT_BROKEN_PIPE = 141  # what shells report for a command whose reader went away (| head)
EXAMPLE = "Example: "  # every command's docstring ends with its example


class Command(TyperCommand):
    """A command whose usage line names its arguments as its help does (PATH...),
    not as Typer writes a required one ({PATH...})."""

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                pieces.append(param.make_metavar(ctx))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces


class Group(TyperGroup):
    """`cleaner --help`: each command with what it does and its example."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = [(name, command) for name in self.list_commands(ctx)
                    if (command := self.get_command(ctx, name)) and not command.hidden]
        if not commands:
            return
        width = max(len(name) for name, _ in commands)
        with formatter.section("Commands"):
            indent = " " * (formatter.current_indent + width + 2)
            for name, command in commands:
                head = f"{'':{formatter.current_indent}}{name:<{width}}  "
                formatter.write(click.formatting.wrap_text(
                    command.get_short_help_str(limit=200), formatter.width,
                    initial_indent=head, subsequent_indent=indent) + "\n")
                example = command_example(command)
                if example:
                    formatter.write(f"{indent}$ {example}\n")


def command_example(command: click.Command) -> str | None:
    """The example a command's docstring gives: "cleaner clean crawl/ -o out/"."""
    for line in (command.help or "").splitlines():
        if line.strip().startswith(EXAMPLE):
            return line.strip()[len(EXAMPLE):]
    return None


app = typer.Typer(
    cls=Group,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Strip navigation, related links and reader comments from scraped news pages.",
)
state = {"debug": False}


def one_of(choices: Callable[[], tuple[str, ...]]) -> Callable[[str], str]:
    """A parameter callback accepting the values `choices()` gives at the time it runs,
    and refusing others with "expected one of: a, b, c"."""

    def check(value: str | None) -> str | None:
        if value is not None and value not in choices():
            raise typer.BadParameter(f"{value!r}: {expected_one_of(choices())}")
        return value

    return check


def _option(*names: str, help: str, **kwargs):
    return typer.Option(*names, help=help, **kwargs)


def _paths(help: str):
    return typer.Argument(help=help, metavar="PATH...")


ModelOption = Annotated[str, _option("--model", "-m", metavar="NAME",
                                     help="Model name (in ./models or shipped) or folder.")]
KeepOption = Annotated[str, _option(
    "--keep", metavar="LABELS",
    help=f"Labels whose lines make the clean text: a subset of {','.join(LABELS)}.")]
FavorOption = Annotated[str, _option(
    "--favor", metavar="precision|recall|balanced", callback=one_of(lambda: FAVORS),
    help="precision: keep only what is surely the article; recall: everything that may "
         "be; balanced: the model's own choice. Moves body's decision weight by the "
         "factor the model's card gives.")]
MinPOption = Annotated[float | None, _option(
    "--min-p", min=0.0, max=1.0, metavar="P",
    help="Body lines only where the body probability (as --lines prints it, after "
         "--favor) is at least P, from 0 to 1; the others take their next best label.")]
InputFormatOption = Annotated[str, _option(
    "--input-format", metavar="|".join(INPUT_FORMATS),
    callback=one_of(lambda: batch_options.INPUT_FORMATS),
    help="Treat inputs as HTML or text dumps; auto sniffs each page.")]
PageArgument = Annotated[str, typer.Argument(
    metavar="PAGE", help="A text dump or HTML page (a folder or container: its first "
                         "page); - reads stdin.")]
# `cleaner clean`'s options.
Inputs = Annotated[list[str], _paths(
    "Page files, JSONL / WARC / WET files (gzipped or not), folders of them; "
    "- reads stdin (a page or a WARC).")]
OutputOption = Annotated[Path | None, _option(
    "--output", "-o", metavar="PATH",
    help="Text: a folder mirroring the inputs, or for one page a file (an existing one, "
         "or a name ending in .txt). JSONL: a file. Default: stdout.")]
FormatOption = Annotated[str, _option(
    "--format", metavar="|".join(batch_options.FORMATS),
    callback=one_of(lambda: batch_options.FORMATS),
    help="text: clean text; jsonl: one JSON record per page; markdown: the clean text as "
         "markdown, with the headings, lists, quotes, tables and emphasis of HTML pages "
         "(.md files).")]
LinesOption = Annotated[bool, _option(
    "--lines", help="JSONL: add every line with its label and probability.")]
MarkdownOption = Annotated[bool, _option(
    "--markdown", help="JSONL: add each page's clean text as markdown (a markdown field).")]
LinksOption = Annotated[bool, _option(
    "--links", help="Markdown: keep the links of HTML pages as [text](url), made absolute "
    "against the page's URL when it is known.")]
WithMetadataOption = Annotated[bool, _option(
    "--with-metadata", help="Text: start each page with a header of its title, author, "
    "date, sitename, language, url and canonical_url between --- lines (JSONL records "
    "always carry them).")]
ModelsOption = Annotated[Path | None, _option(
    "--models", metavar="DIR",
    help="Folder of site models: each page whose URL host a model's card names is cleaned "
         "by that model, the rest by --model.")]
MaxBytesOption = Annotated[int, _option(
    "--max-bytes", min=1, metavar="BYTES", help="Pages larger than this give an error record.")]
MaxLinesOption = Annotated[int, _option(
    "--max-lines", min=1, metavar="N",
    help="Pages of more lines than this give an error record.")]
PageTimeoutOption = Annotated[float, _option(
    "--page-timeout", min=0, metavar="SECONDS",
    help="Seconds a page may take to read (decode and render) before it gives an error "
         "record; a worker stuck on one is stopped. 0: no limit.")]
JobsOption = Annotated[int | None, _option(
    "--jobs", "-j", min=1, metavar="N", help="Worker processes. Default: all cores.")]
ChunkOption = Annotated[int, _option(
    "--chunk", min=1, metavar="N",
    help="Pages per worker task; a resumed run redoes at most a few chunks.")]
GlobOption = Annotated[list[str] | None, _option(
    "--glob", metavar="PATTERN",
    help="Only files of a folder whose path matches (e.g. '*.warc.gz'); repeatable.")]
IdField = Annotated[str, _option("--id-field", metavar="KEY",
                                 help="JSONL: key of the page id.")]
UrlField = Annotated[str, _option("--url-field", metavar="KEY", help="JSONL: key of the url.")]
TextField = Annotated[str, _option("--text-field", metavar="KEY",
                                   help="JSONL: key of a text dump.")]
HtmlField = Annotated[str, _option(
    "--html-field", metavar="KEY", help="JSONL: key of an HTML page (used before the text).")]
SiteStatsOption = Annotated[bool, _option(
    "--site-stats/--no-site-stats",
    help="In a batch, first read every page for the lines that recur on many pages of a "
         "site (URL host, else folder), then keep them out of the body. Not with - (stdin).")]
ProgressOption = Annotated[bool | None, _option(
    "--progress/--no-progress",
    help="Progress bar on stderr (default: when stderr is a terminal).")]
QuietOption = Annotated[bool, _option("--quiet", "-q", help="No summary line on stderr.")]
# The machine-readable output of the commands other than clean.
RECORDS_FORMATS = ("text", "jsonl")  # show, lines, label: a JSON record per line or page
REPORT_FORMATS = ("text", "json")  # train, eval: one JSON document
RecordsFormatOption = Annotated[str, _option(
    "--format", metavar="|".join(RECORDS_FORMATS), callback=one_of(lambda: RECORDS_FORMATS),
    help="text, or jsonl: one JSON record per line.")]
ReportFormatOption = Annotated[str, _option(
    "--format", metavar="|".join(REPORT_FORMATS), callback=one_of(lambda: REPORT_FORMATS),
    help="text, or json: the figures as one JSON document.")]


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


@app.command(cls=Command)
def clean(
    inputs: Inputs, output: OutputOption = None, output_format: FormatOption = "text",
    lines: LinesOption = False, with_metadata: WithMetadataOption = False,
    markdown: MarkdownOption = False, links: LinksOption = False,
    keep: KeepOption = "body", favor: FavorOption = "balanced", min_p: MinPOption = None,
    model: ModelOption = "default",
    models: ModelsOption = None, input_format: InputFormatOption = "auto",
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES, max_lines: MaxLinesOption = DEFAULT_MAX_LINES,
    page_timeout: PageTimeoutOption = DEFAULT_PAGE_TIMEOUT, jobs: JobsOption = None,
    chunk: ChunkOption = CHUNK_PAGES, glob: GlobOption = None, id_field: IdField = "id",
    url_field: UrlField = "url", text_field: TextField = "text", html_field: HtmlField = "html",
    site_stats: SiteStatsOption = True, progress: ProgressOption = None,
    quiet: QuietOption = False,
) -> None:
    """Clean pages: keep the article text, drop navigation, related links and comments.

    Several pages of text on stdout are separated by a line holding a form feed
    (\\f). An interrupted run writing to -o resumes where it stopped when the
    same command is run again. JSONL records carry each page's title, author,
    date, sitename, language, url and canonical_url (null where unknown);
    --with-metadata puts them in a header before each page's text. --format
    markdown writes the same lines as markdown (docs/cli.md says how). --favor
    precision keeps only what is surely the article, --favor recall everything
    that may be; --min-p P keeps body lines of body probability P or more.

    Example: cleaner clean crawl/ -o out/
    """
    if lines and output_format != "jsonl":
        note("--lines adds every line to JSONL records: text output has none, so it is "
             "ignored (add --format jsonl)")
    _markdown_notes(output_format, markdown, links)
    options = BatchOptions(
        format=output_format, lines=lines, with_metadata=with_metadata, keep=keep_labels(keep),
        markdown=markdown, links=links, favor=favor, min_p=min_p,
        model=model, models=models, input_format=input_format, max_bytes=max_bytes,
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


@app.command(cls=Command)
def spark(
    paths_file: Annotated[Path, typer.Argument(
        metavar="PATHS", help="A file of WARC/WET paths or http(s) URLs, one a line (as "
                              "Common Crawl's warc.paths).")],
    output: Annotated[str, typer.Argument(metavar="OUTPUT",
                                          help="The Parquet folder to write.")],
    master: Annotated[str | None, _option(
        "--master", metavar="URL", help="Spark master, e.g. local[2] (default: Spark's "
                                        "own, local[*] outside spark-submit).")] = None,
    lines: LinesOption = False, keep: KeepOption = "body", model: ModelOption = "default",
    site_stats: SiteStatsOption = True,
    partitions: Annotated[int | None, _option(
        "--partitions", metavar="N", min=1,
        help="Tasks reading the files (default: one per file).")] = None,
    partition_by: Annotated[list[str] | None, _option(
        "--partition-by", metavar="COLUMN",
        help="Partition the Parquet output by this column (repeatable).")] = None,
    overwrite: Annotated[bool, _option("--overwrite",
                                       help="Replace OUTPUT if it exists.")] = False,
) -> None:
    """Clean WARC/WET files on Apache Spark into Parquet: one row per page (id, url,
    source, metadata, text, error; lines with --lines). Needs `pip install
    'cleaner[spark]'` and Java 17; on a cluster, spark-submit the driver file
    cleaner/integrations/spark_job.py (docs/spark.md). The text equals `cleaner
    clean`'s for the same files.

    Example: cleaner spark warc-paths.txt out.parquet --master local[2]
    """
    try:
        from cleaner.integrations.spark import SparkOptions, read_paths, run_job, session
    except ImportError as error:
        raise fail(f"{error.name or error}: not installed (pip install 'cleaner[spark]')"
                   ) from None
    options = SparkOptions(model=model, keep=keep_labels(keep), lines=lines,
                           site_stats=site_stats, partitions=partitions,
                           partition_by=tuple(partition_by or ()))
    try:
        paths = read_paths(paths_file)
    except OSError as error:
        raise fail(_os_error(error)) from None
    spark_session = session(master)
    try:
        pages = run_job(spark_session, paths, output, options,
                        mode="overwrite" if overwrite else "error")
    except ModelError as error:
        raise fail(str(error)) from None
    finally:
        spark_session.stop()
    typer.echo(f"cleaner: {counted(pages, 'page')} written to {output}", err=True)


def _markdown_notes(output_format: str, markdown: bool, links: bool) -> None:
    """What --markdown and --links do where the output has no markdown."""
    if markdown and output_format == "text":
        note("--markdown adds a markdown field to JSONL records: text output has none, so "
             "it is ignored (use --format markdown)")
    if links and not (output_format == "markdown" or (output_format == "jsonl" and markdown)):
        note("--links keeps links in markdown: this output has none, so it is ignored (add "
             "--format markdown, or --markdown to JSONL)")


def _report_error(outcome) -> None:
    typer.echo(f"cleaner: {outcome.source}: {outcome.error}", err=True)


def _report_resume(pages: int, journal: Path) -> None:
    typer.echo(f"cleaner: resuming after {counted(pages, 'page')} ({journal})", err=True)


@contextlib.contextmanager
def _run_errors(output: Path | None, output_format: str):
    """A run's exceptions as one line on stderr and an exit status."""
    try:
        yield
    except KeyboardInterrupt:
        raise fail(f"interrupted{_to_resume(output, output_format)}", EXIT_INTERRUPTED) from None
    except (InputError, ModelError, OutputError, FavorError) as error:
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
    """Entry point: Typer, with one clean line instead of a traceback on unexpected
    errors, and Ctrl-C at any moment an exit with status 130 (cleaner/interrupts.py)."""
    try:
        with interrupts.interruptible():
            app(standalone_mode=True)
    except KeyboardInterrupt:  # before the command runs (Typer builds it): nothing to say
        sys.exit(EXIT_INTERRUPTED)
    except Exception as error:  # pragma: no cover - last line of defence
        if state["debug"]:
            traceback.print_exc()
        typer.echo(f"cleaner: error: {error}", err=True)
        sys.exit(EXIT_USAGE)


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
    loaded = _read_one(page, input_format, "showing")
    probs = decision.favoured(loaded.kind, cleaner.probabilities([loaded])[0])
    if output_format == "jsonl":
        for view in line_views(loaded, probs, decision.min_p):
            typer.echo(json.dumps({"text": view.text, "label": view.label, "p": _p(view.p),
                                   "runner_up": view.runner_up,
                                   "runner_up_p": _p(view.runner_up_p)}, ensure_ascii=False))
        return
    use_colour = {"always": True, "never": False}.get(
        "never" if no_color else color, sys.stdout.isatty())

    def style(text: str, colour: str) -> str:
        return typer.style(text, fg=colour) if use_colour else text

    rows, summary = detailed_view(loaded, probs, style, decision.min_p)
    for row in rows:
        typer.echo(row, color=use_colour)  # click would drop the colour on a pipe
    typer.echo(summary, err=True)


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
    loaded = _read_one(page, input_format, "printing")
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


def _p(probability: float | None) -> float | None:
    """A probability as JSON records give it: 4 decimals."""
    return None if probability is None else round(float(probability), 4)


def _read_one(spec: str, input_format: str, doing: str):
    def more(first: Source) -> None:
        note(f"{spec} holds several pages: {doing} the first, {first.source} "
             f"(cleaner clean {spec} cleans them all)")

    try:
        return read_one(spec, input_format, on_more=more)
    except InputError as error:
        raise fail(str(error)) from None
    except PageError as error:
        raise fail(str(error), EXIT_PAGES_FAILED) from None


@app.command(cls=Command)
def label(
    pages: Annotated[list[str], _paths("Text dumps or HTML pages, or folders.")],
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


@app.command(cls=Command)
def train(
    labelled: Annotated[list[Path], _paths("Line-label files or folders of them.")],
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


@app.command(name="eval", cls=Command)
def evaluate_command(
    labelled: Annotated[list[Path], _paths("Line-label files or folders of them.")],
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
    files = _label_files(labelled)
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


from cleaner.review.command import review  # noqa: E402

app.command(cls=Command)(review)
