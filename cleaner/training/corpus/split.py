"""Train / held-out split by site, the same across all datasets.

A model that saw a site's template in training recognises its menus by
heart, so held-out pages must come from sites never trained on. A fifth of
the sites are held out, chosen by a salted hash: a site held out in one
dataset is held out in all, and adding pages never moves a site.

Pages are keyed by host (`host_of`); the hash is taken over the host's site
(`site_of`: the registrable domain, so news.bbc.co.uk and www.bbc.co.uk share
one template and one fate).
"""

from __future__ import annotations

import hashlib
from collections import Counter

from selectolax.lexbor import LexborHTMLParser

from cleaner.sites import BASE, CANONICAL, OG_URL, host_of, registrable_domain, stated_urls

TRAIN, HELDOUT = "train", "heldout"
SPLITS = (TRAIN, HELDOUT)
# Changing the salt reshuffles the split (and invalidates held-out scores):
# bump the version only on purpose.
SPLIT_SALT = "cleaner-corpus-split-v1"
# One bucket in five is held out: a fifth of the sites.
SPLIT_BUCKETS = 5
HELDOUT_BUCKET = 0

# Hosts that many pages link to but that are never the page's own site, so
# they must not win the "most linked host" vote.
FOREIGN_HOSTS = frozenset(
    {"facebook.com", "twitter.com", "digg.com", "del.icio.us", "delicious.com", "reddit.com",
     "stumbleupon.com", "google.com", "technorati.com", "feedburner.com", "feeds.feedburner.com",
     "linkedin.com", "addthis.com", "myspace.com", "youtube.com", "flickr.com", "wordpress.org",
     "creativecommons.org", "adobe.com", "apple.com", "microsoft.com", "w3.org", "fakehost",
     "pinterest.com", "instagram.com", "plus.google.com", "mozilla.org", "amazon.com"}
)  # fmt: skip
# A host needs this many links from the page to count as the page's own:
# one link is as likely a citation as a menu.
MIN_LINKS_FOR_HOST = 3


def split_of(host: str) -> str:
    """Return "train" or "heldout": a fixed function of the host's site."""
    digest = hashlib.sha1(f"{SPLIT_SALT}:{registrable_domain(host)}".encode()).digest()
    bucket = int.from_bytes(digest[:8], "big") % SPLIT_BUCKETS
    return HELDOUT if bucket == HELDOUT_BUCKET else TRAIN


def host_from_html(html: str) -> tuple[str | None, str | None, str]:
    """The page's own URL (if stated), host, and how it was found: its canonical
    link, og:url or <base href> (in that order of trust; cleaner.sites.stated_urls),
    else the host most linked to."""
    stated = stated_urls(html, limit=None)
    for how in (CANONICAL, OG_URL, BASE):
        for kind, url in stated:
            host = host_of(url) if kind == how else None
            if host and registrable_domain(host) not in FOREIGN_HOSTS:
                return url, host, how
    # A parser, not a regex, for the links: markup in scripts and comments is no link.
    hrefs = [n.attributes.get("href") for n in LexborHTMLParser(html).css("a[href]")]
    return None, most_linked_host(hrefs), "links"


def most_linked_host(hrefs: list[str | None]) -> str | None:
    counts = Counter(
        host
        for href in hrefs
        if href and href.lower().startswith(("http://", "https://"))
        for host in [host_of(href)]
        if host and host not in FOREIGN_HOSTS and registrable_domain(host) not in FOREIGN_HOSTS
    )
    if not counts:
        return None
    host, n = min(counts.items(), key=lambda item: (-item[1], item[0]))
    return host if n >= MIN_LINKS_FOR_HOST else None


def unknown_host(dataset: str, page_id: str) -> str:
    """A stable stand-in host for a page whose site cannot be found. The page is
    then a site of its own: two such pages of one real site may be split apart."""
    return f"unknown-{dataset}-{page_id}"
