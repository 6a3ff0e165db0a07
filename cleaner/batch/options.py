"""`BatchOptions`: everything a run needs besides its inputs and its output, in one object."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cleaner.batch.faults import Faults
from cleaner.batch.sinks import Outcome
from cleaner.favor import BALANCED, check_favor
from cleaner.labels import DEFAULT_KEEP
from cleaner.readers.jsonl import JsonlFields
from cleaner.readers.pages import DEFAULT_MAX_BYTES, DEFAULT_MAX_LINES

# Pages per task sent to a worker: enough that a batch keeps numpy and the trees
# busy and the dispatch cost per page is small, few enough that two workers
# get work early and a resumed run redoes little (checkpoints come per chunk).
CHUNK_PAGES = 100
# Seconds a page may take to be read (decoded and rendered). The slowest of the
# 2,972 pages of the four datasets renders in well under a second; a page that
# takes 30 is pathological, and 30 s per page still lets a batch finish.
DEFAULT_PAGE_TIMEOUT = 30.0
# The output formats, `--format`'s values and what its error message lists.
FORMATS = ("text", "jsonl", "markdown")
INPUT_FORMATS = ("auto", "html", "text")


def expected_one_of(choices: tuple[str, ...]) -> str:
    """"expected one of: text, jsonl": what a bad value of `choices` is told."""
    return "expected one of: " + ", ".join(choices)


@dataclass(frozen=True)
class BatchOptions:
    """How to clean a batch: `cleaner clean`'s options, as `cleaner.batch.runner` takes them."""

    format: str = "text"  # "text": clean text; "jsonl": one JSON record per page;
    # "markdown": the clean text as markdown (cleaner/markdown.py), in .md files
    lines: bool = False  # JSONL: every line with its label and probability
    markdown: bool = False  # JSONL: each record's markdown too
    links: bool = False  # markdown: with the links of HTML pages
    with_metadata: bool = False  # text: a header of the page's metadata (JSONL: always)
    keep: frozenset[str] = DEFAULT_KEEP  # the labels whose lines make the text
    favor: str = BALANCED  # "precision" or "recall" moves body's weight (cleaner/favor.py)
    min_p: float | None = None  # body lines need at least this body probability
    model: str = "default"  # a model name or folder
    models: str | Path | None = None  # a folder of site models bound to hosts
    input_format: str = "auto"  # "auto" sniffs each page; "html" or "text" says
    max_bytes: int = DEFAULT_MAX_BYTES  # larger pages give an error record
    max_lines: int = DEFAULT_MAX_LINES
    page_timeout: float = DEFAULT_PAGE_TIMEOUT  # seconds to read a page; 0: no limit
    jobs: int | None = None  # worker processes; None: all cores
    chunk: int = CHUNK_PAGES  # pages per worker task (and per checkpoint)
    globs: tuple[str, ...] = ()  # only files of a directory whose path matches
    fields: JsonlFields = field(default_factory=JsonlFields)  # JSONL input keys
    site_stats: bool = True  # bar each site's recurring lines from body (not on stdin)
    progress: bool = False  # a progress bar on stderr
    resume: bool = True  # an interrupted run to a file or folder resumes where it stopped
    on_error: Callable[[Outcome], None] | None = None  # called for each page that failed
    on_resume: Callable[[int, Path], None] | None = None  # (pages done before, journal)
    faults: Faults | None = None  # the kill tests' seam (batch/faults.py); None: none

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"format {self.format!r}: {expected_one_of(FORMATS)}")
        if self.input_format not in INPUT_FORMATS:
            raise ValueError(f"input_format {self.input_format!r}: "
                             f"{expected_one_of(INPUT_FORMATS)}")
        check_favor(self.favor, self.min_p)
        object.__setattr__(self, "keep", frozenset(self.keep))
        object.__setattr__(self, "links", self.links and self.reads_markdown)
        object.__setattr__(self, "globs", tuple(self.globs))

    @property
    def reads_markdown(self) -> bool:
        """Whether pages are read for markdown: markdown output, or JSONL with --markdown."""
        return self.format == "markdown" or (self.format == "jsonl" and self.markdown)
