"""A cleaning run: sources in, outcomes written in input order, a summary at the end.

    sources ─► chunks ─► workers (read, render, classify) ─► outcomes ─► sink
                                                                      └► journal (resume)

With site stats, a first pass reads every source (on the workers too) for the
lines that recur on the pages of a site (cleaner/site_stats.py), and each
chunk of the cleaning pass gets the template lines of its pages' sites.
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from cleaner.batch.journal import Checkpoint, Journal
from cleaner.batch.sinks import Outcome, Sink
from cleaner.batch.workers import (
    CHUNK_PAGES,
    DEFAULT_PAGE_TIMEOUT,
    TEST_HOOK_ENV,
    Settings,
    chunked,
    cleaned_chunks,
    read_source,
    sketched_chunks,
)
from cleaner.clean import Cleaner
from cleaner.readers.pages import DEFAULT_MAX_BYTES, DEFAULT_MAX_LINES
from cleaner.readers.sources import Source
from cleaner.site_stats import BatchSites

__all__ = ["Summary", "read_source", "resume", "run"]


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
        parts = [f"{self.pages} pages", f"{self.errors} errors", f"{kept:.1%} of lines kept"]
        if self.skipped:
            kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(self.skipped.items()))
            parts.append(f"{sum(self.skipped.values())} records skipped ({kinds})")
        if self.resumed:
            parts.append(f"resumed after {self.resumed} pages")
        parts.append(f"{seconds:.1f}s ({rate:.0f} pages/s)")
        return ", ".join(parts)


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


def run(
    cleaner: Cleaner | str,
    sources: Iterable[Source],
    sink: Sink,
    *,
    keep: frozenset[str],
    input_format: str = "auto",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_lines: int = DEFAULT_MAX_LINES,
    page_timeout: float = DEFAULT_PAGE_TIMEOUT,
    on_error: Callable[[Outcome], None] | None = None,
    jobs: int = 1,
    journal: Journal | None = None,
    resumed: Checkpoint | None = None,
    skipped: Counter | None = None,
    progress: bool = False,
    chunk_pages: int = CHUNK_PAGES,
    models_dir: str | None = None,
    site_sources: Iterable[Source] | None = None,
) -> Summary:
    """Clean every source into `sink`; `cleaner` is a loaded Cleaner or a model folder.

    With a journal, a checkpoint follows every chunk written; an exception or
    Ctrl-C leaves the output and journal for a rerun to resume. `site_sources`,
    every source of the batch from the first (a resumed run's done pages
    included), turns on site stats: a first pass over them finds each site's
    template lines, which may then not be body.
    """
    model = str(cleaner.model.path) if isinstance(cleaner, Cleaner) else cleaner
    settings = Settings(model=model, models_dir=models_dir, keep=keep,
                        input_format=input_format, max_bytes=max_bytes, max_lines=max_lines,
                        page_timeout=page_timeout, records=sink.needs_records,
                        with_lines=sink.with_lines,
                        test_hook=os.environ.get(TEST_HOOK_ENV, ""))
    summary = Summary.after(resumed, skipped)
    # Before the output is touched: a run stopped in pass one leaves it as it was.
    sites = (site_templates(site_sources, settings, jobs=jobs, chunk_pages=chunk_pages,
                            progress=progress)
             if site_sources is not None else None)
    templates = sites.for_chunks(summary.pages) if sites is not None else None
    bar = Progress(progress, initial=summary.pages)
    sink.start(resumed)
    if journal is not None:
        journal.begin(resumed)
    try:
        local = cleaner if isinstance(cleaner, Cleaner) else None
        chunks = chunked(sources, chunk_pages)
        for outcomes in cleaned_chunks(chunks, settings, jobs=jobs, cleaner=local,
                                       templates=templates):
            _write(outcomes, sink, summary, on_error, bar)
            if journal is not None:
                journal.commit(summary.checkpoint(sink.position(), outcomes[-1].source))
            bar.update(len(outcomes), summary.errors)
    except BaseException:
        bar.close()
        sink.abort()
        if journal is not None:
            journal.close()
        raise
    bar.close()
    sink.finish()
    if journal is not None:
        journal.finish()
    return summary


def site_templates(sources: Iterable[Source], settings: Settings, *, jobs: int,
                   chunk_pages: int = CHUNK_PAGES, progress: bool = False) -> BatchSites | None:
    """Site stats' pass one: read every source, in chunks, on `jobs` processes, and
    find each site's template lines. None for a single page: nothing can recur."""
    sources = iter(sources)
    head = list(itertools.islice(sources, 2))
    if len(head) < 2:
        return None
    sites = BatchSites()
    bar = Progress(progress, description="site stats")
    try:
        chunks = chunked(itertools.chain(head, sources), chunk_pages)
        for sketches in sketched_chunks(chunks, settings, jobs=jobs):
            for sketch in sketches:
                sites.add(sketch)
            bar.update(len(sketches))
    finally:
        bar.close()
    return sites.finish()


def _write(outcomes: list[Outcome], sink: Sink, summary: Summary,
           on_error: Callable[[Outcome], None] | None, bar: Progress) -> None:
    for outcome in outcomes:
        sink.write(outcome)
        summary.add(outcome)
        if outcome.error is not None and on_error is not None:
            with bar.hidden():
                on_error(outcome)


class Progress:
    """A progress bar on stderr (pages, pages/s, errors), or nothing at all."""

    def __init__(self, enabled: bool, initial: int = 0, description: str | None = None):
        self.bar = None
        if enabled:
            from tqdm import tqdm  # only when a person is watching a terminal

            self.bar = tqdm(initial=initial, unit=" pages", file=sys.stderr, mininterval=0.5,
                            dynamic_ncols=True, smoothing=0.1, desc=description)

    def update(self, pages: int, errors: int | None = None) -> None:
        if self.bar is not None:
            if errors is not None:
                self.bar.set_postfix(errors=errors, refresh=False)
            self.bar.update(pages)

    @contextmanager
    def hidden(self) -> Iterator[None]:
        """Clear the bar while a message is printed on stderr, then draw it again."""
        if self.bar is not None:
            self.bar.clear()
        yield
        if self.bar is not None:
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
