"""Runs over many pages: what `cleaner clean` does, as a library call."""
