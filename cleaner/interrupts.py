"""Ctrl-C on the command line: exit status 130, never a traceback.

A Ctrl-C can come at any moment, and each moment has its own answer:

- Before a command runs (Python's imports, the command line's parsing), there is
  nothing to keep: SIGINT ends the process at once (`exit_at_once`), where
  Python would print the traceback of whatever import it was in.
- While a command runs (`interruptible`), SIGINT raises KeyboardInterrupt, once:
  a batch then stops its workers, keeps its journal and output for a rerun and
  says so in one line. A second Ctrl-C while it stops ends the process at once.
- After it (the interpreter's teardown, which stops loky's workers and frees
  their semaphores), SIGINT lets the teardown finish, then the process exits
  with 130: ending it at once would leave the semaphores to loky's resource
  tracker, which warns about them. A second Ctrl-C ends it at once.
- A KeyboardInterrupt that lands in a finalizer (a `__del__`, a weakref
  callback), which Python reports as "Exception ignored" and then drops, is
  raised again in ordinary code, so that the run still stops.

Worker processes are started with SIGINT ignored (cleaner/batch/pool.py): the
Ctrl-C a terminal sends to the whole process group reaches the main process
only, which stops them.

Only the command line installs these handlers (cleaner/__main__.py,
cleaner/cli/): a library call leaves SIGINT to its caller. This module
imports nothing heavy, so that it is in place before the rest is imported.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
from collections.abc import Iterator

EXIT_INTERRUPTED = 130  # what shells report for a command stopped by Ctrl-C

_late = {"interrupted": False, "registered": False}


def _exit_now(signum=None, frame=None) -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe, a stream already gone
            stream.flush()
    os._exit(EXIT_INTERRUPTED)


def exit_at_once() -> None:
    """From now on a Ctrl-C ends the process at once, quietly, with status 130. Called
    first thing, it also registers the exit handler of a Ctrl-C in the teardown first,
    so that it runs last: after multiprocessing's, which frees loky's semaphores."""
    _register_exit_handler()
    signal.signal(signal.SIGINT, _exit_now)


def _register_exit_handler() -> None:
    if not _late["registered"]:
        atexit.register(_exit_if_interrupted)
        _late["registered"] = True


def _raise_once(signum, frame) -> None:
    signal.signal(signal.SIGINT, _exit_now)  # a second Ctrl-C while stopping: stop now
    raise KeyboardInterrupt


def _after_teardown(signum, frame) -> None:
    _late["interrupted"] = True
    signal.signal(signal.SIGINT, _exit_now)


def _exit_if_interrupted() -> None:
    """The last exit handler (registered first): 130 after a Ctrl-C in the teardown."""
    if _late["interrupted"]:
        _exit_now()


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """A Ctrl-C in here raises KeyboardInterrupt (once); after it, a Ctrl-C lets the
    interpreter's teardown finish and then exits with 130."""
    _register_exit_handler()
    previous_hook = sys.unraisablehook

    def unraisable(report) -> None:
        if isinstance(report.exc_value, KeyboardInterrupt):
            # Swallowed in a finalizer: raise it again where it can stop the run.
            signal.signal(signal.SIGINT, _raise_once)
            signal.raise_signal(signal.SIGINT)
            return
        previous_hook(report)

    sys.unraisablehook = unraisable
    signal.signal(signal.SIGINT, _raise_once)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, _after_teardown)
        sys.unraisablehook = previous_hook
