"""What the user named on the command line, as a stream of page sources.

A path is a page file, a container of pages (JSONL, WARC, WET; any of them
gzipped) or a directory (walked in sorted order, streaming, for both kinds);
`-` is standard input, a page or a WARC. Each source knows its id, where it
came from, and the relative path its text output mirrors: `<path>` for a page
file, `<container path>/<id>` for a record of a container.
"""

from __future__ import annotations

import io
import logging
import os
import re
import stat
import sys
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from cleaner.document import Page, PageError, Result
from cleaner.readers.jsonl import JsonlFields, iter_jsonl
from cleaner.readers.pages import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_LINES,
    page_from_bytes,
    page_from_text,
    too_large,
)

log = logging.getLogger(__name__)

# Files a directory walk picks up by default: text dumps and HTML, plain or gzipped.
PAGE_SUFFIXES = (".txt", ".text", ".html", ".htm", ".xhtml", ".shtml")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
# Common Crawl names its files *.warc.gz and *.warc.wet.gz.
WARC_SUFFIXES = (".warc", ".wet")
STDIN = "-"
# Output file names of container records: ids made safe for any file system.
UNSAFE_NAME = re.compile(r"[^\w.\-]+")
MAX_NAME = 120


@dataclass(frozen=True, slots=True)
class Source:
    """One page to read: a file, standard input, or a record a container already read."""

    id: str
    source: str  # what the user sees in records and messages
    relative: PurePosixPath  # the output path mirrors this, with .txt
    path: Path | None  # None for standard input and container records
    url: str | None = None
    content: bytes | str | None = None  # a container record's page
    kind: str | None = None  # "html" or "text" when the container says which
    content_type: str | None = None  # a WARC record's HTTP Content-Type (its charset)
    error: str | None = None  # a broken container record: why

    def read_bytes(self, limit: int | None = None) -> bytes:
        """The page's bytes; from a file, at most `limit` + 1 of them: enough to
        tell a page over the limit without reading a huge file into memory."""
        if isinstance(self.content, str):
            return self.content.encode("utf-8")
        if self.content is not None:
            return self.content
        size = -1 if limit is None else limit + 1
        if self.path is None:
            return sys.stdin.buffer.read(size)
        with self.path.open("rb") as handle:
            return handle.read(size)


@dataclass
class InputOptions:
    """How to walk and read the inputs; `skipped` counts container records that are no page."""

    globs: tuple[str, ...] = ()
    fields: JsonlFields = field(default_factory=JsonlFields)
    # Absolute paths a walk must not enter: the run's own output, when it lies
    # inside an input folder (a lazy walk would otherwise read what it wrote).
    exclude: frozenset[str] = frozenset()
    skipped: Counter = field(default_factory=Counter)
    # Container records over this size give an error record without being read whole.
    max_bytes: int = DEFAULT_MAX_BYTES


class InputError(Exception):
    """A command-line input that does not exist or cannot be listed."""


def _bare_name(name: str) -> str:
    return name[:-3] if name.lower().endswith(".gz") else name


def page_id(name: str) -> str:
    """A page's id: its file name without .gz and the page suffix."""
    name = _bare_name(name)
    for suffix in PAGE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def container_kind(name: str) -> str | None:
    """"jsonl" or "warc" when the file name says it holds many pages, else None."""
    bare = _bare_name(name).lower()
    if bare.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if bare.endswith(WARC_SUFFIXES):
        return "warc"
    return None


def container_stem(name: str) -> str:
    """The folder name of a container's records: `crawl.warc.wet.gz` gives `crawl`."""
    stem = _bare_name(name)
    while stem.lower().endswith(JSONL_SUFFIXES + WARC_SUFFIXES):
        stem = stem[: stem.rindex(".")]
    return stem


def is_page_file(path: Path) -> bool:
    name = _bare_name(path.name.lower())
    return not path.name.startswith(".") and name.endswith(PAGE_SUFFIXES)


def iter_sources(inputs: list[str], options: InputOptions | None = None) -> Iterator[Source]:
    """Sources for every input, in the order given; directories sorted by path."""
    options = options or InputOptions()
    for spec in inputs:
        if spec == STDIN:
            yield from _stdin_sources(options)
            continue
        path = Path(spec)
        if path.is_dir():
            for file, relative, unreadable in _walk(path, options.globs, options.exclude):
                if unreadable is not None:
                    yield Source(id=page_id(file.name), source=str(file), relative=relative,
                                 path=None, error=unreadable)
                else:
                    yield from _file_sources(file, str(file), relative, options)
        elif path.exists() or path.is_symlink():
            yield from _file_sources(path, spec, PurePosixPath(path.name), options)
        else:
            raise InputError(f"{spec}: no such file or directory")


