"""A progress bar on stderr (pages, pages/s, errors; the total and an ETA once the
pages are counted), or nothing at all.

The run streams its inputs and cannot know how many pages they hold before it
has read them all. A `PageCount` walks the same inputs in a thread of its own,
without reading page files or cleaning anything (a container's records are read
to be counted); once it is done, the bar shows the total, a percentage and the
time left. A walk that fails or is cut short leaves the bar without a total.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager


class PageCount:
    """The number of pages the run's sources hold, counted in a daemon thread."""

    def __init__(self, make_sources: Callable[[], Iterable]):
        self.total: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._count, args=(make_sources,),
                                        name="cleaner-page-count", daemon=True)
        self._thread.start()

    def _count(self, make_sources: Callable[[], Iterable]) -> None:
        pages = 0
        try:
            for _ in make_sources():
                if self._stop.is_set():
                    return
                pages += 1
        except Exception:  # an input the run itself will report on: no total, that is all
            return
        self.total = pages

    def stop(self) -> None:
        self._stop.set()


class Progress:
    """A progress bar on stderr (pages, pages/s, errors), or nothing at all; with a
    `PageCount`, the total and the time left once the count is in."""

    def __init__(self, enabled: bool, initial: int = 0, description: str | None = None,
                 count: PageCount | None = None):
        self.bar = None
        self.count = count
        if enabled:
            from tqdm import tqdm  # only when a person is watching a terminal

            self.bar = tqdm(initial=initial, unit=" pages", file=sys.stderr, mininterval=0.5,
                            dynamic_ncols=True, smoothing=0.1, desc=description)

    def update(self, pages: int, errors: int | None = None) -> None:
        if self.bar is not None:
            self._take_total()
            if errors is not None:
                self.bar.set_postfix(errors=errors, refresh=False)
            self.bar.update(pages)

    def _take_total(self) -> None:
        if self.count is not None and self.count.total is not None and self.bar.total is None:
            # A count below what is done already (inputs that grew meanwhile) is no total.
            if self.count.total >= self.bar.n:
                self.bar.total = self.count.total
            self.count = None

    @contextmanager
    def hidden(self) -> Iterator[None]:
        """Clear the bar while a message is printed on stderr, then draw it again."""
        if self.bar is not None:
            self.bar.clear()
        yield
        if self.bar is not None:
            self.bar.refresh()

    def close(self) -> None:
        if self.count is not None:
            self.count.stop()
        if self.bar is not None:
            self.bar.close()
