"""A cleaning run: inputs in, one outcome per page written in input order, a summary.

    inputs ─► sources ─► chunks ─► workers (read, render, classify) ─► outcomes ─► sink
                                                                            └► journal (resume)

`run(inputs, output, options)` is what `cleaner clean` does. With site stats,
every page is classified first and kept (on disk) with a sketch of its lines;
once all are in, each site's recurring lines (cleaner/site_stats.py) are barred
from body as the pages are written (batch/site_pass.py). Writing to a file or folder,
a run keeps a journal beside its output; the same call after an interruption
resumes where it stopped (batch/journal.py).
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from cleaner import __version__
from cleaner.batch import faults as fault_seam
from cleaner.batch.journal import Checkpoint, Journal, fingerprint, resume
from cleaner.batch.options import CHUNK_PAGES, BatchOptions
from cleaner.batch.progress import PageCount, Progress
from cleaner.batch.sinks import Outcome, OutputError, Sink, open_sink
from cleaner.batch.site_pass import collect, outcomes_after
from cleaner.batch.summary import Summary
from cleaner.batch.workers import (
    Settings,
    all_cores,
    chunked,
    classified_chunks,
    cleaned_chunks,
)
from cleaner.clean import Cleaner
from cleaner.favor import BALANCED, Decision, model_decision
from cleaner.model.files import ModelError, read_card, resolve_model_dir, verified_model_dir
from cleaner.readers.sources import (
    STDIN,
    InputOptions,
    Source,
    check_found,
    check_inputs,
    container_kind,
    iter_sources,
)

__all__ = ["BatchOptions", "Summary", "run"]


def run(inputs: Sequence[str | os.PathLike], output: str | os.PathLike | None = None,
        options: BatchOptions | None = None) -> Summary:
    """Clean every page of `inputs` (files, folders, JSONL/WARC/WET files, "-" for
    stdin) into `output`: a folder of text files, a JSONL file (`format="jsonl"`),
    or stdout (None). Raises InputError, ModelError or OutputError before any work
    when the run cannot start; a page that fails gives an error outcome instead.
    """
    options = options or BatchOptions()
    inputs = [str(spec) for spec in inputs]
    out = Path(output) if output is not None else None
    check_inputs(inputs)
    model_dir, model_sha = verified_model_dir(options.model)
    run_decision(str(model_dir), options.favor, options.min_p)  # fails before any work
    site_models = _site_models(options.models)
    faults = options.faults or fault_seam.active
    sink = open_sink(out, options.format, options.lines, faults, options.with_metadata,
                     one_page=_one_page(inputs))
    reading = InputOptions(globs=options.globs, fields=options.fields,
                           exclude=_own_output(sink, out), max_bytes=options.max_bytes)
    check_found(inputs, reading)
    settings = _settings(options, str(model_dir), sink, faults)
    with_site_stats = options.site_stats and STDIN not in inputs  # stdin cannot be read twice
    journal, resumed, pending = _resume_point(
        sink, lambda: iter_sources(inputs, _fresh(reading)), options,
        _run_fingerprint(inputs, options, reading, model_sha, site_models, with_site_stats))
    # With site stats every source is cleaned again from the first (the summary counts
    # their skipped records), and the pages before the checkpoint are not written again.
    site_sources = iter_sources(inputs, _fresh(reading)) if with_site_stats else None
    return clean_sources(pending, sink, settings, jobs=options.jobs or all_cores(),
                         journal=journal, resumed=resumed, skipped=reading.skipped,
                         on_error=options.on_error, progress=options.progress,
                         chunk_pages=options.chunk, site_sources=site_sources,
                         page_count=_page_count(inputs, reading) if options.progress else None)


def run_decision(model: str, favor: str, min_p: float | None) -> Decision:
    """How a run's probabilities become labels (favor.py); a favor the model has no
    weights for raises FavorError. The main process writes the pages after site stats,
    and reads only the model's card for it."""
    if favor == BALANCED:
        return Decision({}, min_p)
    folder = resolve_model_dir(model)
    return model_decision(read_card(folder), folder, favor, min_p)


def _page_count(inputs: list[str], reading: InputOptions) -> PageCount | None:
    """The pages of the inputs, counted beside the run for the progress bar's total
    (not standard input: it can be read once only)."""
    if STDIN in inputs:
        return None
    counting = dataclasses.replace(reading, skipped=Counter())
    return PageCount(lambda: iter_sources(inputs, counting))


