"""Cleaning a stream of pages on every core, in input order, through joblib.

The main process walks the inputs and writes the output; it sends chunks of
sources to joblib's loky workers, which read, render and classify them and
send back small `Outcome`s (the text, or the JSON line ready to write). A
worker loads the model once, into a module-level cache that outlives its
chunks (loky keeps its workers between tasks), and classifies each chunk's
pages in large batches (`Cleaner.clean_many`). A batch that fits in one chunk
is cleaned in the main process: starting workers would cost more than it saves.
With site stats, workers classify each chunk once (`classified_chunks`), with
the same time budget and watchdog, and send back each page's lines, labels'
probabilities and sketch; the main process writes them once every site's
template lines are known (batch/site_pass.py).

Every page gets a time budget for reading (decoding and rendering: the stage
whose cost hostile HTML can blow up; classifying is bounded by the line limit).
A page read in more than the budget gives an error record wherever it is read.
In a worker the budget is also a hard limit, kept from outside
(batch/watchdog.py): each worker notes in a small file which page it is
reading since when (a `Beacon`), and a `Watchdog` thread in the main process
kills a worker whose page is over its budget, even one stuck in C code. The
pool is then started again and the chunks that were in flight are cleaned
again, the slow page as an error record. A worker that dies on its own (out of
memory, a crash in C) breaks the pool too: the chunks in flight are then
cleaned again one at a time, so that if a page kills its worker again, the
beacon names it and it gets an error record (batch/pool.py). No
signal handler is involved, so this works in threads and workers.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from cleaner.batch.faults import NO_FAULTS, Faults
from cleaner.batch.options import CHUNK_PAGES, DEFAULT_PAGE_TIMEOUT
from cleaner.batch.sinks import Outcome, outcome_of
from cleaner.batch.site_pass import Classified
from cleaner.batch.watchdog import Beacon, NumberedChunk, timed_out
from cleaner.batched import batched
from cleaner.clean import Cleaner
from cleaner.document import Page, Result
from cleaner.favor import BALANCED
from cleaner.readers.pages import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_LINES,
)
from cleaner.readers.sources import Source, read_source
from cleaner.site_stats import PageSketch, sketch_page

log = logging.getLogger(__name__)

# A chunk holds at most CHUNK_PAGES pages (batch/options.py) and at most this
# many bytes of pages read by containers, to bound memory.
CHUNK_BYTES = 16 * 1024 * 1024

# How often a worker checks that the main process is still there.
PARENT_CHECK_SECONDS = 1.0


# per process: (model folder, site models folder) -> loaded Cleaner
_CLEANERS: dict[tuple[str, str | None], Cleaner] = {}


@dataclass(frozen=True)
class Settings:
    """Everything a worker needs to turn sources into outcomes (picklable)."""

    model: str  # a model folder, loaded once per worker
    keep: frozenset[str]
    favor: str = BALANCED  # body's weight, and its floor (cleaner/favor.py)
    min_p: float | None = None
    input_format: str = "auto"
    max_bytes: int = DEFAULT_MAX_BYTES
    records: bool = False  # build JSONL records
    with_lines: bool = False
    models_dir: str | None = None  # site models bound to hosts (clean --models)
    max_lines: int = DEFAULT_MAX_LINES
    page_timeout: float = DEFAULT_PAGE_TIMEOUT  # seconds to read a page; 0: no limit
    beacons: str | None = None  # the folder where workers note what they read
    markdown: bool = False  # read pages for markdown (Result.markdown)
    links: bool = False  # with their links
    faults: Faults = NO_FAULTS  # the kill tests' faults (batch/faults.py); none otherwise


def all_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_cleaner(model: str, models_dir: str | None = None) -> Cleaner:
    """This process's Cleaner for `model` (routing pages to the site models of
    `models_dir`, if given), loaded on first use only."""
    key = (model, models_dir)
    if key not in _CLEANERS:
        if models_dir is None:
            _CLEANERS[key] = Cleaner.load(model)
        else:
            from cleaner.model.routing import routed_cleaner

            _CLEANERS[key] = routed_cleaner(model, models_dir)
    return _CLEANERS[key]


_watching: list[int] = []  # the parent a worker watches, once it does


def _exit_with_parent() -> None:
    """Make this worker exit when the process that started it dies.

    loky's workers outlive a main process killed with kill -9 and idle for
    minutes; a resumed run would then share the cores with them.
    """
    if _watching:
        return
    _watching.append(os.getppid())

    def watch() -> None:
        while os.getppid() == _watching[0]:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _deaf_to_ctrl_c() -> None:
    """A worker ignores SIGINT: the main process stops it. Workers are mostly born so
    (pool.py); this covers one started where that cannot be arranged."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _read_timed(source: Source, settings: Settings, beacon: Beacon | None, number: int,
                index: int) -> Page | Result:
    """read_source under the page time budget; a worker notes in its beacon that it
    reads page `index` of chunk `number`."""
    if beacon is not None:
        beacon.reading(number, index)
    started = time.monotonic()
    if settings.faults and source.error is None:
        settings.faults.before_reading(source.id, in_worker=beacon is not None)
    page = read_source(source, input_format=settings.input_format,
                       max_bytes=settings.max_bytes, max_lines=settings.max_lines,
                       markdown=settings.markdown, links=settings.links)
    if beacon is not None:
        beacon.reading(number, -1)
    if settings.page_timeout and time.monotonic() - started > settings.page_timeout:
        return Result.failed(source.id, source.source, source.url,
                            timed_out(settings.page_timeout))
    return page


