"""A pool of worker processes that survives the death of a worker.

`results_on_workers` runs joblib tasks, one per chunk of pages, on `jobs` loky
workers and gives their results in order. A `Watchdog` thread (see
cleaner/batch/watchdog.py) kills a worker whose page is over its time budget; a
worker that dies, killed or on its own, breaks the pool, which is then
started again and the chunks that were in flight are handed out again
(`Dispatch`), one at a time when no beacon says which page killed it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import shutil
import signal
import tempfile
import threading
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from cleaner.batch.watchdog import Blame, NumberedChunk, Watchdog

# Chunks handed out ahead of the one being written, per worker: keeps workers
# busy while memory stays flat however long the batch is.
CHUNKS_AHEAD_PER_JOB = 2


def results_on_workers(chunks: Iterator[NumberedChunk], settings, jobs: int,
                       task: Callable) -> Iterator[list]:
    """`task(settings, number, chunk)` (a joblib `delayed` call) of every chunk on
    `jobs` workers, results in order. `settings` (cleaner.batch.workers.Settings) gets
    the beacon folder the workers note their pages in."""
    _tune_worker_malloc()
    with _beacon_folder() as beacons:
        settings = dataclasses.replace(settings, beacons=str(beacons))
        watchdog = Watchdog(beacons, settings.page_timeout)
        try:
            yield from _in_workers(chunks, settings, jobs, watchdog, task)
        finally:
            watchdog.stop()


# glibc malloc settings for the workers (they read them from the environment at
# start). A batch's numpy temporaries are arrays of 100 KB to 20 MB: with
# glibc's defaults each freed one goes back to the kernel (unmapped, or trimmed
# off the heap) and the next is page-faulted in again. On 10,000 seed dumps
# with --jobs 2 that was 715,000 page faults; with these, 247,000, and 16% less
# CPU time. Settings a user exported are kept.
WORKER_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(32 * 1024 * 1024),
                 "MALLOC_TRIM_THRESHOLD_": str(128 * 1024 * 1024)}


def _tune_worker_malloc() -> None:
    for name, value in WORKER_MALLOC.items():
        os.environ.setdefault(name, value)


BEACONS_PREFIX = "cleaner-beacons-"


@contextlib.contextmanager
def _beacon_folder() -> Iterator[Path]:
    """A new folder for the workers' beacons, removed at the end of the run, and
    the folders of runs killed before they could remove theirs."""
    _remove_stale_beacon_folders()
    folder = Path(tempfile.mkdtemp(prefix=f"{BEACONS_PREFIX}{os.getpid()}-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _remove_stale_beacon_folders() -> None:
    """Beacon folders whose run (named by its pid) is gone: killed with kill -9."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(tempfile.gettempdir()):
            pid = entry.name.removeprefix(BEACONS_PREFIX).split("-")[0]
            if entry.name.startswith(BEACONS_PREFIX) and pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(entry.path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def _in_workers(chunks: Iterator[NumberedChunk], settings, jobs: int,
                watchdog: Watchdog, task: Callable) -> Iterator[list]:
    """Outcomes of the chunks on a pool of workers, started again whenever a worker dies.

    After a death that no beacon explains (several workers were busy, any of them
    may have died first), the chunks that were in flight are cleaned again one
    at a time, so that a second death names its page.
    """
    redo: list[NumberedChunk] = []
    careful = False
    blame = Blame(watchdog, settings.page_timeout)
    while True:
        dispatch = Dispatch(redo, None if careful else chunks)
        with workers_deaf_to_ctrl_c():  # the workers start here
            results = _pool(jobs, careful)(dispatch.tasks(settings, task))
        try:
            for outcomes in results:
                dispatch.done()
                blame.progress()
                yield outcomes
        except BrokenProcessPool as error:
            redo, explained = blame.after_death(dispatch.stop(), error, one_at_a_time=careful)
            careful = careful or not explained
            continue
        finally:
            _stop_quietly(results)
        if not careful:
            return
        redo, careful = [], False  # the chunks in doubt are done: full speed again


def _pool(jobs: int, one_at_a_time: bool):
    from joblib import Parallel

    if jobs == 1:  # joblib would run the tasks in this process
        return functools.partial(_on_one_worker, ahead=1 if one_at_a_time else CHUNKS_AHEAD_PER_JOB)
    if one_at_a_time:  # one chunk dispatched at a time: one busy worker
        return Parallel(n_jobs=jobs, return_as="generator", pre_dispatch="1", batch_size=1)
    return Parallel(n_jobs=jobs, return_as="generator",
                    pre_dispatch=f"{CHUNKS_AHEAD_PER_JOB}*n_jobs")


@contextlib.contextmanager
def workers_deaf_to_ctrl_c() -> Iterator[None]:
    """Worker processes started in here ignore SIGINT from birth.

    A terminal's Ctrl-C goes to the whole process group: loky's workers would each
    raise KeyboardInterrupt wherever they are (importing, reading a page, waiting
    for a task) and print its traceback, while the main process stops them anyway.
    An ignored signal stays ignored through fork and exec, and Python then leaves
    it so: SIGINT is ignored around each start of a worker (loky's fork_exec, a few
    milliseconds), in the main thread, which alone may set a handler. A Ctrl-C in
    those milliseconds is lost; the next one stops the run. Workers started from
    another thread ignore SIGINT from their first task on (workers.py).
    """
    try:
        from joblib.externals.loky.backend import fork_exec as loky_spawn
    except ImportError:  # another joblib: workers ignore it from their first task on
        yield
        return
    start = getattr(loky_spawn, "fork_exec", None)
    if start is None or threading.current_thread() is not threading.main_thread():
        yield
        return

    @functools.wraps(start)
    def start_ignoring_sigint(*args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            return start(*args, **kwargs)
        handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            return start(*args, **kwargs)
        finally:
            signal.signal(signal.SIGINT, handler)

    loky_spawn.fork_exec = start_ignoring_sigint
    try:
        yield
    finally:
        loky_spawn.fork_exec = start


def _stop_quietly(results: Iterator) -> None:
    """Close joblib's generator of results (stopping its workers) without the warning
    it gives when a run stops early: a Ctrl-C or a failed write, each reported."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*tasks which were still being processed",
                                category=UserWarning)
        results.close()


def _on_one_worker(tasks: Iterator, *, ahead: int) -> Iterator[list]:
    """Results of joblib `delayed` tasks, in order, from one loky worker process
    (joblib's own reusable executor, so joblib finds it in order next time), with
    `ahead` tasks handed out at a time; the first ones (and the worker) right away."""
    from joblib.executor import get_memmapping_executor

    executor = get_memmapping_executor(1)
    pending: deque = deque()
    tasks = iter(tasks)

    def hand_out() -> None:
        task = next(tasks, None)
        if task is not None:
            function, args, kwargs = task
            pending.append(executor.submit(function, *args, **kwargs))

    for _ in range(ahead):
        hand_out()
    return _results_in_order(pending, hand_out)


def _results_in_order(pending: deque, hand_out: Callable[[], None]) -> Iterator[list]:
    while pending:
        outcomes = pending.popleft().result()  # raises BrokenProcessPool if it died
        hand_out()
        yield outcomes


class Dispatch:
    """Hands joblib the chunks to clean again, then (unless None) more chunks, and
    keeps those handed out and not yet given back, in order.

    joblib asks for the next task from a thread of its own, even after the pool
    broke: once stopped, no chunk is taken any more, so none is lost.
    """

    def __init__(self, redo: list[NumberedChunk], more: Iterator[NumberedChunk] | None):
        self.redo = deque(redo)
        self.more = more
        self.in_flight: deque[NumberedChunk] = deque()
        self.lock = threading.Lock()
        self.stopped = False

    def tasks(self, settings, task: Callable) -> Iterator:
        """`task(settings, number, chunk)` (a joblib `delayed` call) for every chunk."""
        while True:
            with self.lock:
                item = None if self.stopped else self._next()
                if item is None:
                    return
                self.in_flight.append(item)
            number, chunk = item
            yield task(settings, number, chunk)

    def _next(self) -> NumberedChunk | None:
        if self.redo:
            return self.redo.popleft()
        return next(self.more, None) if self.more is not None else None

    def done(self) -> None:
        with self.lock:
            self.in_flight.popleft()

    def stop(self) -> list[NumberedChunk]:
        """No more tasks; the chunks handed out and not given back, and those still to
        clean again: what to clean again, in order."""
        with self.lock:
            self.stopped = True
            return list(self.in_flight) + list(self.redo)
