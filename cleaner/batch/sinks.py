"""Where results go: a mirrored tree of text files, JSON lines, or stdout.

Every page arrives as an `Outcome`, in input order. Text files are written
atomically (a temporary file in the same folder, then a rename); JSON lines go
to `<file>.part`, renamed to `<file>` when the run completes. Both kinds of
file output can resume: `journal_path` says where their journal lives, and
`start(checkpoint)` picks up where an interrupted run's checkpoint left off.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cleaner.atomic import (
    atomic_write_text,
    make_folder,
    naming,
    remove_stale_temporaries,
    temporary_beside,
)
from cleaner.batch.faults import NO_FAULTS, CrashAt, Faults
from cleaner.batch.journal import Checkpoint
from cleaner.document import METADATA_FIELDS, Result
from cleaner.readers.decode import SURROGATES
from cleaner.readers.sources import Source

TEXT_JOURNAL = ".cleaner-progress"


@dataclass(slots=True)
class Outcome:
    """What the output needs of one page: built where the page was cleaned, small to send."""

    id: str
    source: str
    relative: str  # text output goes to <relative>.txt (markdown: .md)
    text: str
    record: str | None = None  # the JSON line, when the output is JSONL
    error: str | None = None
    lines: int = 0  # lines that got a label
    kept: int = 0  # of those, the lines kept in the text
    metadata: dict[str, str | None] | None = None  # text output: for --with-metadata


def outcome_of(relative: str, result: Result, keep: frozenset[str], *, record: bool,
               with_lines: bool) -> Outcome:
    """What the output needs of a page's result; `relative`: its source's relative path.
    Text output writes the page's markdown where it was read for it (--format markdown)."""
    labelled = [label for label in result.labels if label is not None]
    text = result.markdown if result.markdown is not None and not record else result.text
    return Outcome(id=result.id, source=result.source, relative=relative,
                   text=text, record=json_record(result, with_lines) if record else None,
                   error=result.error, lines=len(labelled),
                   kept=sum(label in keep for label in labelled),
                   metadata=None if record else result.metadata())


def text_output_path(out_dir: Path, source: Source | Outcome, suffix: str = ".txt") -> Path:
    return out_dir / (str(source.relative) + suffix)


def json_record(result: Result, with_lines: bool) -> str:
    """The record as one line of JSON, UTF-8 text where it can be.

    Readers hand over page text as valid Unicode, but a name can hold lone
    surrogates (a file name that is not UTF-8, a JSON id with a "\\udc80"
    escape), which UTF-8 cannot encode: such a record is written in ASCII,
    with JSON escapes that read back as the same name.
    """
    record = result.as_record(with_lines)
    names = (result.id, result.source, result.url or "", result.error or "")
    ascii_only = any(SURROGATES.search(name) for name in names)
    return json.dumps(record, ensure_ascii=ascii_only)


class Sink:
    """Output that cannot resume (stdout): start, write in order, finish or abort."""

    needs_records = False
    with_lines = False
    journal_path: Path | None = None
    target: Path | None = None  # the file or folder written; None: stdout

    def nearest_folder(self) -> Path | None:
        """The output's folder, or its nearest ancestor that exists already (the output
        is made only when the first page is written): where a run keeps temporary
        files, on the output's disk. None for stdout."""
        if self.target is None:
            return None
        folder = self.target if self.target.is_dir() else self.target.parent
        while not folder.is_dir() and folder != folder.parent:
            folder = folder.parent
        return folder

    def can_resume(self, checkpoint: Checkpoint) -> bool:
        return False

    def start(self, checkpoint: Checkpoint | None = None) -> None:
        pass

    def write(self, outcome: Outcome) -> None:
        raise NotImplementedError

    def position(self) -> int:
        """Bytes of output that hold the pages written so far (JSONL files only)."""
        return 0

    def finish(self) -> None:
        pass

    def abort(self) -> None:
        """Stop without completing: what is written stays for a resumed run."""

    def close(self) -> None:
        self.finish()


