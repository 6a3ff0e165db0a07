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
import re
from collections import Counter
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

TRAIN, HELDOUT = "train", "heldout"
SPLITS = (TRAIN, HELDOUT)
# Changing the salt reshuffles the split (and invalidates held-out scores):
# bump the version only on purpose.
SPLIT_SALT = "cleaner-corpus-split-v1"
# One bucket in five is held out: a fifth of the sites.
SPLIT_BUCKETS = 5
HELDOUT_BUCKET = 0

# Second-level labels under which a country code registers names (bbc.co.uk,
# abc.net.au, theage.com.au): the site is then the last three labels. A short
# list instead of the public-suffix list; it covers every such host in the
# four datasets.
SECOND_LEVEL = frozenset({"co", "com", "net", "org", "ac", "gov", "edu", "or", "ne", "go", "nic"})

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
HOST_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9\-_]*[a-z0-9])?$")


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


def site_of(host: str) -> str:
    """The registrable part of a host: news.bbc.co.uk -> bbc.co.uk, a.b.com -> b.com."""
    if host.startswith("unknown-") or "." not in host:
        return host
    labels = host.split(".")
    if re.fullmatch(r"[\d.]+", host):  # an IP address is its own site
        return host
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def split_of(host: str) -> str:
    """Return "train" or "heldout": a fixed function of the host's site."""
    digest = hashlib.sha1(f"{SPLIT_SALT}:{site_of(host)}".encode()).digest()
    bucket = int.from_bytes(digest[:8], "big") % SPLIT_BUCKETS
    return HELDOUT if bucket == HELDOUT_BUCKET else TRAIN


def host_from_html(html: str) -> tuple[str | None, str | None, str]:
    """The page's own URL (if stated), host, and how it was found:
    <link rel=canonical>, og:url, <base href>, else the host most linked to."""
    tree = LexborHTMLParser(html)
    candidates = (
        ("canonical", [n.attributes.get("href") for n in tree.css("link[rel]")
                       if "canonical" in (n.attributes.get("rel") or "").lower().split()]),
        ("og:url", [n.attributes.get("content") for n in tree.css("meta[property='og:url']")]),
        ("base", [n.attributes.get("href") for n in tree.css("base[href]")]),
    )  # fmt: skip
    for how, urls in candidates:
        for url in urls:
            host = host_of(url)
            if host and site_of(host) not in FOREIGN_HOSTS:
                return url.strip(), host, how
    hrefs = [n.attributes.get("href") for n in tree.css("a[href]")]
    return None, most_linked_host(hrefs), "links"


def most_linked_host(hrefs: list[str | None]) -> str | None:
    counts = Counter(
        host
        for href in hrefs
        if href and href.lower().startswith(("http://", "https://"))
        for host in [host_of(href)]
        if host and host not in FOREIGN_HOSTS and site_of(host) not in FOREIGN_HOSTS
    )
    if not counts:
        return None
    host, n = min(counts.items(), key=lambda item: (-item[1], item[0]))
    return host if n >= MIN_LINKS_FOR_HOST else None


def unknown_host(dataset: str, page_id: str) -> str:
    """A stable stand-in host for a page whose site cannot be found. The page is
    then a site of its own: two such pages of one real site may be split apart."""
    return f"unknown-{dataset}-{page_id}"
