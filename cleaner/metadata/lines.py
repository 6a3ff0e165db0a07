"""What the page's own lines say: its headline, its byline, its dateline.

An HTML page's lines are searched when it is read, with their DOM cues: <h1>
lines are headline candidates, short lines in an element named byline or author
(or starting "By") byline candidates, short lines in a <time> element or one
named date dateline candidates. Which headline counts is known only once the
lines are labelled (the one the classifier kept), so the candidates are kept as
line indices (`StatedMetadata`). A text dump has no cues: its headline is its
first kept line when that reads as one, and its byline and dateline are short
lines around it that say "By ..." or hold a date.
"""

from __future__ import annotations

from collections.abc import Sequence

from cleaner.document import DomCues
from cleaner.metadata.authors import OPENS_BYLINE, byline_author
from cleaner.metadata.dates import iso_day

BYLINE_TOKENS = frozenset({"byline", "author"})
# A line in one of these is the site's chrome, whatever its classes say.
CHROME_INSIDE = frozenset({"nav", "footer", "aside", "form", "button", "select"})
# A byline or dateline is this near its headline (or first kept line): a few lines
# after it, or just before it (a kicker, a dateline over the headline).
LINES_AFTER = 30
LINES_BEFORE = 5
MAX_DATELINE_WORDS = 12  # "Published 3 March 2025, updated 4 March 2025 at 10:15 GMT"
MAX_CANDIDATES = 10  # of each kind per page: the ones near the top are the page's own
# A text dump's byline and dateline are within this many lines of its headline.
DUMP_WINDOW = 8
MAX_HEADLINE_WORDS = 30
MIN_HEADLINE_LETTERS = 8


def html_line_facts(lines: Sequence[str], cues: Sequence[DomCues | None]
                    ) -> tuple[tuple[int, ...], tuple[tuple[int, str], ...],
                               tuple[tuple[int, str], ...]]:
    """(headline lines, (line, names) of bylines, (line, day) of datelines) of a page."""
    headlines: list[int] = []
    bylines: list[tuple[int, str]] = []
    datelines: list[tuple[int, str]] = []
    opens_byline = OPENS_BYLINE.match  # most lines: this one match and nothing more
    for index, cue in enumerate(cues):
        if cue is None:
            continue
        if cue.heading == 1:
            if len(headlines) < MAX_CANDIDATES:
                headlines.append(index)
            continue
        tokens = cue.tokens
        if len(bylines) < MAX_CANDIDATES:
            named = not tokens.isdisjoint(BYLINE_TOKENS) and cue.inside.isdisjoint(CHROME_INSIDE)
            if (named or opens_byline(lines[index])) and (
                    names := byline_author(lines[index], named=named)):
                bylines.append((index, names))
        if len(datelines) < MAX_CANDIDATES and (
                cue.tag == "time" or "date" in tokens or "time" in cue.inside):
            day = _dateline_day(lines[index])
            if day:
                datelines.append((index, day))
    return tuple(headlines), tuple(bylines), tuple(datelines)


def _dateline_day(line: str) -> str | None:
    return iso_day(line) if len(line.split()) <= MAX_DATELINE_WORDS else None


def kept_headline(lines: Sequence[str], labels: Sequence[str | None], keep: frozenset[str],
                  headlines: Sequence[int]) -> tuple[int, str] | None:
    """The first headline line the classifier kept, with its index."""
    for index in headlines:
        if labels[index] in keep:
            return index, " ".join(lines[index].split())
    return None


def dump_headline(lines: Sequence[str], labels: Sequence[str | None],
                  keep: frozenset[str]) -> tuple[int, str] | None:
    """A text dump's headline: its first kept line, when it reads as a headline (short,
    not a list item, not a sentence that ends in a full stop)."""
    for index, label in enumerate(labels):
        if label in keep:
            line = " ".join(lines[index].split())
            if _reads_as_headline(line):
                return index, line
            return None
    return None


def _reads_as_headline(line: str) -> bool:
    return (len(line.split()) <= MAX_HEADLINE_WORDS and not line.startswith("•")
            and not line.endswith((".", ",", ";", ":"))
            and sum(ch.isalpha() for ch in line) >= MIN_HEADLINE_LETTERS)


def dump_line_facts(lines: Sequence[str], near: int
                    ) -> tuple[tuple[tuple[int, str], ...], tuple[tuple[int, str], ...]]:
    """(line, names) of bylines and (line, day) of datelines in a text dump, among the
    lines within DUMP_WINDOW of line `near` (its headline or first kept line)."""
    bylines, datelines = [], []
    for index in range(max(0, near - DUMP_WINDOW), min(len(lines), near + DUMP_WINDOW + 1)):
        line = lines[index]
        if names := byline_author(line):
            bylines.append((index, names))
        elif day := _dateline_day(line):
            datelines.append((index, day))
    return tuple(bylines), tuple(datelines)


def near(found: Sequence[tuple[int, str]], start: int) -> str | None:
    """The value of the first candidate within LINES_AFTER after line `start`, else of the
    last one within LINES_BEFORE before it; None if none is that near."""
    before = None
    for index, value in found:
        if start <= index <= start + LINES_AFTER:
            return value
        if start - LINES_BEFORE <= index < start:
            before = value
    return before