def _settings(options: BatchOptions, model_dir: str, sink: Sink,
              faults: fault_seam.Faults) -> Settings:
    return Settings(model=model_dir, keep=options.keep, favor=options.favor,
                    min_p=options.min_p, input_format=options.input_format,
                    max_bytes=options.max_bytes, max_lines=options.max_lines,
                    page_timeout=options.page_timeout, records=sink.needs_records,
                    with_lines=sink.with_lines, faults=faults,
                    models_dir=str(options.models) if options.models else None,
                    markdown=options.reads_markdown, links=options.links)


def _fresh(reading: InputOptions) -> InputOptions:
    """The same reading options, counting skipped records from zero (a resumed run
    walks its inputs again)."""
    reading.skipped.clear()
    return reading


def _run_fingerprint(inputs: list[str], options: BatchOptions, reading: InputOptions,
                     model_sha: str, site_models: dict[str, str], site_stats: bool) -> str:
    # page_timeout is left out: it changes only pages whose reading is too slow, and
    # a run stopped to give slow pages more time should still resume.
    return fingerprint({
        "cleaner": __version__,
        "inputs": [i if i == STDIN else str(Path(i).resolve()) for i in inputs],
        "fields": reading.fields, "globs": reading.globs, "format": options.format,
        "lines": options.lines, "with_metadata": options.with_metadata,
        "keep": sorted(options.keep), "favor": options.favor, "min_p": options.min_p,
        "input_format": options.input_format, "max_bytes": options.max_bytes,
        "max_lines": options.max_lines, "model": model_sha, "site_models": site_models,
        "site_stats": site_stats,
        # only when asked, so that the runs before markdown existed still resume
        **({"markdown": True, "links": options.links} if options.reads_markdown else {})})


def _resume_point(sink: Sink, make_sources: Callable[[], Iterator[Source]],
                  options: BatchOptions, run_fingerprint: str):
    """The journal, the checkpoint to resume from (or None) and the sources still to do."""
    if sink.journal_path is None:  # stdout: nothing to resume
        return None, None, make_sources()
    journal = Journal(sink.journal_path, run_fingerprint)
    if not options.resume:
        return journal, None, make_sources()
    pending, resumed = resume(journal, sink, make_sources)
    if resumed is not None and resumed.pages and options.on_resume is not None:
        options.on_resume(resumed.pages, sink.journal_path)
    return journal, resumed, pending


def _site_models(models: str | os.PathLike | None) -> dict[str, str]:
    """{site model folder: its file's SHA-256} of `models`; fails early on a bad one."""
    if models is None:
        return {}
    from cleaner.model.routing import bound_cards

    bound = bound_cards(models)
    if not bound:
        raise ModelError(f"{models}: no model there names the hosts it is for "
                         "(cleaner train --base default --hosts HOST ...)")
    return {str(path): card.get("model_sha256", "") for path, card in bound.items()}


def _own_output(sink: Sink, output: Path | None) -> frozenset[str]:
    if output is None:
        return frozenset()
    paths = [output] + ([sink.journal_path] if sink.journal_path is not None else [])
    return frozenset(os.path.abspath(path) for path in paths)


def _one_page(inputs: list[str]) -> bool:
    """Whether the inputs are a single page: one page file, or standard input."""
    if len(inputs) != 1:
        return False
    path = Path(inputs[0])
    return inputs[0] == STDIN or (not path.is_dir() and container_kind(path.name) is None)


def journal_path(output: str | os.PathLike | None, output_format: str) -> Path | None:
    """Where a run to `output` keeps its journal (None for stdout or a single file,
    which it writes at once): a rerun resumes from it."""
    if output is None:
        return None
    try:
        return open_sink(Path(output), output_format, lines=False, one_page=True).journal_path
    except OutputError:  # an output no run could write: no journal either
        return None


