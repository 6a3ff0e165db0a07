"""Keeping workers from hanging a batch: beacons, a watchdog, and who is to blame.

Each worker notes in a small file of its own which page it is reading since
when (its `Beacon`). A `Watchdog` thread of the main process reads those
notes and kills a worker whose page is over the time budget, from outside:
that works whatever the worker is doing (a regex or C code that holds the
GIL, a parser that never returns), and needs no signal handler, so it works
in threads and in any worker. When the pool breaks, `Blame` says which pages
get an error record: the page a killed worker was reading, or the page (or
chunk) a worker that died on its own was busy with when it was the only busy
worker.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import signal
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from cleaner.readers.sources import Source

log = logging.getLogger(__name__)

# How often the watchdog looks at the workers' beacons (at most; a short page
# timeout is looked at four times within it).
WATCH_SECONDS = 1.0
# Pool restarts in a row that blame no page and clean no chunk before the run
# gives up: workers that die before they read anything (no memory to load the
# model, say) would otherwise be started again forever.
MAX_FRUITLESS_RESTARTS = 3

NumberedChunk = tuple[int, list[Source]]


def timed_out(page_timeout: float) -> str:
    return f"timed out: reading the page took over {page_timeout:g} s (--page-timeout)"


class Beacon:
    """A worker's note, for the watchdog, of the page it is reading and since when.

    One small file per worker, named by its process id, overwritten in place
    with one fixed-size write: "chunk index started", index -1 while it
    classifies and chunk -1 between chunks.
    """

    _open: dict[str, Beacon] = {}  # per process: the beacon of the run it works for

    def __init__(self, folder: str):
        try:
            self.fd = os.open(os.path.join(folder, str(os.getpid())),
                              os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError:  # no room for it: the worker goes on unwatched
            self.fd = os.open(os.devnull, os.O_WRONLY)

    @classmethod
    def of(cls, folder: str) -> Beacon:
        """This worker's beacon for the run whose folder this is (loky keeps workers
        from one run to the next in a process: the last run's beacon is closed)."""
        if folder not in cls._open:
            for old in cls._open.values():
                os.close(old.fd)
            cls._open = {folder: cls(folder)}
        return cls._open[folder]

    def reading(self, chunk: int, index: int) -> None:
        self._write(chunk, index, time.monotonic() if index >= 0 else 0.0)

    def idle(self) -> None:
        self._write(-1, -1, 0.0)

    def _write(self, chunk: int, index: int, started: float) -> None:
        # A full disk must not stop the cleaning: the watchdog then misses this worker.
        with contextlib.suppress(OSError):
            os.pwrite(self.fd, f"{chunk:>12} {index:>8} {started:>20.6f}\n".encode(), 0)


def read_beacons(folder: Path) -> dict[int, tuple[int, int, float]]:
    """{worker pid: (chunk, page index, monotonic start)} of every worker's beacon."""
    found = {}
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return found
    for entry in entries:
        try:
            with open(entry.path, "rb") as handle:
                chunk, index, started = handle.read(64).split()
            found[int(entry.name)] = (int(chunk), int(index), float(started))
        except (OSError, ValueError):  # being written, or not a beacon
            continue
    return found


