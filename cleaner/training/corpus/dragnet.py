"""dragnet: gold text is the article, then (on about 1 page in 3) a separator
line and the comments. Lines of the page are labelled by alignment (align.py)."""

from __future__ import annotations

import re

from cleaner.readers.decode import decode_bytes

# The separator: a run of the symbols !@#$%^&*() (typed by hand, so with
# dropped, doubled and swapped symbols and stray spaces and tabs) and the word
# COMMENTS, alone on its line. Four symbols at least, so that a heading
# "COMMENTS" quoted from a page is not taken for it.
SEPARATOR = re.compile(r"^[ \t]*[!@#$%^&*()][!@#$%^&*() \t]{3,}COMMENTS[ \t]*\r?$", re.M)


def split_gold(text: str) -> tuple[str, str]:
    """(article text, comment text); the comment text is empty without a separator."""
    match = SEPARATOR.search(text)
    if not match:
        return text, ""
    return text[: match.start()], text[match.end() :]


def gold_parts(gold: bytes) -> list[tuple[str, str]]:
    body, comments = split_gold(decode_bytes(gold)[0])
    return [("body", body), ("comment", comments)]
