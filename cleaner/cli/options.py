"""The options several commands share, as Typer annotations, and the callbacks that
check them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from cleaner.batch import options as batch_options
from cleaner.batch.options import INPUT_FORMATS, expected_one_of
from cleaner.favor import FAVORS
from cleaner.labels import LABELS


def one_of(choices: Callable[[], tuple[str, ...]]) -> Callable[[str], str]:
    """A parameter callback accepting the values `choices()` gives at the time it runs,
    and refusing others with "expected one of: a, b, c"."""

    def check(value: str | None) -> str | None:
        if value is not None and value not in choices():
            raise typer.BadParameter(f"{value!r}: {expected_one_of(choices())}")
        return value

    return check


def option(*names: str, help: str, **kwargs):
    return typer.Option(*names, help=help, **kwargs)


def paths(help: str):
    return typer.Argument(help=help, metavar="PATH...")


ModelOption = Annotated[str, option("--model", "-m", metavar="NAME",
                                     help="Model name (in ./models or shipped) or folder.")]
KeepOption = Annotated[str, option(
    "--keep", metavar="LABELS",
    help=f"Labels whose lines make the clean text: a subset of {','.join(LABELS)}.")]
FavorOption = Annotated[str, option(
    "--favor", metavar="precision|recall|balanced", callback=one_of(lambda: FAVORS),
    help="precision: keep only what is surely the article; recall: everything that may "
         "be; balanced: the model's own choice. Moves body's decision weight by the "
         "factor the model's card gives.")]
MinPOption = Annotated[float | None, option(
    "--min-p", min=0.0, max=1.0, metavar="P",
    help="Body lines only where the body probability (as --lines prints it, after "
         "--favor) is at least P, from 0 to 1; the others take their next best label.")]
InputFormatOption = Annotated[str, option(
    "--input-format", metavar="|".join(INPUT_FORMATS),
    callback=one_of(lambda: batch_options.INPUT_FORMATS),
    help="Treat inputs as HTML or text dumps; auto sniffs each page.")]
PageArgument = Annotated[str, typer.Argument(
    metavar="PAGE", help="A text dump or HTML page (a folder or container: its first "
                         "page); - reads stdin.")]
# `cleaner clean`'s options.
Inputs = Annotated[list[str], paths(
    "Page files, JSONL / WARC / WET files (gzipped or not), folders of them; "
    "- reads stdin (a page or a WARC).")]
OutputOption = Annotated[Path | None, option(
    "--output", "-o", metavar="PATH",
    help="Text: a folder mirroring the inputs, or for one page a file (an existing one, "
         "or a name ending in .txt). JSONL: a file. Default: stdout.")]
FormatOption = Annotated[str, option(
    "--format", metavar="|".join(batch_options.FORMATS),
    callback=one_of(lambda: batch_options.FORMATS),
    help="text: clean text; jsonl: one JSON record per page; markdown: the clean text as "
         "markdown, with the headings, lists, quotes, tables and emphasis of HTML pages "
         "(.md files).")]
LinesOption = Annotated[bool, option(
    "--lines", help="JSONL: add every line with its label and probability.")]
MarkdownOption = Annotated[bool, option(
    "--markdown", help="JSONL: add each page's clean text as markdown (a markdown field).")]
LinksOption = Annotated[bool, option(
    "--links", help="Markdown: keep the links of HTML pages as [text](url), made absolute "
    "against the page's URL when it is known.")]
WithMetadataOption = Annotated[bool, option(
    "--with-metadata", help="Text: start each page with a header of its title, author, "
    "date, sitename, language, url and canonical_url between --- lines (JSONL records "
    "always carry them).")]
ModelsOption = Annotated[Path | None, option(
    "--models", metavar="DIR",
    help="Folder of site models: each page whose URL host a model's card names is cleaned "
         "by that model, the rest by --model.")]
MaxBytesOption = Annotated[int, option(
    "--max-bytes", min=1, metavar="BYTES", help="Pages larger than this give an error record.")]
MaxLinesOption = Annotated[int, option(
    "--max-lines", min=1, metavar="N",
    help="Pages of more lines than this give an error record.")]
PageTimeoutOption = Annotated[float, option(
    "--page-timeout", min=0, metavar="SECONDS",
    help="Seconds a page may take to read (decode and render) before it gives an error "
         "record; a worker stuck on one is stopped. 0: no limit.")]
JobsOption = Annotated[int | None, option(
    "--jobs", "-j", min=1, metavar="N", help="Worker processes. Default: all cores.")]
ChunkOption = Annotated[int, option(
    "--chunk", min=1, metavar="N",
    help="Pages per worker task; a resumed run redoes at most a few chunks.")]
GlobOption = Annotated[list[str] | None, option(
    "--glob", metavar="PATTERN",
    help="Only files of a folder whose path matches (e.g. '*.warc.gz'); repeatable.")]
IdField = Annotated[str, option("--id-field", metavar="KEY",
                                 help="JSONL: key of the page id.")]
UrlField = Annotated[str, option("--url-field", metavar="KEY", help="JSONL: key of the url.")]
TextField = Annotated[str, option("--text-field", metavar="KEY",
                                   help="JSONL: key of a text dump.")]
HtmlField = Annotated[str, option(
    "--html-field", metavar="KEY", help="JSONL: key of an HTML page (used before the text).")]
SiteStatsOption = Annotated[bool, option(
    "--site-stats/--no-site-stats",
    help="In a batch, first read every page for the lines that recur on many pages of a "
         "site (URL host, else folder), then keep them out of the body. Not with - (stdin).")]
ProgressOption = Annotated[bool | None, option(
    "--progress/--no-progress",
    help="Progress bar on stderr (default: when stderr is a terminal).")]
QuietOption = Annotated[bool, option("--quiet", "-q", help="No summary line on stderr.")]
# The machine-readable output of the commands other than clean.
RECORDS_FORMATS = ("text", "jsonl")  # show, lines, label: a JSON record per line or page
REPORT_FORMATS = ("text", "json")  # train, eval: one JSON document
RecordsFormatOption = Annotated[str, option(
    "--format", metavar="|".join(RECORDS_FORMATS), callback=one_of(lambda: RECORDS_FORMATS),
    help="text, or jsonl: one JSON record per line.")]
ReportFormatOption = Annotated[str, option(
    "--format", metavar="|".join(REPORT_FORMATS), callback=one_of(lambda: REPORT_FORMATS),
    help="text, or json: the figures as one JSON document.")]
