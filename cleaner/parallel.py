"""Cleaning a stream of pages on every core, in input order, through joblib.

The main process walks the inputs and writes the output; it sends chunks of
sources to joblib's loky workers, which read, render and classify them and
send back small `Outcome`s (the text, or the JSON line ready to write). A
worker loads the model once, into a module-level cache that outlives its
chunks (loky keeps its workers between tasks), and classifies each chunk's
pages in large batches (`Cleaner.clean_many`). A batch that fits in one chunk
is cleaned in the main process: starting workers would cost more than it saves.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cleaner.clean import Cleaner, error_result
from cleaner.document import Page, PageError, Result
from cleaner.inputs import Source
from cleaner.modelfile import (
    CARD_FILE,
    MODEL_FILE,
    ModelError,
    check_card,
    load_model,
    resolve_model_dir,
)
from cleaner.output import Outcome, outcome_of
from cleaner.readers.pages import DEFAULT_MAX_BYTES, page_from_bytes, page_from_text

# Pages per task sent to a worker: enough that a batch keeps numpy and the trees
# busy and the dispatch cost per page is small, few enough that two workers
# get work early and a resumed run redoes little (checkpoints come per chunk).
CHUNK_PAGES = 100
# ... and at most this many bytes of pages read by containers, to bound memory.
CHUNK_BYTES = 16 * 1024 * 1024
# Chunks handed out ahead of the one being written, per worker: keeps workers
# busy while memory stays flat however long the batch is.
CHUNKS_AHEAD_PER_JOB = 2

# How often a worker checks that the main process is still there.
PARENT_CHECK_SECONDS = 1.0

# per process: (model folder, site models folder) -> loaded Cleaner
_CLEANERS: dict[tuple[str, str | None], Cleaner] = {}


@dataclass(frozen=True)
class Settings:
    """Everything a worker needs to turn sources into outcomes (picklable)."""

    model: str  # a model folder, loaded once per worker
    keep: frozenset[str]
    input_format: str = "auto"
    max_bytes: int = DEFAULT_MAX_BYTES
    records: bool = False  # build JSONL records
    with_lines: bool = False
    models_dir: str | None = None  # site models bound to hosts (clean --models)


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
            from cleaner.routing import routed_cleaner

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


def read_source(source: Source, *, input_format: str = "auto",
                max_bytes: int = DEFAULT_MAX_BYTES) -> Page | Result:
    """The page behind a source, or an error result that names it."""
    if source.error is not None:
        return error_result(source.id, source.source, source.url, source.error)
    page_format = source.kind or input_format  # a container's record says what it holds
    try:
        if isinstance(source.content, str):
            if len(source.content) > max_bytes:
                raise PageError(f"page too large ({len(source.content):,} characters > "
                                f"{max_bytes:,} limit)")
            return page_from_text(source.content, id=source.id, source=source.source,
                                  url=source.url, input_format=page_format)
        return page_from_bytes(source.read_bytes(), id=source.id, source=source.source,
                               url=source.url, input_format=page_format, max_bytes=max_bytes)
    except PageError as error:
        return error_result(source.id, source.source, source.url, str(error))
    except OSError as error:
        return error_result(source.id, source.source, source.url,
                            f"cannot read: {error.strerror or error}")


def clean_chunk(settings: Settings, chunk: list[Source],
                cleaner: Cleaner | None = None) -> list[Outcome]:
    """Read and clean a chunk of sources: one outcome per source, in order."""
    if cleaner is None:  # in a worker
        _exit_with_parent()
        cleaner = worker_cleaner(settings.model, settings.models_dir)
    pages = (read_source(source, input_format=settings.input_format,
                         max_bytes=settings.max_bytes) for source in chunk)
    results = cleaner.clean_many(pages, keep=settings.keep)
    return [outcome_of(source, result, settings.keep, record=settings.records,
                       with_lines=settings.with_lines)
            for source, result in zip(chunk, results, strict=True)]


def chunked(sources: Iterable[Source], pages: int = CHUNK_PAGES,
            max_bytes: int = CHUNK_BYTES) -> Iterator[list[Source]]:
    chunk: list[Source] = []
    size = 0
    for source in sources:
        chunk.append(source)
        size += len(source.content) if source.content is not None else 0
        if len(chunk) >= pages or size >= max_bytes:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def cleaned_chunks(chunks: Iterable[list[Source]], settings: Settings, *, jobs: int,
                   cleaner: Cleaner | None = None) -> Iterator[list[Outcome]]:
    """Outcomes chunk by chunk, in input order, on `jobs` processes."""
    chunks = iter(chunks)
    head = list(itertools.islice(chunks, 2))
    chunks = itertools.chain(head, chunks)
    if jobs <= 1 or len(head) < 2:
        cleaner = cleaner or worker_cleaner(settings.model, settings.models_dir)
        for chunk in chunks:
            yield clean_chunk(settings, chunk, cleaner)
        return
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=jobs, return_as="generator",
                        pre_dispatch=f"{CHUNKS_AHEAD_PER_JOB}*n_jobs")
    yield from parallel(delayed(clean_chunk)(settings, chunk) for chunk in chunks)


def check_model(name: str) -> tuple[Path, str]:
    """The folder and SHA-256 of a model whose card vouches for it, without unpickling it.

    The main process needs no model when workers clean: this fails early, with
    the same message as loading would, and the workers load it.
    """
    folder = resolve_model_dir(name)
    card_path, model_file = folder / CARD_FILE, folder / MODEL_FILE
    if not card_path.is_file() or not model_file.is_file():
        load_model(folder)  # raises the loader's own message for what is missing
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelError(f"{card_path}: unreadable card ({error})") from error
    check_card(card, model_file)
    return folder, card["model_sha256"]
