"""What the user named on the command line, as a stream of page sources.

A path is a file or a directory (searched recursively for page files); `-`
is standard input. Each source knows its id, where it came from, and the
relative path its output mirrors.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# Files a directory walk picks up by default: text dumps and HTML, plain or gzipped.
PAGE_SUFFIXES = (".txt", ".text", ".html", ".htm", ".xhtml", ".shtml")
STDIN = "-"


@dataclass(frozen=True, slots=True)
class Source:
    """One page to read: a file, or standard input."""

    id: str
    source: str  # what the user sees in records and messages
    relative: PurePosixPath  # the output path mirrors this, with .txt
    path: Path | None  # None for standard input

    def read_bytes(self) -> bytes:
        return sys.stdin.buffer.read() if self.path is None else self.path.read_bytes()


class InputError(Exception):
    """A command-line input that does not exist or cannot be listed."""


def page_id(name: str) -> str:
    """A page's id: its file name without .gz and the page suffix."""
    name = name.removesuffix(".gz")
    for suffix in PAGE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def is_page_file(path: Path) -> bool:
    name = path.name.lower().removesuffix(".gz")
    return not path.name.startswith(".") and name.endswith(PAGE_SUFFIXES)


def iter_sources(inputs: list[str]) -> Iterator[Source]:
    """Sources for every input, in the order given; directories sorted by path."""
    for spec in inputs:
        if spec == STDIN:
            yield Source(id="stdin", source="<stdin>", relative=PurePosixPath("stdin"),
                         path=None)
            continue
        path = Path(spec)
        if path.is_dir():
            yield from _directory_sources(path)
        elif path.exists() or path.is_symlink():
            yield Source(id=page_id(path.name), source=spec,
                         relative=PurePosixPath(page_id(path.name)), path=path)
        else:
            raise InputError(f"{spec}: no such file or directory")


def _directory_sources(root: Path) -> Iterator[Source]:
    for path in sorted(root.rglob("*")):
        if (path.is_file() or path.is_symlink()) and is_page_file(path):
            relative = PurePosixPath(path.relative_to(root).as_posix())
            yield Source(id=page_id(path.name), source=str(path),
                         relative=relative.with_name(page_id(relative.name)), path=path)


def check_inputs(inputs: list[str]) -> None:
    """Fail early, with one line, on inputs that do not exist."""
    for spec in inputs:
        if spec != STDIN and not Path(spec).exists() and not Path(spec).is_symlink():
            raise InputError(f"{spec}: no such file or directory")
