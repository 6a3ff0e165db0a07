"""The compiled render walk (cleaner/readers/html/cwalk.py, _cwalk.c) against the
Python walk (walk.py, layout.py, content_score.py), which stays the reference.

Every page here is parsed once and laid out four ways, C and Python walk, cues on
and off, and the lines and cues must be identical: each DomCues itself (full float
precision), its `format_cues` line and its `to_dict`. The pages: every held-out
page of the datasets (as the corpus builder lists them: page_records), the
project's own pages, edge cases, and seeded random tag soups. A layout rule
changed in one walk and not in the other fails here.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from cleaner.readers.decode import decode_bytes
from cleaner.readers.html import cwalk, render
from cleaner.readers.html.nesting import NESTING_CHECK_TAGS, cap_nesting
from cleaner.readers.html.render import format_cues, render_html, render_tree
from cleaner.readers.html.tags import (
    INSIDE_TAGS,
    LINE_TAGS,
    LIST_TAGS,
    PARAGRAPH_TAGS,
    PRE_TAGS,
    SKIP_TAGS,
)
from cleaner.training.corpus import page_records
from cleaner.training.corpus.records import DATASETS as DATASET_NAMES

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO.parent / "shared" / "datasets"

compiled = pytest.mark.skipif(not cwalk.AVAILABLE, reason="the compiled walk is not in use here")


# --- four renders of a page, and what must agree ------------------------------------------

def _render(tree: LexborHTMLParser, cues: bool, use_compiled: bool) -> tuple:
    """render_tree's lines and cues with the chosen walk (markers=False: the C path)."""
    saved, render.USE_COMPILED = render.USE_COMPILED, use_compiled
    try:
        lines, line_cues = render_tree(tree, markers=False, cues=cues)
    finally:
        render.USE_COMPILED = saved
    if line_cues is None:
        return lines, None
    return lines, [(c, format_cues(c), c.to_dict() if c else None) for c in line_cues]


def _first_difference(c_walk: tuple, py_walk: tuple) -> str:
    for what, ours, theirs in zip(("lines", "cues"), c_walk, py_walk, strict=True):
        if ours != theirs:
            for number, (a, b) in enumerate(zip(ours or [], theirs or [], strict=False)):
                if a != b:
                    return f"{what}[{number}]: C {a!r} | Python {b!r}"
            return f"{what}: C has {len(ours or [])}, Python {len(theirs or [])}"
    return ""


def difference(html: str) -> str:
    """The first difference between the walks' layouts of a page; empty if none."""
    if html.count("<") > NESTING_CHECK_TAGS:  # as render_html prepares a page
        html = cap_nesting(html)
    tree = LexborHTMLParser(html)
    for cues in (True, False):
        if found := _first_difference(_render(tree, cues, True), _render(tree, cues, False)):
            return f"cues={cues}: {found}"
    return ""


def differences(pages: dict[str, str]) -> list[str]:
    return [f"{name}: {found}" for name, html in pages.items() if (found := difference(html))]


def read_page(path: Path) -> str:
    return decode_bytes(path.read_bytes(), html=True)[0]


# --- the datasets' held-out pages, and the project's own ----------------------------------

@pytest.fixture(scope="module")
def held_out() -> list:
    if not DATASETS.is_dir():
        pytest.skip("../shared/datasets is not beside the checkout")
    return [r for r in page_records(DATASETS) if r.split == "heldout"]


@compiled
@pytest.mark.parametrize("dataset", DATASET_NAMES)
def test_both_walks_render_every_held_out_page_alike(held_out, dataset):
    records = [r for r in held_out if r.dataset == dataset]
    assert records, f"no held-out page of {dataset}"
    pages = {r.source: read_page(r.html_path) for r in records}
    # l3s-gn1's pages as crawled too, beside the annotated ones page_records names
    pages |= {r.crawled_html.name: read_page(r.crawled_html) for r in records
              if r.crawled_html != r.html_path}
    assert differences(pages) == []


@compiled
def test_both_walks_render_the_projects_own_pages_alike():
    paths = [*sorted((REPO / "tests" / "data").glob("*.html")),
             *sorted((REPO / "tests" / "data" / "markdown").glob("*.html")),
             *sorted((REPO / "examples").glob("*.html"))]
    assert paths
    assert differences({p.name: read_page(p) for p in paths}) == []


# --- edge cases and tag soup --------------------------------------------------------------

EDGE_CASES = {
    "deep nesting": "<div>" * 3000 + "deep" + "</div>" * 3000,
    "deep lists": "<ul><li>" * 12 + "deep" + "</ul>" * 12,
    "huge text": "<p>" + "x" * 1_000_000 + "</p>",
    "huge words": "<div><p>" + "word, " * 50_000 + "</p><a href=/>link</a></div>",
    "huge style": "<div style='" + "display:" * 10_000 + "none'>s</div>",
    "pre": "<pre>\tcol\t\u4e2d\tx\r\ty\n\n\nz \t </pre><p>a<pre>b</pre>c</p>",
    "control characters": "<p>\x00\xa0\x00</p><p>a\x01b\x0bc\x1c\x7f</p><img alt=\"\x0b\">&#1;",
    "lone surrogates": "<p>a\ud800b</p><div class='x\udfff'>\udc00 c</div>",
    "odd spaces": "<p>\u2003wide\u3000 \x85next\u2028line\u200b \ufeff\xa0\xa0</p><li>\xa0</li>",
    "selects": "<select><option>x<option selected>\xa0y</select><select></select>",
    "buttons": "<input type=submit value=' '><input type=Reset value=R><input value=no>",
    "links only": "<a href=x>link only</a>",
    "duplicate attributes": "<div class=a class=comment id=1 ID=2>dup</div>",
    "hidden": "<div aria-hidden=' True\xa0'>a</div><p style='DISPLAY : NONE'>b</p>"
              "<p style='display:\xa0none'>c</p><p style='visibility:\thidden'>d</p>",
    "empty": "",
    "text only": "plain text, no tags",
    "no body": "<html><head><title>t</title></head></html>",
}


