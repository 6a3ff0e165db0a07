"""The compiled render walk: walk.py, layout.py and content_score.py in C (_cwalk.c),
for pages without markers. Same lines and cues as the Python walk, about three
times as fast (a dragnet page renders in ~0.7 ms instead of ~2.0, parse included).

`render_tree` uses it when `AVAILABLE` (and `render.USE_COMPILED`) is true; the
Python walk renders otherwise, and always for pages that may hold the corpus
builder's markers. It is not available when:

- the extension was not built (setup.py builds it as optional: no compiler, no
  Python headers, or no dlfcn.h, as on Windows);
- the installed selectolax is not in VERIFIED_SELECTOLAX (see there);
- `init` refuses selectolax's LexborNode type (another object size), or the
  import-time check below finds the C walk reading or laying out a test page
  otherwise than selectolax and the Python walk do;
- the environment sets CLEANER_PYTHON_WALK=1 (read once, at import).

To compare the two walks in one process, set `cleaner.readers.html.render.USE_COMPILED`
to False for the Python walk (tests/test_cwalk.py does, on every held-out page of
the datasets and on generated tag soups, and wants identical lines and cues).
"""

from __future__ import annotations

import logging
import os

import selectolax.lexbor
from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaner.document import DomCues
from cleaner.readers.html import tags as T
from cleaner.readers.html import walk as W
from cleaner.readers.html.content_score import (
    NEGATIVE_TOKENS,
    POSITIVE_TOKENS,
    with_content_scores,
)
from cleaner.readers.html.layout import Layout
from cleaner.readers.html.vocabulary import CLASS_TOKENS, class_tokens

log = logging.getLogger(__name__)

try:
    from cleaner.readers.html import _cwalk
except ImportError:  # not built: the Python walk
    _cwalk = None

# selectolax releases whose LexborNode object and bundled lexbor structs _cwalk.c was
# read against (the structs it copies, and where from, are named at its top).
# Another release may move a field, so it gets the Python walk, with the same
# lines, until someone checks _cwalk.c against its sources and adds it here.
# selectolax is not pinned to these in pyproject.toml: a pin would hold users
# back from a release's fixes (and clash with other packages' needs) only to keep
# a speed-up; with the allow-list an unverified release costs speed, never output.
VERIFIED_SELECTOLAX = frozenset({"1.0.2"})

# Set to 1 to render with the Python walk whatever is installed.
FORCE_PYTHON_ENV = "CLEANER_PYTHON_WALK"

# Pages the C walk must read and lay out exactly as selectolax and the Python walk
# do before it is used: every kind of tag, hiding, bullets, pre, cues, odd text.
CHECK_PAGES = (
    "<html><head><title>t</title></head><body><div class='main-content' id=x1>"
    "<p>Hello <a href=/>wor<b>ld</b></a>, <i>again</i>&nbsp;&nbsp;x</p>"
    "<ul><li>one<li>two<ul><li>three</ul></ul><pre>a\tb\n  c\n\n</pre>"
    "<img alt=' pic '><input type=SUBMIT value=Go><select><option>a<option selected>b</select>"
    "<nav class='menu'><a href=/>Home</a> <a href=/x>X</a></nav><h2>Head</h2><br><br>"
    "<table><tr><td>1<td>2</table><div style='display: none'>hid</div>"
    "<span aria-hidden=' TRUE '>no</span><dialog open>dlg</dialog><dialog>shut</dialog>"
    "<div hidden>h</div><footer class=copyright-footer>\xa9 2024 caf\xe9 \u4e2d\u6587</footer>"
    "<my-el>custom</my-el><!-- c --><hr>\x0bctl\x01 &#1;</div></body></html>",
    "plain",
    "",
)
# The first check page has more nodes than this: a probe that stops early is a failure.
MIN_PROBED_NODES = 50


def _aria_hides(value: str) -> bool:
    return value.strip().lower() == "true"


def _style_hides(value: str) -> bool:
    return W._HIDING_STYLE.search(value) is not None


def _node_agrees(node: LexborNode) -> bool:
    """What C reads of one node (tag id, text, attributes, links) is what selectolax says."""
    tag_id, _, text, attrs, child, following = _cwalk.probe(node)
    return (tag_id == node.tag_id and text == node.text_content
            and dict(attrs) == node.attributes
            and child == node.first_child and following == node.next)


def _probe_agrees() -> bool:
    stack, seen = [LexborHTMLParser(CHECK_PAGES[0]).root], 0
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if not _node_agrees(node):
            return False
        seen += 1
        stack += [node.first_child, node.next]
    return seen >= MIN_PROBED_NODES


def _python_walk(root: LexborNode) -> tuple:
    """What walk_c gives, from the Python walk: Layout.finish() and the content scores."""
    out = Layout(markers=False)
    W.walk(root, out)
    lines, cues = out.finish()
    cues = with_content_scores(lines, cues, out.line_blocks, out.parents, out.ends, out.weights)
    return lines, cues, out.line_blocks, out.parents, out.ends, out.weights


def _walks_agree() -> bool:
    for page in CHECK_PAGES:
        root = LexborHTMLParser(page).root
        if _cwalk.walk(root, True) != _python_walk(root):
            return False
    return True


def _init() -> None:
    """Hand the C walk the Python walk's tables and the callbacks it needs."""
    tags = {
        tag_id: (kind, T.INSIDE_TAGS.index(next(iter(inside))) if inside else -1, name, heading)
        for tag_id, (kind, inside, name, heading) in W.TAGS.items()
    }
    _cwalk.init(selectolax.lexbor.__file__, LexborNode, W.TEXT_ID, tags, T.INSIDE_TAGS,
                CLASS_TOKENS, POSITIVE_TOKENS, NEGATIVE_TOKENS, class_tokens, _style_hides,
                _aria_hides, W._select_label, DomCues, W._BULLETS)


def _setup() -> bool:
    """Whether the compiled walk can be used: built, allowed, and checked."""
    if _cwalk is None or os.environ.get(FORCE_PYTHON_ENV) == "1":
        return False
    if selectolax.__version__ not in VERIFIED_SELECTOLAX:
        log.info("selectolax %s is not verified for the compiled walk: the Python walk renders",
                 selectolax.__version__)
        return False
    try:
        _init()
        if _probe_agrees() and _walks_agree():
            return True
        log.warning("the compiled walk disagrees with the Python walk: not used")
    except Exception as error:  # noqa: BLE001 - any doubt: the Python walk
        log.warning("the compiled walk is not usable (%s): not used", error)
    return False


AVAILABLE = _setup()


def walk_c(root: LexborNode, cues: bool = True) -> tuple:
    """(lines, cues, line_blocks, parents, ends, weights) of a page without markers,
    as the Python walk gives them; the cues with their content scores when `cues`.
    Only where AVAILABLE."""
    return _cwalk.walk(root, cues)
