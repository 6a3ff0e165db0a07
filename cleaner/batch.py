"""A cleaning run: sources in, results out, a summary at the end."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from cleaner.clean import Cleaner, error_result
from cleaner.document import Page, PageError, Result
from cleaner.inputs import Source
from cleaner.readers.pages import DEFAULT_MAX_BYTES, page_from_bytes


@dataclass
class Summary:
    pages: int = 0
    errors: int = 0
    lines: int = 0
    kept_lines: int = 0
    started: float = field(default_factory=time.perf_counter)

    def add(self, result: Result, keep: frozenset[str]) -> None:
        self.pages += 1
        if result.error is not None:
            self.errors += 1
            return
        labelled = [label for label in result.labels if label is not None]
        self.lines += len(labelled)
        self.kept_lines += sum(label in keep for label in labelled)

    def line(self) -> str:
        seconds = time.perf_counter() - self.started
        kept = self.kept_lines / self.lines if self.lines else 0.0
        rate = self.pages / seconds if seconds > 0 else 0.0
        return (f"{self.pages} pages, {self.errors} errors, {kept:.1%} of lines kept, "
                f"{seconds:.1f}s ({rate:.0f} pages/s)")


def read_source(source: Source, *, input_format: str = "auto",
                max_bytes: int = DEFAULT_MAX_BYTES) -> Page | Result:
    """The page behind a source, or an error result that names it."""
    try:
        data = source.read_bytes()
        return page_from_bytes(data, id=source.id, source=source.source,
                               input_format=input_format, max_bytes=max_bytes)
    except PageError as error:
        return error_result(source.id, source.source, None, str(error))
    except OSError as error:
        return error_result(source.id, source.source, None,
                            f"cannot read: {error.strerror or error}")


def clean_sources(
    cleaner: Cleaner,
    sources: Iterable[Source],
    *,
    keep: frozenset[str],
    input_format: str = "auto",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[tuple[Source, Result]]:
    """Each source with its result, in input order, cleaning pages in batches."""
    pending: deque[Source] = deque()

    def pages() -> Iterator[Page | Result]:
        for source in sources:
            pending.append(source)
            yield read_source(source, input_format=input_format, max_bytes=max_bytes)

    for result in cleaner.clean_many(pages(), keep=keep):
        yield pending.popleft(), result


def run(
    cleaner: Cleaner,
    sources: Iterable[Source],
    sink,
    *,
    keep: frozenset[str],
    input_format: str = "auto",
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_error: Callable[[Result], None] | None = None,
) -> Summary:
    summary = Summary()
    try:
        for source, result in clean_sources(cleaner, sources, keep=keep,
                                            input_format=input_format, max_bytes=max_bytes):
            sink.write(source, result)
            summary.add(result, keep)
            if result.error is not None and on_error is not None:
                on_error(result)
    finally:
        sink.close()
    return summary
