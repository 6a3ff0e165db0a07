"""Where results go: a mirrored tree of text files, JSON lines, or stdout.

Files are written atomically (a temporary file in the same folder, then a
rename), so an interrupted run never leaves a half-written page behind.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import IO

from cleaner.atomic import atomic_write_text, temporary_beside
from cleaner.document import Result
from cleaner.inputs import Source


def text_output_path(out_dir: Path, source: Source) -> Path:
    return out_dir / (str(source.relative) + ".txt")


def json_record(result: Result, with_lines: bool) -> str:
    return json.dumps(result.as_record(with_lines), ensure_ascii=False)


class TextTreeSink:
    """One text file per page under `out_dir`, mirroring the inputs."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir

    def write(self, source: Source, result: Result) -> None:
        if result.error is None:
            atomic_write_text(text_output_path(self.out_dir, source), _with_newline(result.text))

    def close(self) -> None:
        pass


class StdoutTextSink:
    """Clean text on standard output; pages separated by a blank line."""

    def __init__(self, stream: IO[str] | None = None):
        self.stream = stream or sys.stdout
        self.written = 0

    def write(self, source: Source, result: Result) -> None:
        if result.error is not None:
            return
        if self.written:
            self.stream.write("\n")
        self.stream.write(_with_newline(result.text))
        self.written += 1

    def close(self) -> None:
        self.stream.flush()


class JsonlSink:
    """One JSON object per page, errors included, in input order."""

    def __init__(self, path: Path | None, with_lines: bool):
        self.path = path
        self.with_lines = with_lines
        if path is None:
            self.stream: IO[str] = sys.stdout
            self.temp: str | None = None
        else:
            fd, self.temp = temporary_beside(path)
            self.stream = os.fdopen(fd, "w", encoding="utf-8")

    def write(self, source: Source, result: Result) -> None:
        self.stream.write(json_record(result, self.with_lines) + "\n")

    def close(self) -> None:
        if self.temp is None:
            self.stream.flush()
            return
        self.stream.close()
        os.replace(self.temp, self.path)


def _with_newline(text: str) -> str:
    return text + "\n" if text else ""
