"""`Summary`: what a run did, counted as its outcomes are written."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from cleaner.batch.journal import Checkpoint
from cleaner.batch.sinks import Outcome


@dataclass
class Summary:
    pages: int = 0
    errors: int = 0
    lines: int = 0
    kept_lines: int = 0
    skipped: Counter = field(default_factory=Counter)  # container records that are no page
    resumed: int = 0  # pages an interrupted run had finished
    started: float = field(default_factory=time.perf_counter)

    @classmethod
    def after(cls, checkpoint: Checkpoint | None, skipped: Counter | None) -> Summary:
        done = checkpoint or Checkpoint()
        return cls(pages=done.pages, errors=done.errors, lines=done.lines,
                   kept_lines=done.kept, skipped=skipped if skipped is not None else Counter(),
                   resumed=done.pages)

    def add(self, outcome: Outcome) -> None:
        self.pages += 1
        self.errors += outcome.error is not None
        self.lines += outcome.lines
        self.kept_lines += outcome.kept

    def checkpoint(self, offset: int, last: str) -> Checkpoint:
        return Checkpoint(pages=self.pages, offset=offset, errors=self.errors, lines=self.lines,
                          kept=self.kept_lines, last=last)

    def line(self) -> str:
        seconds = time.perf_counter() - self.started
        kept = self.kept_lines / self.lines if self.lines else 0.0
        rate = (self.pages - self.resumed) / seconds if seconds > 0 else 0.0
        parts = [counted(self.pages, "page"), counted(self.errors, "error"),
                 f"{kept:.1%} of lines kept"]
        if self.skipped:
            kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(self.skipped.items()))
            parts.append(f"{counted(sum(self.skipped.values()), 'record')} skipped ({kinds})")
        if self.resumed:
            parts.append(f"resumed after {counted(self.resumed, 'page')}")
        parts.append(f"{seconds:.1f}s ({rate:.0f} pages/s)")
        return ", ".join(parts)


def counted(number: int, noun: str) -> str:
    """"1 page", "2 pages", "0 pages"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
