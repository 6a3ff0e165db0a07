"""What a page's JSON-LD says about it: headline, author, publication date, site name.

Publishers write schema.org JSON-LD for search engines, so on today's pages it is
the most careful statement of a page's metadata: Yoast, WordPress and most news
CMSs emit an `@graph` whose Article (or BlogPosting, NewsArticle, ...) names its
author by `@id` and whose WebSite or Organization names the site. The blocks are
often sloppy (HTML comments, CDATA, raw newlines in strings), so each is read
leniently and one that still fails is skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the parser is loaded by the reader that parses, never here
    from selectolax.lexbor import LexborHTMLParser


# The schema.org types whose headline, author and date are the page's own: the
# CreativeWork subtypes a news or blog page states (Article and its children,
# posts, reviews, how-tos, recipes).
ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "techarticle",
    "scholarlyarticle", "report", "liveblogposting", "socialmediaposting", "posting",
    "discussionforumposting", "review", "howto", "recipe", "creativework", "medicalwebpage",
    "advertisercontentarticle", "satiricalarticle", "qapage", "videoobject",
})
PAGE_TYPES = frozenset({"webpage", "itempage", "aboutpage", "collectionpage", "faqpage",
                        "profilepage", "searchresultspage", "contactpage"})
SITE_TYPES = frozenset({"website"})
PUBLISHER_TYPES = frozenset({"organization", "newsmediaorganization", "corporation",
                             "localbusiness", "educationalorganization"})
MAX_BLOCK_CHARS = 500_000  # a larger block is data (a store's catalogue), not metadata
MAX_NODES = 2_000  # objects visited per page, however deep a graph nests
_COMMENTS = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$")


def jsonld_fields(tree: LexborHTMLParser) -> dict[str, str]:
    """title, author, date, sitename (the WebSite's name) and publisher (the article's
    publisher, else an Organization's name) as the page's JSON-LD states them (absent
    keys: not stated). The first article-like object wins; a WebPage gives only what no
    article gave. An author that is an Organization is `organization_author`: a
    company's blog credits itself where its page's byline names a person."""
    nodes = list(_objects(tree))
    by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    found: dict[str, str] = {}
    for node in sorted(nodes, key=_rank):
        kinds = _types(node)
        if kinds & (ARTICLE_TYPES | PAGE_TYPES):
            _fill(found, "title", _text(node.get("headline")) or
                  (_text(node.get("name")) if kinds & ARTICLE_TYPES else ""))
            author = node.get("author")
            field = "organization_author" if _is_organization(author, by_id) else "author"
            _fill(found, field, _names(author, by_id))
            _fill(found, "date", _text(node.get("datePublished")) or
                  _text(node.get("dateCreated")))
            _fill(found, "publisher", _names(node.get("publisher"), by_id))
        elif kinds & SITE_TYPES:
            _fill(found, "sitename", _text(node.get("name")))
        elif kinds & PUBLISHER_TYPES:
            _fill(found, "publisher", _text(node.get("name")))
    return found


def _rank(node: dict) -> int:
    """Articles first, then web pages, then the rest (a stable sort keeps page order)."""
    kinds = _types(node)
    return 0 if kinds & ARTICLE_TYPES else 1 if kinds & PAGE_TYPES else 2


def _fill(found: dict[str, str], field: str, value: str) -> None:
    """Set a field not set yet (the first object that states it wins)."""
    value = " ".join(value.split())
    if value and field not in found:
        found[field] = value


def _objects(tree: LexborHTMLParser) -> Iterator[dict]:
    """Every JSON object of every ld+json block, @graph members and nested ones included,
    at most MAX_NODES."""
    stack: list = []
    for script in tree.css("script"):  # faster than an attribute selector (lexbor)
        kind = (script.attributes.get("type") or "").lower()
        if "ld+json" in kind:
            data = _load(script.text(deep=True) or "")
            if data is not None:
                stack.append(data)
    stack.reverse()
    seen = 0
    while stack and seen < MAX_NODES:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            seen += 1
            yield item
            graph = item.get("@graph")
            if isinstance(graph, list):
                stack.extend(reversed(graph))
            main = item.get("mainEntity")
            if isinstance(main, dict | list):
                stack.append(main)


def _load(text: str) -> object | None:
    if len(text) > MAX_BLOCK_CHARS:
        return None
    text = _COMMENTS.sub("", text.strip())
    try:
        return json.loads(text, strict=False)  # strict=False: raw newlines inside strings
    except ValueError:
        return None


def _types(node: dict) -> frozenset[str]:
    kind = node.get("@type")
    if isinstance(kind, str):
        return frozenset({kind.lower().rsplit("/", 1)[-1]})
    if isinstance(kind, list):
        return frozenset(k.lower().rsplit("/", 1)[-1] for k in kind if isinstance(k, str))
    return frozenset()


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and isinstance(value[0], str):
        return value[0]
    if isinstance(value, dict) and isinstance(value.get("@value"), str):
        return value["@value"]
    return ""


def _is_organization(value: object, by_id: dict[str, dict]) -> bool:
    """An author value whose objects (or the graph members they point to) are all
    organisations."""
    items = value if isinstance(value, list) else [value]
    kinds = []
    for item in items:
        if not isinstance(item, dict):
            return False
        if isinstance(item.get("@id"), str) and "@type" not in item:
            item = by_id.get(item["@id"], item)
        kinds.append(_types(item))
    return bool(kinds) and all(kind & PUBLISHER_TYPES for kind in kinds)


def _names(value: object, by_id: dict[str, dict], depth: int = 0) -> str:
    """The name(s) of a person or organisation value: a string, an object with a name,
    an @id of a graph member, or a list of these, joined with ", "."""
    if depth > 3:
        return ""
    if isinstance(value, str):
        return "" if value.startswith(("http://", "https://")) else value
    if isinstance(value, list):
        names = [_names(item, by_id, depth + 1) for item in value]
        return ", ".join(dict.fromkeys(name for name in names if name))
    if isinstance(value, dict):
        name = _text(value.get("name"))
        if not name and isinstance(value.get("@id"), str) and value["@id"] in by_id:
            target = by_id[value["@id"]]
            if target is not value:
                return _names(target, by_id, depth + 1)
        return name
    return ""
