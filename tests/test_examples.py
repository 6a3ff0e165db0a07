"""The README's quick start: the example page and its dump, cleaned by the real CLI."""

from __future__ import annotations

import pytest
from conftest import REPO, invoke

EXAMPLES = REPO / "examples"
HEADLINE = "Wexham library reopens two years after the flood, with the town archive upstairs"
FIRST_PARAGRAPH = "Wexham's Carnegie library will reopen on Saturday"
LAST_PARAGRAPH = "Doors open at 10am, with a reading by the children's author"
COMMENT = "My grandfather's apprenticeship papers are in that archive"
CHROME = ("Sign in", "Privacy notice", "Related stories", "By Helen Marsh")


@pytest.mark.parametrize("page", ["article.html", "article.txt"])
def test_the_example_cleans_to_its_article(page):
    result = invoke("clean", EXAMPLES / page)
    assert result.exit_code == 0
    text = result.stdout
    assert text.count(HEADLINE) == 1 and FIRST_PARAGRAPH in text and LAST_PARAGRAPH in text
    assert COMMENT not in text
    assert not [chrome for chrome in CHROME if chrome in text]


def test_the_example_keeps_its_comments_when_asked():
    text = invoke("clean", EXAMPLES / "article.html", "--keep", "body,comment").stdout
    assert HEADLINE in text and COMMENT in text and "Privacy notice" not in text
