"""Resuming an interrupted run from a journal kept beside its output.

Output is written in input order, so "how far did we get" is one number. The
journal's first line is the run's fingerprint (the inputs and every option
that changes the output); each further line is a checkpoint appended after the
output it covers has been written: pages done, bytes of JSONL output, the
summary's counts, and the source of the last page done. A rerun of the same
command skips the checkpointed pages, cuts the JSONL output back to the
checkpoint (dropping records and any torn line written after it) and goes on,
so the finished output equals that of an uninterrupted run. Checkpoints are
appended in one write each: a kill can only tear the last line, which a
rerun ignores.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cleaner.atomic import atomic_write_text, naming
from cleaner.readers.sources import Source

if TYPE_CHECKING:
    from cleaner.batch.sinks import Sink


@dataclass(frozen=True)
class Checkpoint:
    pages: int = 0  # pages whose output is written, from the start of the inputs
    offset: int = 0  # bytes of JSONL output holding those pages (0 for text files)
    errors: int = 0
    lines: int = 0
    kept: int = 0
    last: str = ""  # the source of the last page done: a rerun checks the inputs still match


def fingerprint(settings: dict) -> str:
    """A hash of everything that decides the output; a journal only resumes the same run."""
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()


class Journal:
    """`<output>.progress`: the fingerprint, then checkpoints in order."""

    def __init__(self, path: Path, run_fingerprint: str):
        self.path = path
        self.fingerprint = run_fingerprint
        self.fd: int | None = None

    def last_checkpoint(self) -> Checkpoint | None:
        """The last whole checkpoint of the same run, or None to start from the beginning."""
        try:
            lines = self.path.read_text(encoding="utf-8").split("\n")
        except (OSError, UnicodeDecodeError):
            return None
        if _parse(lines[0]).get("fingerprint") != self.fingerprint:
            return None
        checkpoints = [_parse(line) for line in lines[1:-1]]  # the last piece may be torn
        valid = [c for c in checkpoints if set(c) == set(Checkpoint.__dataclass_fields__)]
        return Checkpoint(**valid[-1]) if valid else Checkpoint()

    def begin(self, checkpoint: Checkpoint | None) -> None:
        """Open for appending; a fresh run first replaces any old journal."""
        if checkpoint is None:
            atomic_write_text(self.path, json.dumps({"fingerprint": self.fingerprint}) + "\n")
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)

    def commit(self, checkpoint: Checkpoint) -> None:
        with naming(self.path):
            os.write(self.fd, (json.dumps(asdict(checkpoint)) + "\n").encode("utf-8"))

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def finish(self) -> None:
        """The run is complete: nothing left to resume."""
        self.close()
        self.path.unlink(missing_ok=True)


def _parse(line: str) -> dict:
    try:
        value = json.loads(line)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def resume(journal: Journal, sink: Sink,
           make_sources: Callable[[], Iterator[Source]]) -> tuple[Iterator[Source],
                                                                  Checkpoint | None]:
    """The sources still to do and the checkpoint to resume from (None: from the start).

    The done pages are read again but not cleaned; if they no longer end with
    the page the checkpoint names, the inputs changed and the run starts over.
    """
    checkpoint = journal.last_checkpoint()
    if checkpoint is None or not sink.can_resume(checkpoint):
        return make_sources(), None
    sources = make_sources()
    done, last = 0, ""
    for source in itertools.islice(sources, checkpoint.pages):
        done, last = done + 1, source.source
    if done != checkpoint.pages or last != checkpoint.last:
        return make_sources(), None
    return sources, checkpoint
