"""A progress bar on stderr (pages, pages/s, errors), or nothing at all."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


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
