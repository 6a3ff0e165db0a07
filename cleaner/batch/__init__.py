"""Runs over many pages: what `cleaner clean` does, as one library call.

    from cleaner.batch import BatchOptions, run
    summary = run(["crawl/"], "out.jsonl", BatchOptions(format="jsonl", jobs=2))

runner.py (the run), options.py (`BatchOptions`), summary.py, workers.py (chunks
on a pool of processes), pool.py and watchdog.py (workers that hang or die),
journal.py (resume), site_pass.py (site stats in one pass), sinks.py (where
outcomes go), progress.py, faults.py (the kill tests' seam).
"""

from cleaner.batch.options import BatchOptions
from cleaner.batch.runner import run
from cleaner.batch.summary import Summary

__all__ = ["BatchOptions", "Summary", "run"]
