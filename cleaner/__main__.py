"""`python -m cleaner` runs the command line."""

from cleaner.cli import run_app

run_app()
