"""The `cleaner` command: Typer commands over the library, nothing more.

Each command parses its options, makes one library call and chooses the exit
status: 0 when every page was cleaned, 1 when some pages failed (each has an
error line on stderr and an error record in JSONL output), 2 for bad usage or
when the run cannot start (missing input, model that will not load).

One module per command (clean.py, spark.py, show.py, lines.py, label.py,
review.py, train.py, eval.py); base.py holds the app and its entry point, options.py the
options several commands share, common.py the exit statuses and helpers.
Importing this package registers every command, in the order `cleaner --help`
lists them.
"""

from cleaner.cli import clean, spark, show, lines, label, review, train, eval  # noqa: F401, I001 (order of --help)
from cleaner.cli.base import Command, app, command_example, run_app, state
from cleaner.cli.common import EXIT_INTERRUPTED, EXIT_OK, EXIT_PAGES_FAILED, EXIT_USAGE

__all__ = ["EXIT_INTERRUPTED", "EXIT_OK", "EXIT_PAGES_FAILED", "EXIT_USAGE", "Command", "app",
           "command_example", "run_app", "state"]
