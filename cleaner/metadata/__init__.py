"""A page's metadata: title, author, date, sitename, language, url, canonical_url.

Two steps, because half of it needs the classifier's labels:

    stated = stated_metadata(tree, lines, cues, url)   # read_html, on the parsed tree
    fields = page_metadata(page, labels, keep, text)   # clean.py, once lines are labelled

`stated_metadata` reads what the markup states (JSON-LD first, then <meta> tags,
then microdata) and notes which lines may hold a headline, a byline or a dateline.
`page_metadata` takes the headline the classifier kept, the byline and dateline
nearest it, and the language of the kept text. Each field is None where unknown.
A text dump states nothing: its title is its headline line, its author and date
what a byline or dateline near it says, its language that of the kept text.
"""

from __future__ import annotations

import html as html_entities
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from cleaner.document import DomCues, Page, StatedMetadata
from cleaner.metadata.authors import clean_author
from cleaner.metadata.dates import iso_day
from cleaner.metadata.jsonld import jsonld_fields
from cleaner.metadata.language import detect_language
from cleaner.metadata.lines import (
    dump_headline,
    dump_line_facts,
    html_line_facts,
    kept_headline,
    near,
)
from cleaner.metadata.meta_tags import meta_fields, microdata_fields
from cleaner.metadata.titles import (
    MAX_TITLE_CHARS,
    chosen_title,
    names_site,
    site_part,
    without_site_name,
)
from cleaner.sites import host_of

if TYPE_CHECKING:  # the parser is loaded by the reader that parses, never here
    from selectolax.lexbor import LexborHTMLParser

__all__ = ["page_metadata", "stated_metadata"]

MAX_FIELD_CHARS = 1_000


def stated_metadata(tree: LexborHTMLParser, lines: Sequence[str],
                    cues: Sequence[DomCues | None], url: str | None = None) -> StatedMetadata:
    """What a parsed HTML page states about itself, and its candidate lines."""
    tags = meta_fields(tree)
    sources = (jsonld_fields(tree), tags, microdata_fields(tree))

    def first(field: str) -> str | None:
        for source in sources:
            value = _unescaped(source.get(field))
            if value:
                return value
        return None

    canonical = _absolute(tags.get("canonical_url") or tags.get("og_url"), url)
    host = host_of(url) or host_of(canonical)
    head_title = _unescaped(tags.get("head_title"))
    # The site's own name (WebSite, og:site_name) before its publisher's ("... Ltd").
    sitename = (first("sitename") or first("publisher")
                or (site_part(head_title, host) if head_title else None))
    stated_title = first("title") or head_title
    sitenames = [name for name in (sitename, _unescaped(tags.get("sitename")),
                                   first("publisher")) if name]
    title = without_site_name(stated_title, sitenames, host) if stated_title else None
    author, site_author = _authors(sources, sitenames, host)
    headlines, bylines, datelines = html_line_facts(lines, cues)
    return StatedMetadata(
        title=title[:MAX_TITLE_CHARS] if title else None,
        stated_title=stated_title, author=author, site_author=site_author,
        date=_first_date(sources), sitename=sitename, canonical_url=canonical,
        headlines=headlines, bylines=bylines, datelines=datelines)


def page_metadata(page: Page, labels: Sequence[str | None], keep: frozenset[str],
                  text: str) -> dict[str, str | None]:
    """The metadata fields of a labelled page (`text`: its kept text)."""
    stated = page.stated
    if stated is None:  # a text dump, or HTML read without cues
        return _dump_metadata(page, labels, keep, text)
    headline = kept_headline(page.lines, labels, keep, stated.headlines)
    start = headline[0] if headline else _first_kept(labels, keep)
    return {
        "title": chosen_title(stated.title, stated.stated_title,
                              headline[1] if headline else _first_line(page, stated)),
        "author": stated.author or near(stated.bylines, start) or stated.site_author,
        "date": stated.date or near(stated.datelines, start),
        "sitename": stated.sitename,
        "language": detect_language(text),
        "url": page.url,
        "canonical_url": stated.canonical_url,
    }


def _dump_metadata(page: Page, labels: Sequence[str | None], keep: frozenset[str],
                   text: str) -> dict[str, str | None]:
    headline = dump_headline(page.lines, labels, keep)
    anchor = headline[0] if headline else _first_kept(labels, keep)
    bylines, datelines = dump_line_facts(page.lines, anchor) if anchor >= 0 else ((), ())
    return {"title": headline[1] if headline else None,
            "author": near(bylines, anchor), "date": near(datelines, anchor),
            "sitename": None, "language": detect_language(text), "url": page.url,
            "canonical_url": None}


def _first_line(page: Page, stated: StatedMetadata) -> str | None:
    """The first <h1> line, kept or not: a page's headline when its markup states none."""
    if stated.headlines and not stated.title:
        return " ".join(page.lines[stated.headlines[0]].split())
    return None


def _first_kept(labels: Sequence[str | None], keep: frozenset[str]) -> int:
    return next((index for index, label in enumerate(labels) if label in keep), -1)


def _authors(sources: tuple[dict[str, str], ...], sitenames: list[str], host: str | None
             ) -> tuple[str | None, str | None]:
    """(the first author the sources state that is not the site itself, the first that
    is): a company blog's markup credits the company where its byline names a person."""
    person = site = None
    for source in sources:
        author = clean_author(_unescaped(source.get("author")))
        if author and names_site(author, sitenames, host):
            site = site or author
        elif author:
            person = person or author
        site = site or clean_author(_unescaped(source.get("organization_author")))
    return person, site


def _first_date(sources: tuple[dict[str, str], ...]) -> str | None:
    for source in sources:
        day = iso_day(source.get("date"))
        if day:
            return day
    return None


def _unescaped(value: str | None) -> str | None:
    """A stated value with the entities a CMS escaped twice read (`&#8217;`, `&amp;`)."""
    if not value:
        return None
    value = " ".join(html_entities.unescape(value[:MAX_FIELD_CHARS]).split())
    return value or None


def _absolute(link: str | None, base: str | None) -> str | None:
    """A stated URL made absolute against the page's; None unless http(s)."""
    if not link:
        return None
    link = html_entities.unescape(link.strip())
    if base and not link.lower().startswith(("http://", "https://")):
        try:
            link = urljoin(base, link)
        except ValueError:
            return None
    return link if link.lower().startswith(("http://", "https://")) else None