class Watchdog:
    """A thread of the main process that kills a worker reading one page for longer
    than the page timeout, and remembers which page that was."""

    def __init__(self, folder: Path, page_timeout: float):
        self.folder = folder
        self.page_timeout = page_timeout
        self.killed: dict[tuple[int, int], int] = {}  # (chunk, index) -> pid
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        if page_timeout > 0:
            threading.Thread(target=self._watch, name="page-watchdog", daemon=True).start()

    def _watch(self) -> None:
        interval = max(0.05, min(WATCH_SECONDS, self.page_timeout / 4))
        while not self.stopped.wait(interval):
            now = time.monotonic()
            for pid, (chunk, index, started) in read_beacons(self.folder).items():
                if index >= 0 and now - started > self.page_timeout:
                    self._kill(pid, chunk, index)

    def _kill(self, pid: int, chunk: int, index: int) -> None:
        with self.lock:
            self.killed[(chunk, index)] = pid
        (self.folder / str(pid)).unlink(missing_ok=True)
        if _is_child(pid):
            os.kill(pid, signal.SIGKILL)

    def take(self) -> set[tuple[int, int]]:
        """The pages whose workers were killed since the last call."""
        with self.lock:
            killed, self.killed = set(self.killed), {}
        return killed

    def forget_workers(self) -> None:
        """The pool is gone: its beacons say nothing any more."""
        for entry in list(os.scandir(self.folder)):
            Path(entry.path).unlink(missing_ok=True)

    def stop(self) -> None:
        self.stopped.set()


def _is_child(pid: int) -> bool:
    """Whether `pid` is a child of this process (never kill a stranger that reused
    a dead worker's pid). Without /proc, a beacon's pid is trusted."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except FileNotFoundError:
        return not os.path.isdir("/proc")
    except OSError:
        return False
    fields = stat[stat.rindex(b")") + 2:].split()  # after "pid (name) "
    return int(fields[1]) == os.getpid()


class Blame:
    """Decides, each time the pool breaks, which pages get an error record.

    A worker the watchdog killed was reading a page over its time budget: that
    page gets the error. A worker that died on its own, while it was the only
    busy one, leaves its beacon: the page it was reading gets the error (or, if
    it was classifying, every page of its chunk). Any other death is explained
    by none of the beacons, and blames nothing.
    """

    def __init__(self, watchdog: Watchdog, page_timeout: float) -> None:
        self.watchdog = watchdog
        self.page_timeout = page_timeout
        self.pages: dict[tuple[int, int], str] = {}  # (chunk, index) -> error
        self.chunks: dict[int, str] = {}  # chunk -> error for all of its pages
        self.fruitless = 0  # deaths in a row that blamed nothing

    def progress(self) -> None:
        self.fruitless = 0

    def after_death(self, in_flight: list[NumberedChunk], error: BrokenProcessPool, *,
                    one_at_a_time: bool) -> tuple[list[NumberedChunk], bool]:
        """The chunks to clean again, what is to blame marked as errors, and whether
        the death was explained."""
        killed = self.watchdog.take()
        beacons = read_beacons(self.watchdog.folder)
        self.watchdog.forget_workers()
        blamed = len(self.pages) + len(self.chunks)
        for page in killed:
            self.pages[page] = timed_out(self.page_timeout)
        busy = [(chunk, index) for chunk, index, _ in beacons.values() if chunk >= 0]
        if not killed and one_at_a_time:
            for chunk, index in busy:
                self._died(chunk, index)
        why = str(error).strip().splitlines()[0] if str(error).strip() else "no reason given"
        if len(self.pages) + len(self.chunks) == blamed:
            self.fruitless += 1
            if self.fruitless > MAX_FRUITLESS_RESTARTS:
                raise WorkersFailed(f"worker processes keep dying ({why})") from error
        log.info("a worker died (%s); cleaning %d chunks again", why, len(in_flight))
        redo = [(number, self._marked(number, chunk)) for number, chunk in in_flight]
        return redo, bool(killed) or (one_at_a_time and bool(busy))

    def _died(self, chunk: int, index: int) -> None:
        if index >= 0:
            self.pages[(chunk, index)] = "a worker process died reading this page"
        else:
            self.chunks[chunk] = "a worker process died classifying this page's chunk"

    def _marked(self, number: int, chunk: list[Source]) -> list[Source]:
        return [dataclasses.replace(source, content=None, error=reason)
                if (reason := self.chunks.get(number) or self.pages.get((number, index)))
                else source
                for index, source in enumerate(chunk)]


class WorkersFailed(RuntimeError):
    """Worker processes die before they clean anything; the message says how."""
