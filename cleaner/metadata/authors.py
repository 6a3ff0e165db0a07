"""Author names: cleaned from what tags state, and read from byline lines.

A tag's author is often not a name: `article:author` holds a profile URL, `author`
an e-mail address or a CMS login (`andrew.keaveney`), JSON-LD a leading "By ".
A byline line states the name for people: "By Jane Doe | March 3, 2025", "Written
by Jane Doe and John Roe", or the bare name in an element named author or byline.
A name here is a run of capitalised words (particles such as "van" or "de"
allowed), several names joined by commas or "and".
"""

from __future__ import annotations

import re

MAX_AUTHOR_CHARS = 120
MAX_NAME_WORDS = 5
MAX_NAMES = 6
# A line is read as a byline only when it is short: a sentence that starts "By ..."
# is body text.
MAX_BYLINE_WORDS = 16
# A line in an element named author or byline, without a "By": at most this many words.
MAX_BARE_WORDS = 8
_BY = re.compile(r"^\s*(?:(?:written|posted|reported|words|story|text|published)\s+)?"
                 r"(?:by|von|par|por|di|door|av|af|från)\b\s*:?\s*", re.I)
# How a byline opens ("By", "Written by", "Author:"): what every line is checked for.
OPENS_BYLINE = re.compile(r"\s*(?:\w+\s+)?(?:by|von|par|por|di|door|av|af|från|authors?|"
                           r"writers?|autor|auteur)\b", re.I)
_AUTHOR_LABEL = re.compile(r"^\s*(?:authors?|writers?|autor(?:in)?|auteur)\s*:\s*", re.I)
_NOT_A_NAME = re.compile(r"https?://|www\.|@|^\S+\.\S+$|\d{3,}")
# A tag's value that names no one: a URL, an e-mail address, a login ("andrew.keaveney");
# user names with digits ("paulb203") are names on a forum.
_NOT_A_VALUE = re.compile(r"https?://|www\.|\S@\S|^[a-z]+\.[a-z]+$")
# Words of a job title that follows a name ("Jane Doe, Local Democracy Reporter").
_ROLE_WORDS = frozenset({
    "reporter", "correspondent", "editor", "editors", "writer", "journalist", "columnist",
    "contributor", "contributors", "expert", "producer", "analyst", "director", "manager",
    "founder", "ceo", "president", "professor", "senior", "associate", "chief", "staff",
    "guest", "columnists", "specialist", "consultant", "dietitian", "officer", "md", "phd",
})
# Capitalised words that open a line but name no one: "By Category", "Sort By: Featured".
_NOT_NAME_WORDS = frozenset({
    "name", "skip", "get", "sort", "view", "shop", "featured", "this", "open", "the", "a",
    "category", "date", "price", "popularity", "relevance", "newest", "oldest", "topic",
    "type", "brand", "size", "color", "colour", "tag", "author", "authors", "staff",
    "admin", "posts", "news", "home", "january", "february", "march", "july", "september",
    "october", "november", "december", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec",  # not Jan, May, June, April, August: first names too
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "updated", "published", "posted", "read", "more", "all", "our", "your", "my",
})
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "la", "le", "du", "da", "di", "del",
                        "dos", "bin", "al", "el", "ter", "ten", "st.", "mc", "o'"})
_JOINERS = frozenset({"and", "&", "und", "et", "y", "e", "en", "og", "och"})
_PART_SEPARATOR = re.compile(r"\s+[·•|–—-]\s+")
_WORD = re.compile(r"[^\s,;|•·/]+|[,;|•·/]")


def clean_author(value: str | None) -> str | None:
    """A tag's author value as names, or None when it holds none (a URL, an address,
    a login, a long text)."""
    if not value:
        return None
    value = _BY.sub("", " ".join(value.split()))
    value = _AUTHOR_LABEL.sub("", value).strip(" ,;|-")
    if not value or len(value) > MAX_AUTHOR_CHARS or _NOT_A_VALUE.search(value):
        return None
    if not any(ch.isalpha() for ch in value):
        return None
    return value


def byline_author(line: str, *, named: bool = False) -> str | None:
    """The names a byline line states ("By Jane Doe | 3 March 2025" -> "Jane Doe"), or
    None. `named`: the line is in an element named author or byline, where a bare name
    ("Jane Doe") counts too; elsewhere the line must start with "By" or "Author:"."""
    if not named and not OPENS_BYLINE.match(line):
        return None  # most lines: one regex match, no more
    text = " ".join(line.split())
    if not text or len(text.split()) > MAX_BYLINE_WORDS:
        return None
    rest = _BY.sub("", text, count=1)
    if rest == text:
        rest = _AUTHOR_LABEL.sub("", text, count=1)
    if rest != text:
        return _names_at_start(rest, alone=True)
    if not named or len(text.split()) > MAX_BARE_WORDS:
        return None
    names = _names_at_start(text, alone=False)
    # A bare name is most of its part of the line: "Jane Doe · 5 min read" and "Jane
    # Doe", not "Jane Doe reviews the week's films".
    part = _PART_SEPARATOR.split(text, maxsplit=1)[0]
    if names and 2 * len(names.replace(",", " ").split()) >= len(part.split()):
        return names
    return None


def _names_at_start(text: str, *, alone: bool) -> str | None:
    """The capitalised names that open `text`, joined by ", ". `alone`: a name of one
    word counts when it is the only one ("By whova"); else a name has two words."""
    names: list[list[str]] = [[]]
    for word in _WORD.findall(text):
        low = word.lower()
        if word in (",", ";") or low in _JOINERS:
            if not names[-1]:
                break
            if len(names) == MAX_NAMES:
                break
            names.append([])
            continue
        if word[0].isupper() or (names[-1] and low in _PARTICLES):
            if len(names[-1]) == MAX_NAME_WORDS or not _is_name_word(word):
                break
            names[-1].append(word)
            continue
        break
    names = _before_roles([name for name in names if name])
    people = [" ".join(name) for name in names
              if len(name) >= 2 or (alone and len(names) == 1)]
    return ", ".join(people) if people else None


def _before_roles(names: list[list[str]]) -> list[list[str]]:
    """The names before the first that is a role ("Jane Doe, Senior Reporter")."""
    for index, name in enumerate(names):
        if any(word.lower().strip(".") in _ROLE_WORDS for word in name):
            return names[:index]
    return names


def _is_name_word(word: str) -> bool:
    return (not any(ch.isdigit() for ch in word) and not _NOT_A_NAME.search(word)
            and word.lower().strip(".:") not in _NOT_NAME_WORDS)
