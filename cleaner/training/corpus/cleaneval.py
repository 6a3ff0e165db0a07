"""CleanEval: gold text is the page's main text, after a `URL:` line, with
each block opened by a <p>, <h> or <l> marker. Body only."""

from __future__ import annotations

import re

from cleaner.readers.decode import decode_bytes

URL_HEADER = re.compile(r"\A\s*URL:[ \t]*(?:\S+[ \t]*)?\r?\n(?:[ \t]*(?:https?|ftp)://\S*\s*\n)?")
BLOCK_MARKER = re.compile(r"<[phl]>", re.I)


def gold_text(text: str) -> str:
    """The gold without its URL line(s) and block markers."""
    return BLOCK_MARKER.sub(" ", URL_HEADER.sub("", text, count=1))


def gold_parts(gold: bytes) -> list[tuple[str, str]]:
    return [("body", gold_text(decode_bytes(gold)[0]))]
