"""`cleaner clean`: a batch of pages to clean text, markdown or JSONL records."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import typer

from cleaner.batch import BatchOptions, run
from cleaner.batch.options import CHUNK_PAGES, DEFAULT_PAGE_TIMEOUT
from cleaner.batch.runner import journal_path
from cleaner.batch.sinks import OutputError
from cleaner.batch.summary import counted
from cleaner.batch.watchdog import WorkersFailed
from cleaner.cli.base import Command, app
from cleaner.cli.common import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PAGES_FAILED,
    fail,
    keep_labels,
    note,
    os_error,
)
from cleaner.cli.options import (
    ChunkOption,
    FavorOption,
    FormatOption,
    GlobOption,
    HtmlField,
    IdField,
    InputFormatOption,
    Inputs,
    JobsOption,
    KeepOption,
    LinesOption,
    LinksOption,
    MarkdownOption,
    MaxBytesOption,
    MaxLinesOption,
    MinPOption,
    ModelOption,
    ModelsOption,
    OutputOption,
    PageTimeoutOption,
    ProgressOption,
    QuietOption,
    SiteStatsOption,
    TextField,
    UrlField,
    WithMetadataOption,
)
from cleaner.favor import FavorError
from cleaner.model.files import ModelError
from cleaner.readers.jsonl import JsonlFields
from cleaner.readers.pages import DEFAULT_MAX_BYTES, DEFAULT_MAX_LINES
from cleaner.readers.sources import InputError


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
        raise fail(f"{os_error(error)}{_to_resume(output, output_format)}") from None


def _to_resume(output: Path | None, output_format: str) -> str:
    """How to go on after a run stopped early, if it left a journal to resume from."""
    journal = journal_path(output, output_format)
    if journal is None or not journal.exists():
        return ""
    return f"; run the same command again to resume ({journal})"


def _quiet_broken_pipe() -> typer.Exit:
    """Standard output was closed early (`cleaner clean ... | head`): stop without a word,
    as tools killed by SIGPIPE do, and keep Python from failing to flush it at exit."""
    with contextlib.suppress(OSError, ValueError):  # no file descriptor: a test's stdout
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return typer.Exit(EXIT_BROKEN_PIPE)
