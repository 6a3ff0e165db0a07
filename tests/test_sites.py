"""A page's site and its own URL (cleaner/sites.py)."""

from __future__ import annotations

import pytest

from cleaner.document import Page
from cleaner.sites import host_of, own_url, page_host, registrable_domain, site_key, stated_urls


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://www.BBC.co.uk:80/news/story.stm", "bbc.co.uk"),
        ("https://news.bbc.co.uk/x?y=1", "news.bbc.co.uk"),
        ("http://www2.example.com/", "example.com"),
        ("http://toledoblade.com/apps/pbcs.dll/article?AID=/2008", "toledoblade.com"),
        ("javascript:void(0)", None),
        ("/relative/path.html", None),
        ("mailto:someone@example.com", None),
        ("", None),
        (None, None),
    ],
)
def test_host_of(url: str | None, host: str | None) -> None:
    assert host_of(url) == host


def test_registrable_domain_groups_subdomains() -> None:
    assert registrable_domain("news.bbc.co.uk") == "bbc.co.uk"
    assert registrable_domain("sports.yahoo.com") == "yahoo.com"
    assert registrable_domain("abc.net.au") == "abc.net.au"
    assert registrable_domain("unknown-dragnet-17") == "unknown-dragnet-17"



def test_a_page_states_its_url_by_canonical_link_og_url_or_base():
    html = ('<head><base href="http://cdn.example.net/">'
            '<meta content="https://og.example.org/b" property="og:url">'
            '<link rel=canonical href="https://www.example.com/a?x=1&amp;y=2"></head>')
    assert stated_urls(html) == [("base", "http://cdn.example.net/"),
                                 ("og:url", "https://og.example.org/b"),
                                 ("canonical", "https://www.example.com/a?x=1&y=2")]
    assert own_url(html) == "https://og.example.org/b"  # the first one stated, not the base
    assert own_url('<link rel="canonical" href="/a/relative/one">') is None
    assert own_url("<p>no head at all</p>") is None


def test_a_url_stated_past_the_head_is_not_looked_for():
    late = "<p>" + "x" * 200_000 + '</p><link rel="canonical" href="https://late.example/">'
    assert own_url(late) is None
    assert stated_urls(late, limit=None) == [("canonical", "https://late.example/")]


def test_the_host_and_site_of_a_page():
    assert page_host(Page(lines=[], url="https://WWW.Example.com/a")) == "example.com"
    stated = Page(lines=[], meta={"own_url": "http://news.example.org/x"})
    assert page_host(stated) == "news.example.org" == site_key(stated)
    assert site_key(Page(lines=[], source="crawl/site-a/page.txt")) == "folder:crawl/site-a"
