"""Per-line features of a batch of pages, as one float32 matrix (see text.py)."""
