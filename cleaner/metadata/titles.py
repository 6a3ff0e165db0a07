"""The page's title: what its markup states, without the site's name, or its headline.

`<title>` and og:title mostly carry the site's name ("Best Cloud Stocks of 2025 |
The Motley Fool"); a reader wants the article's own title. A part of a title
split at a spaced separator (" | ", " - ", " – ", " · ", ...) is dropped when it
names the site: its words are the site name's (og:site_name, JSON-LD publisher)
or its host's. Of the parts left, the first is the title.

The page's <h1> headline, when the classifier kept it, is what the page shows as
its title. It wins over the stated title when the two agree (half of its words or
more are in the stated title): the stated one then mostly adds a subtitle or a
site slogan. Tuned on wcxb's training pages: 830 of 1,039 titles right, where
the kept headline alone gets 715 and trafilatura 551; the held-out pages score
it in benchmarks/bench_metadata.py.
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATOR = re.compile(r"\s+[|\-–—·•»~/:]+\s+|\s*[|·•»]\s*")
_WORDS = re.compile(r"\w+")
# A headline agrees with the stated title when this share of its words is in it.
AGREE_SHARE = 0.5
# A part this near in length to the site name, one holding the other, is the site name
# ("Motley Fool" in "The Motley Fool").
SITE_SLACK_CHARS = 6
MAX_TITLE_CHARS = 500


def words(text: str | None) -> list[str]:
    """Lower-case words of a text, compatibility forms folded (the comparisons' key)."""
    return _WORDS.findall(unicodedata.normalize("NFKC", text or "").lower())


def without_site_name(title: str, sitenames: list[str], host: str | None) -> str:
    """`title` less its parts that name the site; the first of the parts left."""
    parts = [part for part in _SEPARATOR.split(title) if part.strip()]
    if len(parts) < 2:
        return title.strip()
    keys = [_squashed(name) for name in sitenames if _squashed(name)]
    kept = [part for part in parts if not _names_site(_squashed(part), keys, host)]
    return (kept or parts)[0].strip()


def site_part(title: str, host: str | None) -> str | None:
    """The part of a title that names the page's host ("The Wexham Herald" in "... |
    The Wexham Herald" on wexhamherald.co.uk): the site's name, where no tag states it."""
    parts = [part.strip() for part in _SEPARATOR.split(title) if part.strip()]
    if len(parts) < 2 or not host:
        return None
    for part in (parts[-1], parts[0]):
        if _names_site(_squashed(part), [], host):
            return part
    return None


def names_site(text: str, sitenames: list[str], host: str | None) -> bool:
    """Whether `text` is the site's name (or its host's)."""
    keys = [_squashed(name) for name in sitenames if _squashed(name)]
    return _names_site(_squashed(text), keys, host)


def _squashed(text: str) -> str:
    return "".join(words(text))


def _names_site(part: str, sitenames: list[str], host: str | None) -> bool:
    if not part:
        return True
    for name in sitenames:
        if part == name or ((part in name or name in part) and len(part) > 3
                            and abs(len(part) - len(name)) <= SITE_SLACK_CHARS):
            return True
    if host:
        labels = host.split(".")
        # "Move.org" for move.org, "Seobility" for seobility.net, "bcbs.com"
        names = {_squashed(host), _squashed(".".join(labels[:-1])),
                 _squashed(labels[-2] if len(labels) > 1 else host)}
        if part in names or part.removeprefix("the") in names:
            return True
    return False


def chosen_title(stated: str | None, stated_raw: str | None, headline: str | None
                 ) -> str | None:
    """The kept headline where it agrees with the stated title (or none is stated),
    else the stated title without the site's name."""
    if headline and (not stated_raw or _agrees(headline, stated_raw)):
        return headline[:MAX_TITLE_CHARS]
    return stated or headline


def _agrees(headline: str, stated: str) -> bool:
    mine = set(words(headline))
    return bool(mine) and len(mine & set(words(stated))) >= AGREE_SHARE * len(mine)