@compiled
def test_both_walks_render_edge_cases_alike():
    assert differences(EDGE_CASES) == []


SOUP_TAGS = sorted({*INSIDE_TAGS, *LINE_TAGS, *PARAGRAPH_TAGS, *LIST_TAGS, *PRE_TAGS,
                    *SKIP_TAGS[:6], "li", "br", "hr", "img", "input", "select", "option",
                    "dialog", "span", "b", "my-widget", "svg", "math", "template"})
SOUP_TEXTS = ("Hello", " ", "\n  ", "a\tb", "caf\xe9", "\xa0", "\xa0\xa0", "x\x00y", "\x0b",
              "\x01z", "\u2003wide\u3000", "\u4e2d\u6587, \u3001", "\ud800", "&nbsp;", "&#1;",
              "&#x85;", "\u200b", "\t\tt", "\r\n", "\x1c", "  a  b  ", "\ufeff", "\U0001f600",
              "\xad", "\x7f", "\x85next", "\u2028", "word, word. ")
SOUP_ATTRIBUTES = ("class='{}'", "id='{}'", "style='{}'", "hidden", "aria-hidden='{}'",
                   "alt='{}'", "value='{}'", "type='{}'", "open", "selected", "CLASS='{}'",
                   "xlink:class='{}'", "data-x='{}'", "Style='{}'")
SOUP_VALUES = ("comment-body", "relatedArticles", "nav menu", "post-1234", "", " true ", "TRUE",
               "true\xa0", "display:none", "DISPLAY : NONE", "visibility:\thidden",
               "display:\xa0none", "displ\u0130y:none", "submit", "SUBMIT", "butt\u212aon", "  ",
               "caf\xe9", "x\x0by", "sidebar widget", "main content", "\u017fubmit",
               "display:none\x1c", "visibility\x1c:hidden")
# Soups per run; CLEANER_FUZZ_EXAMPLES=5000 (as for test_property.py) for a longer hunt.
SOUPS = int(os.environ.get("CLEANER_FUZZ_EXAMPLES", "200"))


def tag_soup(rng: random.Random, depth: int = 0) -> str:
    """Random, often unclosed, markup of every kind of tag, attribute and odd text."""
    parts = []
    for _ in range(rng.randint(1, 6)):
        if depth > 7 or rng.random() < 0.4:
            parts.append(rng.choice(SOUP_TEXTS))
            continue
        tag = rng.choice(SOUP_TAGS)
        attributes = " ".join(a.format(rng.choice(SOUP_VALUES))
                              for a in rng.sample(SOUP_ATTRIBUTES, rng.randint(0, 3)))
        close = f"</{tag}>" if rng.random() < 0.8 else ""
        parts.append(f"<{tag} {attributes}>{tag_soup(rng, depth + 1)}{close}")
    return "".join(parts)


@compiled
def test_both_walks_render_tag_soup_alike():
    rng = random.Random(16)
    assert differences({f"soup {i}": tag_soup(rng) for i in range(SOUPS)}) == []


def test_the_soup_check_finds_a_difference():
    """The harness itself: a walk that drops a line is caught."""
    tree = LexborHTMLParser("<p>one</p><p>two</p>")
    lines, cues = _render(tree, True, False)
    assert _first_difference((lines[:-1], cues[:-1]), (lines, cues)).startswith("lines: ")


# --- when the compiled walk is used -------------------------------------------------------

@compiled
def test_render_html_takes_the_compiled_walk_for_a_page_without_markers(monkeypatch):
    calls = []

    def counted(root, cues):
        calls.append(cues)
        return cwalk.walk_c(root, cues)

    monkeypatch.setattr(render, "walk_c", counted)
    plain, _ = render_html("<p>plain</p>")
    marked, _ = render_html("<p>\ue000marked</p>")  # a corpus builder's marker
    assert (plain, marked, calls) == (["plain"], ["\ue000marked"], [True])


def test_the_python_walk_can_be_forced_from_the_environment():
    code = "from cleaner.readers.html import render; print(render.USE_COMPILED)"
    env = {**os.environ, cwalk.FORCE_PYTHON_ENV: "1"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == "False"


def test_an_unverified_selectolax_gets_the_python_walk(monkeypatch):
    monkeypatch.setattr(cwalk.selectolax, "__version__", "99.0.0")
    assert cwalk._setup() is False


def test_the_compiled_walk_is_built_and_used_where_ci_runs():
    """CI builds cleaner with a compiler on the selectolax the walk was checked against."""
    if not os.environ.get("CI"):
        pytest.skip("only CI promises a compiler")
    assert cwalk._cwalk is not None, "cleaner/readers/html/_cwalk.c was not built"
    if cwalk.selectolax.__version__ not in cwalk.VERIFIED_SELECTOLAX:
        # A selectolax released after this test was written: the Python walk serves it
        # (same output, slower) until _cwalk.c's structs are checked against its sources
        # and the version is added to cwalk.VERIFIED_SELECTOLAX. CI must not fail on the
        # day of a release that has nothing to do with the change it tests.
        assert not cwalk.AVAILABLE
        pytest.skip(f"selectolax {cwalk.selectolax.__version__} is not verified yet")
    assert cwalk.AVAILABLE and render.USE_COMPILED