def clean_sources(sources: Iterable[Source], sink: Sink, settings: Settings, *, jobs: int = 1,
                  journal: Journal | None = None, resumed: Checkpoint | None = None,
                  skipped: Counter | None = None,
                  on_error: Callable[[Outcome], None] | None = None, progress: bool = False,
                  chunk_pages: int = CHUNK_PAGES, site_sources: Iterable[Source] | None = None,
                  cleaner: Cleaner | None = None, page_count: PageCount | None = None) -> Summary:
    """Clean `sources` into `sink`, in chunks, on `jobs` processes (or with `cleaner`
    in this one). With a journal, a checkpoint follows every chunk written; an
    exception or Ctrl-C leaves the output and journal for a rerun to resume.
    `site_sources`, every source of the batch from the first (a resumed run's done
    pages included), turns on site stats: then they are cleaned in place of `sources`,
    and the pages before the checkpoint are left out when written. `page_count` gives
    the progress bar its total."""
    summary = Summary.after(resumed, skipped)
    writing = _Writing(sink, summary, journal, resumed, on_error)
    if site_sources is not None:
        site_sources = iter(site_sources)
        head = list(itertools.islice(site_sources, 2))
        if len(head) == 2:
            bar = Progress(progress, description="cleaning", count=page_count)
            return _with_site_stats(itertools.chain(head, site_sources), writing, settings,
                                    jobs=jobs, bar=bar, chunk_pages=chunk_pages,
                                    cleaner=cleaner)
        sources = head[summary.pages:]  # a single page has no template lines to find
    chunks = cleaned_chunks(chunked(sources, chunk_pages), settings, jobs=jobs, cleaner=cleaner)
    return writing.all(chunks, Progress(progress, initial=summary.pages, count=page_count))


def _with_site_stats(sources: Iterable[Source], writing: _Writing, settings: Settings, *,
                     jobs: int, bar: Progress, chunk_pages: int,
                     cleaner: Cleaner | None) -> Summary:
    """Classify every page once (batch/site_pass.py), then write them with their sites'
    template lines barred from body; the output is touched only once all are in."""
    failed = [0]

    def shown(chunk: list) -> None:
        failed[0] += _failed(chunk)
        bar.update(len(chunk), failed[0])

    try:
        sites, spill = collect(classified_chunks(chunked(sources, chunk_pages), settings,
                                                 jobs=jobs, cleaner=cleaner),
                               on_chunk=shown, folder=writing.sink.nearest_folder())
    finally:
        bar.close()
    try:
        decision = run_decision(settings.model, settings.favor, settings.min_p)
        return writing.all(outcomes_after(spill, sites, writing.summary.pages, settings.keep,
                                          record=settings.records,
                                          with_lines=settings.with_lines, decision=decision),
                           Progress(False))
    finally:
        spill.close()


def _failed(chunk: list) -> int:
    """Pages of a classified chunk that could not be read or classified."""
    return sum(classified.failed is not None for classified in chunk)


class _Writing:
    """Outcomes into the sink in input order, the summary counted, a checkpoint per chunk."""

    def __init__(self, sink: Sink, summary: Summary, journal: Journal | None,
                 resumed: Checkpoint | None, on_error: Callable[[Outcome], None] | None):
        self.sink, self.summary, self.journal = sink, summary, journal
        self.resumed, self.on_error = resumed, on_error

    def all(self, chunks: Iterable[list[Outcome]], bar: Progress) -> Summary:
        sink, journal, summary = self.sink, self.journal, self.summary
        sink.start(self.resumed)
        if journal is not None:
            journal.begin(self.resumed)
        try:
            for outcomes in chunks:
                _write(outcomes, sink, summary, self.on_error, bar)
                if journal is not None:
                    journal.commit(summary.checkpoint(sink.position(), outcomes[-1].source))
                bar.update(len(outcomes), summary.errors)
        except BaseException:
            _stopped(bar, sink, journal)
            raise
        bar.close()
        sink.finish()
        if journal is not None:
            journal.finish()
        return summary


def _stopped(bar: Progress, sink: Sink, journal: Journal | None) -> None:
    """The run stops early: keep what is written, and the journal, for a rerun."""
    bar.close()
    sink.abort()
    if journal is not None:
        journal.close()


def _write(outcomes: list[Outcome], sink: Sink, summary: Summary,
           on_error: Callable[[Outcome], None] | None, bar: Progress) -> None:
    for outcome in outcomes:
        sink.write(outcome)
        summary.add(outcome)
        if outcome.error is not None and on_error is not None:
            with bar.hidden():
                on_error(outcome)