def _walk(root: Path, globs: tuple[str, ...], exclude: frozenset[str] = frozenset()
          ) -> Iterator[tuple[Path, PurePosixPath, str | None]]:
    """Wanted files under root in sorted path order, listing one folder at a time.

    Each comes with None, or with the reason it cannot be read: a folder that
    cannot be listed, or a FIFO, socket or device named like a page (opening a
    FIFO would wait forever for a writer).
    """
    pending: list[tuple[Path, PurePosixPath, bool]] = [(root, PurePosixPath(), True)]
    while pending:
        path, relative, is_folder = pending.pop()
        if not is_folder:
            yield path, relative, None
            continue
        try:
            entries = sorted(os.scandir(path), key=lambda entry: entry.name, reverse=True)
        except OSError as error:
            yield path, relative, f"cannot list folder: {error.strerror or error}"
            continue
        for entry in entries:  # reversed, so that popping gives them in order
            if exclude and os.path.abspath(entry.path) in exclude:
                continue
            below = relative / entry.name
            if entry.is_dir(follow_symlinks=False):
                pending.append((Path(entry.path), below, True))
            elif _wanted(entry.name, below, globs):
                if _special_file(entry):
                    yield Path(entry.path), below, "not a regular file"
                    continue
                pending.append((Path(entry.path), below, False))


def _special_file(entry: os.DirEntry) -> bool:
    """A FIFO, socket or device (a symbolic link to one included)."""
    try:
        if entry.is_file():  # the common case, told by the listing alone
            return False
        mode = entry.stat().st_mode
    except OSError:  # a dangling link, a loop of links: reading it gives the reason
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _wanted(name: str, relative: PurePosixPath, globs: tuple[str, ...]) -> bool:
    if name.startswith("."):
        return False
    if globs:
        return any(relative.match(pattern) for pattern in globs)
    return is_page_file(Path(name)) or container_kind(name) is not None


def _file_sources(path: Path, spec: str, relative: PurePosixPath,
                  options: InputOptions) -> Iterator[Source]:
    kind = container_kind(path.name)
    if kind is None:
        yield Source(id=page_id(path.name), source=spec,
                     relative=relative.with_name(page_id(relative.name)), path=path)
        return
    folder = relative.with_name(container_stem(relative.name))
    try:
        stream = path.open("rb")
    except OSError as error:
        yield Source(id=container_stem(path.name), source=spec, relative=folder, path=None,
                     error=f"cannot read: {error.strerror or error}")
        return
    with stream:
        yield from _container_sources(stream, kind, spec, folder, options,
                                      gzipped=path.name.lower().endswith(".gz"), seekable=True)


def _container_sources(stream: IO[bytes], kind: str, spec: str, folder: PurePosixPath,
                       options: InputOptions, *, gzipped: bool,
                       seekable: bool) -> Iterator[Source]:
    names = UniqueNames()
    # Each record with where it stands (FILE:LINE, FILE@OFFSET) and its id if it has none.
    if kind == "jsonl":
        records = ((entry, f"{spec}:{entry.line}", f"line-{entry.line}") for entry in
                   iter_jsonl(stream, options.fields, gzipped=gzipped,
                              max_bytes=options.max_bytes))
    else:
        from cleaner.readers.warc import iter_warc  # FastWARC only when a WARC comes

        records = ((record, f"{spec}@{record.offset}", f"offset-{record.offset}") for record in
                   iter_warc(stream, options.skipped, seekable=seekable,
                             max_bytes=options.max_bytes))
    for record, where, stand_in in records:
        id = record.id if record.id is not None else stand_in
        yield Source(id=id, source=where, relative=folder / names.get(id), path=None,
                     url=record.url, content=record.content, kind=record.kind,
                     content_type=getattr(record, "content_type", None),  # none in JSONL
                     error=record.error)


