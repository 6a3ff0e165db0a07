"""What a page's <meta> tags, <link rel=canonical> and microdata say about it.

Open Graph and Twitter cards (`og:title`, `og:site_name`, `article:published_time`),
the plain `<meta name=author>` and `name=date`, Dublin Core and the tags of the
analytics vendors news sites feed (Parse.ly, Sailthru) all name the same few facts;
each field takes the first of its names, in the order below, that the page fills.
Microdata (`itemprop="author"`, `itemprop="datePublished"`) fills what no tag did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the parser is loaded by the reader that parses, never here
    from selectolax.lexbor import LexborHTMLParser, LexborNode


# Per field, the <meta> names (property, name or itemprop, lower-cased), best first.
META_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("og:title", "twitter:title", "parsely-title", "sailthru.title", "dc.title",
              "title", "headline"),
    "author": ("author", "article:author", "parsely-author", "sailthru.author",
               "dc.creator", "dcterms.creator", "byl", "citation_author", "book:author"),
    "date": ("article:published_time", "og:article:published_time", "published_time",
             "datepublished", "parsely-pub-date", "sailthru.date", "article.published",
             "publish-date", "publish_date", "publishdate", "pubdate", "date",
             "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created",
             "citation_publication_date", "citation_date"),
    "sitename": ("og:site_name", "application-name", "al:ios:app_name",
                 "apple-mobile-web-app-title"),
    "og_url": ("og:url",),
}
_FIELD_OF = {name: field for field, names in META_NAMES.items() for name in names}
_RANK = {name: rank for names in META_NAMES.values() for rank, name in enumerate(names)}
# Microdata properties, per field: read where no <meta> tag gave the field.
ITEMPROPS = {"author": "author", "datepublished": "date", "headline": "title"}
MAX_VALUE_CHARS = 1_000


def meta_fields(tree: LexborHTMLParser) -> dict[str, str]:
    """title, author, date, sitename, og_url and canonical_url as the page's tags state
    them, and `head_title`, the <title> text (absent keys: not stated)."""
    best: dict[str, tuple[int, str]] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        name = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "")
        name = name.strip().lower()
        field = _FIELD_OF.get(name)
        if field is None:
            continue
        value = " ".join((attrs.get("content") or "")[:MAX_VALUE_CHARS].split())
        if value and (field not in best or _RANK[name] < best[field][0]):
            best[field] = (_RANK[name], value)
    found = {field: value for field, (_, value) in best.items()}
    canonical = _canonical(tree)
    if canonical:
        found["canonical_url"] = canonical
    title = _head_title(tree)
    if title:
        found["head_title"] = title
    return found


def microdata_fields(tree: LexborHTMLParser) -> dict[str, str]:
    """author, date and title from microdata elements (itemprop) in the page's body."""
    found: dict[str, str] = {}
    for node in tree.css("[itemprop]"):
        if node.tag == "meta":
            continue  # read with the other <meta> tags
        for prop in (node.attributes.get("itemprop") or "").lower().split():
            field = ITEMPROPS.get(prop)
            if field and field not in found and (value := _item_value(node, field)):
                found[field] = value
    return found


def _item_value(node: LexborNode, field: str) -> str:
    attrs = node.attributes
    if field == "date":
        value = attrs.get("datetime") or attrs.get("content") or node.text(deep=True)
    elif field == "author":
        name = node.css_first("[itemprop~=name]")
        value = attrs.get("content") or (name or node).text(deep=True)
    else:
        value = attrs.get("content") or node.text(deep=True)
    return " ".join((value or "")[:MAX_VALUE_CHARS].split())


def _canonical(tree: LexborHTMLParser) -> str:
    for node in tree.css("link"):
        rel = (node.attributes.get("rel") or "").lower().split()
        if "canonical" in rel and (href := (node.attributes.get("href") or "").strip()):
            return href
    return ""


def _head_title(tree: LexborHTMLParser) -> str:
    """The <title> among the head's children (an SVG's <title> in the body is not it)."""
    head = tree.head
    for node in head.iter() if head is not None else ():
        if node.tag == "title":
            return " ".join((node.text(deep=True) or "").split())
    return ""
