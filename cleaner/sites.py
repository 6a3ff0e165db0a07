"""A page's site and its own URL: the one definition every part of cleaner uses.

- `host_of(url)`: the lower-case host of an absolute http(s) URL, without `www.`;
- `registrable_domain(host)`: the part a registrar sells (news.bbc.co.uk -> bbc.co.uk),
  which the held-out split and the site-grouped folds key on;
- `own_url(html)`: the URL a page states as its own (canonical link or og:url);
- `page_host(page)`: a page's host, from its URL, else the URL it states;
- `site_key(page)`: the site a page's template lines are counted for (site stats).
"""

from __future__ import annotations

import html as html_entities
import os
import re
from urllib.parse import urlsplit

from cleaner.document import Page

# Second-level labels under which a country code registers names (bbc.co.uk,
# abc.net.au, theage.com.au): the site is then the last three labels. A short
# list instead of the public-suffix list; it covers every such host in the
# four datasets.
SECOND_LEVEL = frozenset({"co", "com", "net", "org", "ac", "gov", "edu", "or", "ne", "go", "nic"})
HOST_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9\-_]*[a-z0-9])?$")
# The site of pages with no host: the folder they were read from.
FOLDER_SITE = "folder:"


def host_of(url: str | None) -> str | None:
    """Lower-case host of an absolute http(s) URL, without port and leading www."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if parts.scheme not in ("http", "https", "") or "." not in host:
        return None
    host = re.sub(r"^www\d*\.", "", host)
    if not all(HOST_LABEL.match(label) for label in host.split(".")):
        return None
    return host


def registrable_domain(host: str) -> str:
    """The registrable part of a host: news.bbc.co.uk -> bbc.co.uk, a.b.com -> b.com."""
    if host.startswith("unknown-") or "." not in host:
        return host
    labels = host.split(".")
    if re.fullmatch(r"[\d.]+", host):  # an IP address is its own site
        return host
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


# <link rel="canonical" href=…>, <meta property="og:url" content=…> and <base href=…>,
# attributes in either order. Regexes: the renderer's tree is not kept, and a
# second parse would double the cost of a page for one attribute. Each tag is
# matched once, to its end, and then searched for its attributes: a lookahead
# over the attributes would scan to the next ">" from every tag, which is
# quadratic in a page of tags that are never closed.
_STATING_TAG = re.compile(r"<(link|meta|base)\b[^>]*+", re.I)
_CANONICAL = re.compile(r"""\brel\s*=\s*["']?canonical\b""", re.I)
_OG_URL = re.compile(r"""\bproperty\s*=\s*["']?og:url\b""", re.I)
_HREF = re.compile(r"""\bhref\s*=\s*["']?([^"'\s>]+)""", re.I)
_CONTENT = re.compile(r"""\bcontent\s*=\s*["']?([^"'\s>]+)""", re.I)
# A page states its URL in its head: the first 100,000 characters hold it.
OWN_URL_SEARCH_CHARS = 100_000
CANONICAL, OG_URL, BASE = "canonical", "og:url", "base"


def stated_urls(html: str, limit: int | None = OWN_URL_SEARCH_CHARS) -> list[tuple[str, str]]:
    """(kind, URL) of each canonical link, og:url and <base href> of a page, in
    document order, in its first `limit` characters (None: all of it)."""
    found = []
    for tag in _STATING_TAG.finditer(html, 0, len(html) if limit is None else limit):
        name, attrs = tag.group(1).lower(), tag.group(0)
        if name == "link" and _CANONICAL.search(attrs):
            kind, value = CANONICAL, _HREF.search(attrs)
        elif name == "meta" and _OG_URL.search(attrs):
            kind, value = OG_URL, _CONTENT.search(attrs)
        elif name == "base":
            kind, value = BASE, _HREF.search(attrs)
        else:
            continue
        if value:
            found.append((kind, html_entities.unescape(value.group(1)).strip()))
    return found


def own_url(html: str) -> str | None:
    """The URL a page states as its own (its first canonical link or og:url), if absolute."""
    for kind, url in stated_urls(html):
        if kind != BASE:
            return url if url.lower().startswith(("http://", "https://")) else None
    return None


def page_host(page: Page) -> str | None:
    """The host of a page's URL, else of the URL it states, else the one its label file names."""
    return host_of(page.url) or host_of(page.meta.get("own_url")) or page.meta.get("host")


def site_key(page: Page) -> str:
    """The site a page belongs to: its host (`page_host`), else the folder it was read from."""
    host = page_host(page)
    return host if host else FOLDER_SITE + os.path.dirname(page.source)