def clean_chunk(settings: Settings, chunk: list[Source], cleaner: Cleaner | None = None,
                number: int = 0) -> list[Outcome]:
    """Read and clean a chunk of sources: one outcome per source, in order."""
    with _worker_side(settings, in_worker=cleaner is None) as beacon:
        cleaner = cleaner or worker_cleaner(settings.model, settings.models_dir)
        pages = (_read_timed(source, settings, beacon, number, index)
                 for index, source in enumerate(chunk))
        results = cleaner.clean_many(pages, keep=settings.keep, favor=settings.favor,
                                     min_p=settings.min_p)
        return [outcome_of(str(source.relative), result, settings.keep,
                           record=settings.records, with_lines=settings.with_lines)
                for source, result in zip(chunk, results, strict=True)]


def classify_chunk(settings: Settings, chunk: list[Source], cleaner: Cleaner | None = None,
                   number: int = 0) -> list[Classified]:
    """Read and classify a chunk of sources, keeping of each page what writing it needs
    once its site's template lines are known, and its sketch (site stats in one pass)."""
    with _worker_side(settings, in_worker=cleaner is None) as beacon:
        cleaner = cleaner or worker_cleaner(settings.model, settings.models_dir)
        pages = [_read_timed(source, settings, beacon, number, index)
                 for index, source in enumerate(chunk)]
        sketches = [_sketch(page) if isinstance(page, Page) else None for page in pages]
        classified = cleaner.probabilities_many(pages)
        return [Classified.of(source, item, sketch) for source, item, sketch in
                zip(chunk, classified, sketches, strict=True)]


@contextlib.contextmanager
def _worker_side(settings: Settings, *, in_worker: bool) -> Iterator[Beacon | None]:
    """In a worker, the chunk's setting: exit with the main process if it dies, and
    the beacon the worker notes its pages in, marked idle when the chunk is done."""
    if not in_worker:
        yield None
        return
    _exit_with_parent()
    _deaf_to_ctrl_c()
    beacon = Beacon.of(settings.beacons) if settings.beacons else None
    yield beacon
    if beacon is not None:
        beacon.idle()


def _sketch(page: Page) -> PageSketch | None:
    try:
        return sketch_page(page)
    except Exception:  # a bug a page brings out must not stop the batch
        log.debug("sketching %s failed", page.source, exc_info=True)
        return None


def chunked(sources: Iterable[Source], pages: int = CHUNK_PAGES) -> Iterator[list[Source]]:
    """Sources in chunks of `pages`, and of at most about CHUNK_BYTES of read records."""
    return batched(sources, max_items=pages, weight=_read_size, max_weight=CHUNK_BYTES)


def _read_size(source: Source) -> int:
    return len(source.content) if source.content is not None else 0


def cleaned_chunks(chunks: Iterable[list[Source]], settings: Settings, *, jobs: int,
                   cleaner: Cleaner | None = None) -> Iterator[list[Outcome]]:
    """Outcomes chunk by chunk, in input order, on `jobs` processes (no site stats)."""
    return _chunk_tasks(clean_chunk, chunks, settings, jobs, cleaner)


def classified_chunks(chunks: Iterable[list[Source]], settings: Settings, *, jobs: int,
                      cleaner: Cleaner | None = None) -> Iterator[list[Classified]]:
    """Site stats in one pass: every page classified, chunk by chunk, in input order."""
    return _chunk_tasks(classify_chunk, chunks, settings, jobs, cleaner)


def _chunk_tasks(task: Callable, chunks: Iterable[list[Source]], settings: Settings,
                 jobs: int, cleaner: Cleaner | None) -> Iterator[list]:
    """`task(settings, chunk, cleaner, number)` for every chunk, results in order: in this
    process with `cleaner` (loaded on first use), or on `jobs` workers, which load
    their own."""

    def here(settings: Settings, number: int, chunk: list[Source]) -> list:
        nonlocal cleaner
        cleaner = cleaner or worker_cleaner(settings.model, settings.models_dir)
        return task(settings, chunk, cleaner, number)

    def in_worker(settings: Settings, number: int, chunk: list[Source]):
        from joblib import delayed

        return delayed(task)(settings, chunk, None, number)

    return _chunk_results(enumerate(chunks), settings, jobs, here, in_worker)


def _chunk_results(chunks: Iterator[NumberedChunk], settings: Settings, jobs: int,
                   here: Callable, in_worker: Callable) -> Iterator[list]:
    """`here(settings, number, chunk)` for every chunk in this process, or the joblib
    task `in_worker(settings, number, chunk)` on `jobs` workers: results in order."""
    head = list(itertools.islice(chunks, 2))
    chunks = itertools.chain(head, chunks)
    # One worker rather than the main process when jobs is 1: only a worker can be
    # stopped in the middle of a page that never ends.
    if len(head) < 2 or (jobs <= 1 and not settings.page_timeout):
        for number, chunk in chunks:
            yield here(settings, number, chunk)
        return
    from cleaner.batch.pool import results_on_workers  # a pool only when there is work for it

    yield from results_on_workers(chunks, settings, max(jobs, 1), in_worker)
