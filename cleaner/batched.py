"""The one batcher: items in order, in lists closed by a count or by a weight.

`Cleaner.clean_many` batches pages by their lines (one model call per batch);
a run (cleaner/batch/) sends sources to its workers in chunks of so many pages
and so many bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], *, max_items: int | None = None,
            weight: Callable[[T], int] | None = None,
            max_weight: int | None = None) -> Iterator[list[T]]:
    """Lists of consecutive items, each closed once it holds `max_items` items or its
    items weigh `max_weight` in all (whichever comes first); the last may be short."""
    batch: list[T] = []
    weighed = 0
    for item in items:
        batch.append(item)
        if weight is not None:
            weighed += weight(item)
        full = max_items is not None and len(batch) >= max_items
        heavy = max_weight is not None and weighed >= max_weight
        if full or heavy:
            yield batch
            batch, weighed = [], 0
    if batch:
        yield batch
