"""Site stats in one pass: classify every page once, write each when its site is known.

A line that recurs on many pages of a site is template (cleaner/site_stats.py),
which only the whole batch can tell. Workers read and classify each chunk once
and send back, for every page, its sketch (site, line hashes) and what writing
it needs: its lines, origin and labels' probabilities (`Classified`). The main
process counts the sketches and keeps the chunks in a temporary file, so memory
stays flat however large the batch; once every page is in, it reads the chunks
back in order, bars each site's template lines from body and writes the pages.
A first pass of its own would read and render every page a second time: a
third of an HTML batch's time.
"""

from __future__ import annotations

import dataclasses
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cleaner.atomic import naming
from cleaner.batch.sinks import Outcome, outcome_of
from cleaner.clean import labelled_or_failed
from cleaner.document import Page, Result
from cleaner.favor import NEUTRAL, Decision
from cleaner.readers.sources import Source
from cleaner.site_stats import BatchSites, PageSketch, Templates


@dataclass(slots=True)
class Classified:
    """A page classified before its site's template lines are known."""

    relative: str  # the output path of its source (text output: <relative>.txt)
    sketch: PageSketch | None  # None: a page that cannot be read, or has no text
    page: Page | None = None  # its lines and origin, without DOM cues
    probs: np.ndarray | None = None
    failed: Result | None = None  # a page that could not be read or classified

    @classmethod
    def of(cls, source: Source, item: tuple[Page, np.ndarray] | Result,
           sketch: PageSketch | None) -> Classified:
        if isinstance(item, Result):
            return cls(str(source.relative), sketch, failed=item)
        page, probs = item
        return cls(str(source.relative), sketch, dataclasses.replace(page, cues=None), probs)

    def outcome(self, keep: frozenset[str], templates: Templates, *, record: bool,
                with_lines: bool, decision: Decision = NEUTRAL) -> Outcome:
        result = self.failed or labelled_or_failed(self.page, self.probs, keep, templates,
                                                   decision)
        return outcome_of(self.relative, result, keep, record=record, with_lines=with_lines)


class Spill:
    """Chunks of classified pages in a temporary file, read back in the order they came.
    The file is the run's own, written and read by this process alone, unnamed (no kill
    leaves it behind), and in `folder`: beside the output, on its disk, not in a /tmp
    that may be memory."""

    def __init__(self, folder: Path | None = None) -> None:
        self.where = folder or Path(tempfile.gettempdir())
        with naming(self.where):
            # Open for the run's whole length, closed by close(): no `with` can span it.
            self.file = tempfile.TemporaryFile(prefix=".cleaner-", dir=folder)  # noqa: SIM115

    def add(self, chunk: list[Classified]) -> None:
        for classified in chunk:
            classified.sketch = None  # counted already: the write needs it no more
        with naming(self.where / "(site stats' temporary file)"):
            pickle.dump(chunk, self.file, protocol=pickle.HIGHEST_PROTOCOL)

    def chunks(self) -> Iterator[list[Classified]]:
        self.file.seek(0)
        while True:
            try:
                yield pickle.load(self.file)  # noqa: S301 - our own file, see above
            except EOFError:
                return

    def close(self) -> None:
        self.file.close()


def collect(chunks: Iterable[list[Classified]], on_chunk=None,
            folder: Path | None = None) -> tuple[BatchSites, Spill]:
    """Every classified chunk into a spill file in `folder`, and the sites of their pages
    counted."""
    sites, spill = BatchSites(), Spill(folder)
    try:
        for chunk in chunks:
            for classified in chunk:
                sites.add(classified.sketch)
            spill.add(chunk)
            if on_chunk is not None:
                on_chunk(chunk)
    except BaseException:
        spill.close()
        raise
    return sites.finish(), spill


def outcomes_after(spill: Spill, sites: BatchSites, skip: int, keep: frozenset[str], *,
                   record: bool, with_lines: bool,
                   decision: Decision = NEUTRAL) -> Iterator[list[Outcome]]:
    """Each chunk's outcomes, with its sites' templates, in input order, leaving out the
    first `skip` pages (written by an interrupted run)."""
    templates_of = sites.for_chunks()
    done = 0
    for chunk in spill.chunks():
        templates = templates_of(chunk)
        todo = chunk[max(0, skip - done):]
        done += len(chunk)
        if todo:
            yield [c.outcome(keep, templates, record=record, with_lines=with_lines,
                             decision=decision) for c in todo]