class UniqueNames:
    """Safe, distinct file names for the records of one container (ids can repeat)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def get(self, id: str) -> str:
        name = UNSAFE_NAME.sub("_", id).lstrip(".")[:MAX_NAME] or "record"
        candidate, copy = name, 1
        while candidate in self.used:
            copy += 1
            candidate = f"{name}~{copy}"
        self.used.add(candidate)
        return candidate


def _stdin_sources(options: InputOptions) -> Iterator[Source]:
    """Standard input: a WARC/WET stream when it starts like one, else one page."""
    stream = sys.stdin.buffer
    if not hasattr(stream, "peek"):  # test runners hand over a plain BytesIO
        stream = io.BufferedReader(stream)
    head = stream.peek(4096)[:4096]
    if _starts_like_warc(head):  # FastWARC unzips by itself
        yield from _container_sources(stream, "warc", "<stdin>", PurePosixPath("stdin"), options,
                                      gzipped=False, seekable=False)
        return
    # At most one byte over the limit: enough to tell the page is too large.
    yield Source(id="stdin", source="<stdin>", relative=PurePosixPath("stdin"), path=None,
                 content=stream.read(options.max_bytes + 1))


def _starts_like_warc(head: bytes) -> bool:
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith(b"WARC/")


def check_inputs(inputs: list[str]) -> None:
    """Fail early, with one line, on inputs that do not exist."""
    for spec in inputs:
        if spec != STDIN and not Path(spec).exists() and not Path(spec).is_symlink():
            raise InputError(f"{spec}: no such file or directory")


def check_found(inputs: list[str], options: InputOptions | None = None) -> None:
    """Fail early, with one line, on a folder that holds no page (or no file that
    --glob matches): a run that would clean nothing is a mistake, most often a
    wrong path or pattern. The walk stops at the first file it takes."""
    options = options or InputOptions()
    for spec in inputs:
        if spec == STDIN or not Path(spec).is_dir():
            continue
        if next(_walk(Path(spec), options.globs, options.exclude), None) is None:
            patterns = " ".join(f"--glob {pattern!r}" for pattern in options.globs)
            raise InputError(f"no pages found under {spec}"
                             + (f" matching {patterns}" if patterns else ""))


def read_source(source: Source, *, input_format: str = "auto",
                max_bytes: int = DEFAULT_MAX_BYTES, max_lines: int = DEFAULT_MAX_LINES,
                cues: bool = True, markdown: bool = False, links: bool = False
                ) -> Page | Result:
    """The page behind a source, or an error result that names it. Never raises.
    `cues=False`: HTML without its DOM cues, enough for a site-stats sketch.
    `markdown`, `links`: read for markdown (page_from_bytes)."""
    if source.error is not None:
        return Result.failed(source.id, source.source, source.url, source.error)
    page_format = source.kind or input_format  # a container's record says what it holds
    try:
        if isinstance(source.content, str):
            if len(source.content) > max_bytes:
                raise PageError(too_large(len(source.content), max_bytes, "characters"))
            return page_from_text(source.content, id=source.id, source=source.source,
                                  url=source.url, input_format=page_format, max_lines=max_lines,
                                  cues=cues, markdown=markdown, links=links)
        data = source.read_bytes(limit=max_bytes)
        if len(data) > max_bytes:
            raise PageError(too_large(_file_size(source), max_bytes))
        return page_from_bytes(data, id=source.id, source=source.source, url=source.url,
                               input_format=page_format, max_bytes=max_bytes,
                               max_lines=max_lines, cues=cues, content_type=source.content_type,
                               markdown=markdown, links=links)
    except PageError as error:
        return Result.failed(source.id, source.source, source.url, str(error))
    except OSError as error:
        return Result.failed(source.id, source.source, source.url,
                            f"cannot read: {error.strerror or error}")
    except Exception as error:  # a bug a page brings out must cost that page only
        log.debug("reading %s failed", source.source, exc_info=True)
        return Result.failed(source.id, source.source, source.url,
                            f"cannot read: {type(error).__name__}: {error}")


def _file_size(source: Source) -> int | None:
    """The size of a page file read only in part; None when it has no size (a pipe)."""
    try:
        return source.path.stat().st_size if source.path is not None else None
    except OSError:
        return None


def read_one(spec: str, input_format: str = "auto",
             on_more: Callable[[Source], None] | None = None) -> Page:
    """The one page a command like `cleaner show` reads: a page file or "-", or the
    first page of a folder or container, which is handed to `on_more` when others
    follow it. Raises InputError or PageError with a one-line reason."""
    check_inputs([spec])
    check_found([spec])
    sources = iter_sources([spec])
    source = next(sources, None)
    if source is None:
        raise InputError(f"{spec}: no page found")
    if on_more is not None and next(sources, None) is not None:
        on_more(source)
    sources.close()
    page = read_source(source, input_format=input_format)
    if isinstance(page, Result):
        raise PageError(f"{page.source}: {page.error}")
    return page