def metadata_header(metadata: dict[str, str | None] | None) -> str:
    """`--with-metadata`'s header for text output: the fields between two `---` lines,
    one `name: value` a line, each value a JSON string or `null`. That is YAML front
    matter as static-site tools and trafilatura write it, which any YAML or JSON reader
    reads back exactly, whatever quotes or colons a title holds."""
    fields = metadata or {}
    rows = [f"{name}: {json.dumps(fields.get(name), ensure_ascii=False)}"
            for name in METADATA_FIELDS]
    return "---\n" + "\n".join(rows) + "\n---\n"


class TextTreeSink(Sink):
    """One text file per page under `out_dir`, mirroring the inputs (named <input>.txt,
    or with `suffix`)."""

    def __init__(self, out_dir: Path, faults: Faults = NO_FAULTS, with_metadata: bool = False,
                 suffix: str = ".txt"):
        self.with_metadata = with_metadata
        self.suffix = suffix
        self.out_dir = self.target = out_dir
        self.journal_path = out_dir / TEXT_JOURNAL
        self.crash = CrashAt(faults)
        self.folders: set[Path] = set()  # made by this run: no mkdir per page

    def can_resume(self, checkpoint: Checkpoint) -> bool:
        return self.out_dir.is_dir()

    def start(self, checkpoint: Checkpoint | None = None) -> None:
        make_folder(self.out_dir)
        if checkpoint is not None:
            remove_stale_temporaries(self.out_dir)

    def write(self, outcome: Outcome) -> None:
        if outcome.error is not None:
            return
        path = text_output_path(self.out_dir, outcome, self.suffix)
        text = _with_newline(outcome.text)
        if self.with_metadata:
            text = metadata_header(outcome.metadata) + text
        if self.crash.due():
            fd, _ = temporary_beside(path)
            os.write(fd, text[: len(text) // 2].encode("utf-8"))
            self.crash.now()
        if path.parent not in self.folders:
            make_folder(path.parent)
            self.folders.add(path.parent)
        atomic_write_text(path, text, folder_made=True)


# Between two pages of text on stdout: a line holding a form feed, which no page's
# text holds (readers drop control characters), so that a pipe can split the pages.
PAGE_SEPARATOR = "\f\n"


class StdoutTextSink(Sink):
    """Clean text on standard output (or `stream`), the pages separated by a line
    holding a form feed: one part per page, in input order, empty for a page that
    failed (its error is on stderr) or kept no line."""

    def __init__(self, stream: IO[str] | None = None, with_metadata: bool = False):
        self.stream = stream or sys.stdout
        self.with_metadata = with_metadata
        self.written = 0

    def write(self, outcome: Outcome) -> None:
        if self.written:
            self.stream.write(PAGE_SEPARATOR)
        if outcome.error is None:
            if self.with_metadata:
                self.stream.write(metadata_header(outcome.metadata))
            self.stream.write(_with_newline(outcome.text))
        self.written += 1

    def finish(self) -> None:
        self.stream.flush()


class TextFileSink(Sink):
    """The clean text of one page in a file (`clean page.html -o page.txt`), written
    whole or not at all, and not at all when the page failed (as in a folder of text
    files). Standard input that holds several pages (a WARC) gives them all,
    separated as on stdout."""

    def __init__(self, path: Path, with_metadata: bool = False):
        self.path = self.target = path
        self.with_metadata = with_metadata
        self.temp: str | None = None
        self.pages: StdoutTextSink | None = None
        self.cleaned = 0

    def start(self, checkpoint: Checkpoint | None = None) -> None:
        with naming(self.path):
            fd, self.temp = temporary_beside(self.path)
            self.pages = StdoutTextSink(os.fdopen(fd, "w", encoding="utf-8", newline=""),
                                        with_metadata=self.with_metadata)

    def write(self, outcome: Outcome) -> None:
        if self.pages is None:
            self.start()
        with naming(self.path):
            self.pages.write(outcome)
        self.cleaned += outcome.error is None

    def finish(self) -> None:
        if not self.cleaned:
            self.abort()
            return
        with naming(self.path):
            self.pages.stream.close()
            os.replace(self.temp, self.path)

    def abort(self) -> None:
        if self.pages is not None:
            with contextlib.suppress(OSError):
                self.pages.stream.close()
                os.unlink(self.temp)


class JsonlSink(Sink):
    """One JSON object per page, errors included, in input order: to a file or stdout."""

    needs_records = True

    def __init__(self, path: Path | None, with_lines: bool, faults: Faults = NO_FAULTS):
        self.path = self.target = path
        self.with_lines = with_lines
        self.crash = CrashAt(faults)
        self.stream: IO[bytes] | None = None
        if path is not None:
            self.partial = path.with_name(path.name + ".part")
            self.journal_path = path.with_name(path.name + ".progress")

    def can_resume(self, checkpoint: Checkpoint) -> bool:
        try:
            return self.partial.stat().st_size >= checkpoint.offset
        except (AttributeError, OSError):
            return False

    def start(self, checkpoint: Checkpoint | None = None) -> None:
        if self.path is None:
            return
        make_folder(self.path.parent)
        with naming(self.partial):
            if checkpoint is None:
                self.stream = self.partial.open("wb")
                return
            self.stream = self.partial.open("r+b")
            self.stream.truncate(checkpoint.offset)  # records after the checkpoint, torn line
            self.stream.seek(checkpoint.offset)

    def write(self, outcome: Outcome) -> None:
        if self.path is None:
            sys.stdout.write(outcome.record + "\n")
            return
        if self.stream is None:
            self.start()
        line = (outcome.record + "\n").encode("utf-8")
        with naming(self.partial):
            if self.crash.due():
                self.stream.write(line[: len(line) // 2])
                self.stream.flush()
                self.crash.now()
            self.stream.write(line)

    def position(self) -> int:
        if self.stream is None:
            return 0
        with naming(self.partial):
            self.stream.flush()
            return self.stream.tell()

    def finish(self) -> None:
        if self.path is None:
            sys.stdout.flush()
            return
        if self.stream is None:
            self.start()
        with naming(self.partial):
            self.stream.close()
            os.replace(self.partial, self.path)

    def abort(self) -> None:
        if self.stream is not None and self.path is not None:
            # The disk may still be full: what was written stays, to resume from.
            with contextlib.suppress(OSError):
                self.stream.close()


def _with_newline(text: str) -> str:
    return text + "\n" if text else ""


class OutputError(ValueError):
    """An output the run cannot write to, found before any work; the message says why."""


def open_sink(output: Path | None, output_format: str, lines: bool,
              faults: Faults = NO_FAULTS, with_metadata: bool = False, *,
              one_page: bool = False) -> Sink:
    """The sink for `--format` and `-o`: JSON lines to a file or stdout, text files
    under a folder, the text of one page in a file (`one_page`: the inputs are a
    single page), or text on stdout; markdown as text is, in .md files.
    `with_metadata`: text output starts each page with its metadata header (JSON
    records always carry the fields). Raises
    OutputError for an output that cannot take the run's pages, before anything is
    written."""
    if output_format == "jsonl":
        if output is not None and output.is_dir():
            raise OutputError(f"{output}: is a folder, and --format jsonl writes one file "
                              f"(name the file: -o {output / 'out.jsonl'})")
        return JsonlSink(output, with_lines=lines, faults=faults)
    if output is None:
        return StdoutTextSink(with_metadata=with_metadata)
    if names_a_file(output):
        if one_page:
            return TextFileSink(output, with_metadata=with_metadata)
        raise OutputError(f"{output}: a file takes the text of one page; name a folder "
                          "for several (-o DIR/), or use --format jsonl for one file")
    suffix = ".md" if output_format == "markdown" else ".txt"
    return TextTreeSink(output, faults=faults, with_metadata=with_metadata, suffix=suffix)


def names_a_file(output: Path) -> bool:
    """Whether text output to `output` means one file: an existing file, or a new path
    ending in .txt or .md (an existing folder, whatever its name, is a folder)."""
    if output.is_dir():
        return False
    return output.exists() or output.suffix.lower() in (".txt", ".md")
