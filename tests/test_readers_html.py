"""The HTML renderer: layout like a text browser, DOM cues per line, markers,
encodings, and robustness on pathological and real pages."""

from __future__ import annotations

import codecs
import re
import time
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from cleaner.document import DomCues, Page
from cleaner.readers.html import render as html_reader
from cleaner.readers.html.render import (
    BLOCK_TAGS,
    CLASS_TOKENS,
    INSIDE_TAGS,
    class_tokens,
    format_cues,
    read_html,
    render_html,
    render_tree,
)

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
DRAGNET_HTML = DATASETS / "dragnet" / "html"
L3S_HTML = DATASETS / "l3s-gn1" / "original"

# Generous: these inputs take well under a second; the bound only catches a
# quadratic or exponential blow-up. Real speed is benchmarks/bench_render.py's job.
PATHOLOGICAL_SECONDS = 10.0

ARTICLE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Putin meets Iranian president | World News</title>
  <style>body { font-family: serif; }</style>
  <script>window.dataLayer = [];</script>
</head>
<body>
  <header class="site-header">
    <nav id="main-nav" class="menu">
      <ul>
        <li><a href="/">Home</a></li>
        <li><a href="/world">World</a></li>
        <li><a href="/politics">Politics</a></li>
      </ul>
    </nav>
  </header>
  <main>
    <article class="post">
      <h1 class="entry-title">Putin Meets Iranian President in Turkmenistan</h1>
      <div class="byline">By <a href="/author/jm" rel="author">J. Mansour</a> &middot;
        <time datetime="2024-10-11">Oct. 11, 2024</time></div>
      <figure class="wp-caption">
        <img src="putin.jpg" alt="Putin and Pezeshkian">
        <figcaption>Putin listens to Pezeshkian. (AP Photo)</figcaption>
      </figure>
      <div class="entry-content">
        <p>Russian President Vladimir Putin met   Iranian President
           Masoud Pezeshkian on Friday.</p>
        <p>The leaders discussed the <a href="/tags/middle-east">Middle East</a> &amp; Ukraine.</p>
        <h2>Quick Looks</h2>
        <ul>
          <li>Strategic talks</li>
          <li>Military support
            <ul><li>Drones</li><li>Missiles</li></ul>
          </li>
          <li>Regional criticism</li>
        </ul>
        <blockquote><p>&ldquo;Our positions are very close,&rdquo; Putin said.</p></blockquote>
      </div>
    </article>
    <aside class="sidebar related-posts">
      <h3>Related Articles</h3>
      <div><a href="/a">TikTok criticizes US House bill</a></div>
      <div><a href="/b">US Senate passes $95 billion bill</a></div>
    </aside>
    <section id="comments" class="comments-area">
      <h2 class="comments-title">2 thoughts on this story</h2>
      <ol class="commentlist">
        <li class="comment">
          <div class="comment-author vcard"><b class="fn">thaibeachlovers</b> said:</div>
          <div class="comment-body"><p>Well done NATO, NOT.</p></div>
        </li>
      </ol>
      <div id="respond"><h3>Leave a Reply</h3>
        <form><label>Comment</label><textarea>type here</textarea>
          <input type="submit" value="Post Comment"><input type="hidden" value="42"></form>
      </div>
    </section>
  </main>
  <footer class="site-footer"><p>&copy; 2024 Newslooks. <a href="/privacy">Privacy</a></p></footer>
  <noscript><p>Enable JavaScript</p></noscript>
</body>
</html>
"""

# Checked by hand against `w3m -dump -cols 100000` of the same page: the same
# blocks, bullets and blank lines, except that w3m numbers the ordered list
# ("1."), draws form fields ("[type here]"), indents quotes and sub-lists, and
# puts a blank line after the byline but none before the footer.
ARTICLE_LINES = [
    "  • Home",
    "  • World",
    "  • Politics",
    "",
    "Putin Meets Iranian President in Turkmenistan",
    "",
    "By J. Mansour · Oct. 11, 2024",
    "Putin and Pezeshkian",
    "Putin listens to Pezeshkian. (AP Photo)",
    "",
    "Russian President Vladimir Putin met Iranian President Masoud Pezeshkian on Friday.",
    "",
    "The leaders discussed the Middle East & Ukraine.",
    "",
    "Quick Looks",
    "",
    "  • Strategic talks",
    "  • Military support",
    "    • Drones",
    "    • Missiles",
    "  • Regional criticism",
    "",
    "“Our positions are very close,” Putin said.",
    "",
    "Related Articles",
    "",
    "TikTok criticizes US House bill",
    "US Senate passes $95 billion bill",
    "",
    "2 thoughts on this story",
    "",
    "  • thaibeachlovers said:",
    "",
    "Well done NATO, NOT.",
    "",
    "Leave a Reply",
    "",
    "Comment Post Comment",
    "",
    "© 2024 Newslooks. Privacy",
    "",
    "Enable JavaScript",
]

MARKER = re.compile("[\ue000-\uf8ff]")


def lines_of(html: str | bytes) -> list[str]:
    return render_html(html)[0]


def cues_of(html: str, line: str) -> DomCues:
    """The cues of the one line that reads `line`."""
    lines, cues = render_html(html)
    found = [c for text, c in zip(lines, cues, strict=True) if text == line]
    assert len(found) == 1, f"{line!r} in {lines}"
    assert found[0] is not None
    return found[0]


def assert_well_formed(lines: list[str], cues: list[DomCues | None]) -> None:
    """What every rendering promises, whatever the page."""
    assert len(lines) == len(cues)
    for number, (line, cue) in enumerate(zip(lines, cues, strict=True)):
        assert "\n" not in line and "\r" not in line
        assert line == line.rstrip(" \t\f")
        assert (cue is None) == (not line.strip()), (number, line)
        if cue is not None:
            assert 0.0 <= cue.link_share <= 1.0
            assert cue.tag in BLOCK_TAGS
            assert cue.inside <= set(INSIDE_TAGS)
            assert cue.tokens <= set(CLASS_TOKENS)
            assert 0 <= cue.heading <= 6
    if lines:
        assert lines[0] and lines[-1], "no blank line at the start or the end"
    for above, below in zip(lines, lines[1:], strict=False):
        assert above or below, "never two blank lines in a row"


def mark_text_nodes(tree: LexborHTMLParser, mark) -> None:
    """Rewrite every text node of a parsed page, the way the corpus builder marks them."""
    for node in [n for n in tree.root.traverse(include_text=True) if n.is_text_node]:
        node.replace_with(mark(node.text_content))


# --- layout ----------------------------------------------------------------------------


def test_article_lines_exactly():
    lines, cues = render_html(ARTICLE)
    assert lines == ARTICLE_LINES
    assert_well_formed(lines, cues)


def test_paragraphs_and_headings_stand_apart_divs_only_break_the_line():
    page = "<h2>Title</h2><p>One</p><p>Two</p><div>Three</div><div>Four</div>text"
    assert lines_of(page) == ["Title", "", "One", "", "Two", "", "Three", "Four", "text"]


def test_whitespace_collapses_and_inline_elements_stay_on_the_line():
    page = "<p>  Hello\n\t <b>bold</b>,   <em>em</em>\nand <a href='#'>a link</a>. </p>"
    assert lines_of(page) == ["Hello bold, em and a link."]


def test_nested_lists_have_bullets_and_no_blank_lines_between_items():
    page = """<p>Before</p>
      <ul><li>One</li>
          <li>Two<ol><li>Two a</li><li>Two b</li></ol></li>
          <li>Three</li></ul>
      <p>After</p>"""
    assert lines_of(page) == [
        "Before", "", "  • One", "  • Two", "    • Two a", "    • Two b", "  • Three", "",
        "After",
    ]  # fmt: skip


def test_list_item_bullet_goes_on_its_first_line_only():
    page = "<ul><li><a href='#'>Headline</a><div>Teaser text</div></li><li></li><li>x</li></ul>"
    assert lines_of(page) == ["  • Headline", "Teaser text", "  • x"]


def test_table_cells_are_lines_and_the_table_a_paragraph():
    page = """<p>Scores</p><table>
      <tr><th>Team</th><th>Score</th></tr>
      <tr><td>Reds</td><td>3</td></tr></table>after"""
    assert lines_of(page) == ["Scores", "", "Team", "Score", "Reds", "3", "", "after"]
    assert cues_of(page, "Reds").tag == "td"
    assert "table" in cues_of(page, "Reds").inside
    assert cues_of(page, "Team").tag == "th"


def test_br_breaks_the_line_and_two_leave_a_blank_line():
    page = "<p>Line one<br>Line two<br><br>Line four</p><div>a<br></div><div>b</div>"
    assert lines_of(page) == ["Line one", "Line two", "", "Line four", "", "a", "b"]


def test_runs_of_br_leave_one_blank_line():
    assert lines_of("a" + "<br>" * 50 + "b") == ["a", "", "b"]


def test_pre_keeps_its_spaces_and_line_breaks():
    page = "<p>Code:</p><pre>  indented\n\tcode  \n\nlast</pre><p>end</p>"
    assert lines_of(page) == ["Code:", "", "  indented", "        code", "", "last", "", "end"]


def test_images_show_their_alt_text_only():
    page = '<p><img src="a.jpg" alt="A cat"> <img src="b.jpg"> <img src="c.jpg" alt=""></p>'
    assert lines_of(page) == ["A cat"]


def test_form_controls_show_button_labels_and_the_selected_option():
    page = """<form><label>Sort</label> <select><option>Newest</option>
      <option selected>Oldest</option></select> <input type="text" value="typed">
      <input type="submit" value="Go"> <button>Search</button>
      <textarea>draft</textarea></form>"""
    assert lines_of(page) == ["Sort Oldest Go Search"]


def test_entities_decode_and_no_break_spaces_stay():
    page = "<p>Fish &amp; chips &lt;3 &#8220;caf&eacute;&#8221; a&nbsp;b</p><p>&nbsp;</p><p>x</p>"
    lines, cues = render_html(page)
    assert lines == ["Fish & chips <3 “café” a\xa0b", "", "\xa0", "", "x"]
    assert cues[2] is None  # a line of no-break spaces is a blank line to the labeller


def test_a_bullet_of_no_break_spaces_still_has_cues():
    lines, cues = render_html("<ul><li>&nbsp;</li><li>x</li></ul>")
    assert lines == ["  • \xa0", "  • x"]
    assert cues[0] is not None  # the labeller sees the bullet as text


def test_a_page_cut_off_inside_its_title_is_still_read():
    page = "<html><head><title>Gaza crossings - Ne<p>First paragraph.</p><p>Second.</p>"
    assert lines_of(page) == ["Gaza crossings - Ne", "", "First paragraph.", "", "Second."]


def test_control_characters_from_references_are_dropped():
    assert lines_of("<p>a&#1;b\x02c</p>") == ["abc"]


def test_script_style_and_other_invisible_elements_are_skipped():
    page = """<head><title>Title</title><style>p { color: red }</style></head><body>
      <script>document.write("<p>not text</p>");</script>
      <template><p>template</p></template>
      <svg><text>svg text</text></svg>
      <iframe>iframe fallback</iframe>
      <video>Your browser does not support video.</video>
      <p>Visible<!-- a comment --> text</p></body>"""
    assert lines_of(page) == ["Visible text"]


def test_noscript_is_rendered_as_w3m_and_crawlers_see_it():
    """Discourse serves a thread's posts inside <noscript>: a crawl sees only them."""
    page = """<body><div id="main-outlet"></div>
      <noscript><div class="topic-body"><p>First post text.</p></div>
      <div class="topic-body"><p>A reply, <b>inline</b> <noscript>too</noscript>.</p></div>
      </noscript></body>"""
    assert lines_of(page) == ["First post text.", "", "A reply, inline too."]


def test_hidden_elements_are_skipped():
    page = """<p>Visible</p>
      <p hidden>hidden attribute</p>
      <div aria-hidden="true">aria hidden</div>
      <div aria-hidden="false">Aria shown</div>
      <div style="display: none">display none</div>
      <div style="color:red;DISPLAY:NONE">upper case</div>
      <span style="visibility:hidden">invisible</span>
      <div style="display:block">Display block</div>
      <dialog>closed dialog</dialog><dialog open>Open dialog</dialog>"""
    assert lines_of(page) == ["Visible", "", "Aria shown", "Display block", "Open dialog"]


# A page streamed by React's server renderer (Next.js app router): the article comes
# last, hidden, with the script that moves it into its placeholder.
STREAMED = """<body><header><a href="/">Home</a></header>
  <main><!--$?--><template id="B:0"></template><div>Loading article...</div><!--/$--></main>
  <footer>Privacy</footer>
  <div hidden id="S:0"><article><h1>Rates hold</h1><p>The bank kept rates.</p>
    <template id="P:1"></template></article></div>
  <script>$RC("B:0","S:0")</script>
  <div hidden id="S:1"><p>A late paragraph.</p></div><script>$RS("S:1","P:1")</script>
  <div hidden id="S:7"><p>A part with no placeholder.</p></div></body>"""


def test_streamed_parts_are_moved_into_their_placeholders():
    assert lines_of(STREAMED) == ["Home", "", "Rates hold", "", "The bank kept rates.", "",
                                  "A late paragraph.", "", "Privacy", "",
                                  "A part with no placeholder."]


def test_a_hidden_part_without_react_markup_stays_hidden():
    page = '<body><p>Text</p><div hidden id="Sidebar"><p>hidden</p></div></body>'
    assert lines_of(page) == ["Text"]


def test_empty_and_garbage_input():
    assert render_html("") == ([], [])
    assert render_html(b"") == ([], [])
    assert render_html("   \n\t ") == ([], [])
    lines, cues = render_html("\x00\x01<<<>>>&&&;;;<!-- <![CDATA[ </ </>")
    assert_well_formed(lines, cues)


# --- cues ------------------------------------------------------------------------------


def test_nav_menu_lines_are_links_inside_nav():
    cues = cues_of(ARTICLE, "  • World")
    assert cues.link_share == 1.0
    assert {"nav", "li", "a", "header"} <= cues.inside
    assert {"menu", "nav", "header"} <= cues.tokens
    assert cues.tag == "li"


def test_link_share_counts_visible_characters():
    cues = cues_of("<p>Hello <b>bold</b> and <a href='#'>a link</a>.</p>", "Hello bold and a link.")
    assert cues.link_share == pytest.approx(5 / 18)  # "alink" of "Hellobold" "and" "alink."
    assert cues_of(ARTICLE, "Russian President Vladimir Putin met Iranian President Masoud "
                   "Pezeshkian on Friday.").link_share == 0.0  # fmt: skip


def test_headings_and_block_tags():
    cues = cues_of(ARTICLE, "Quick Looks")
    assert cues.heading == 2 and cues.tag == "h2"
    assert cues_of(ARTICLE, "Putin Meets Iranian President in Turkmenistan").heading == 1
    paragraph = cues_of(ARTICLE, "The leaders discussed the Middle East & Ukraine.")
    assert paragraph.heading == 0 and paragraph.tag == "p"
    assert cues_of("<h3><span>Inside <b>a heading</b></span></h3>", "Inside a heading").heading == 3


def test_depth_is_the_element_depth_of_the_block():
    lines, cues = render_html("<div><div><p>deep</p></div></div><p>shallow</p>")
    assert [c.depth for c in cues if c] == [4, 2]  # html 0, body 1, div 2, div 3, p 4


def test_comment_section_cues():
    cues = cues_of(ARTICLE, "Well done NATO, NOT.")
    assert "comment" in cues.tokens and "body" in cues.tokens
    assert "li" in cues.inside
    author = cues_of(ARTICLE, "  • thaibeachlovers said:")
    assert {"comment", "author"} <= author.tokens
    assert "comment" in cues_of(ARTICLE, "Leave a Reply").tokens  # id="respond"
    form = cues_of(ARTICLE, "Comment Post Comment")
    assert {"form", "label"} <= form.inside


def test_page_regions_are_recorded():
    assert "footer" in cues_of(ARTICLE, "© 2024 Newslooks. Privacy").inside
    assert "footer" in cues_of(ARTICLE, "© 2024 Newslooks. Privacy").tokens
    related = cues_of(ARTICLE, "TikTok criticizes US House bill")
    assert "aside" in related.inside and {"related", "sidebar"} <= related.tokens
    assert related.link_share == 1.0
    byline = cues_of(ARTICLE, "By J. Mansour · Oct. 11, 2024")
    assert {"time", "a", "article"} <= byline.inside and "byline" in byline.tokens
    caption = cues_of(ARTICLE, "Putin listens to Pezeshkian. (AP Photo)")
    assert caption.tag == "figcaption" and {"figure", "figcaption"} <= caption.inside


def test_cues_round_trip_and_format():
    cues = cues_of(ARTICLE, "  • World")
    assert DomCues.from_dict(cues.to_dict()) == cues
    assert format_cues(cues) == ("li@5 h0 link=1.00 in=a,header,li,nav cls=header,main,menu,nav"
                                 f" box={cues.box} content=0.00")
    assert cues.box >= 0
    paragraph = cues_of(ARTICLE, ARTICLE_LINES[10])
    assert DomCues.from_dict(paragraph.to_dict()) == paragraph
    # The article is the best container; this paragraph's div scores 0.96 of it.
    assert format_cues(paragraph).endswith(" content=0.96 top")
    assert format_cues(None) == ""


# --- class and id tokens ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("comments", {"comment"}),
        ("commentlist", {"comment", "list"}),
        ("comment-body", {"comment", "body"}),
        ("disqus_thread", {"comment"}),
        ("respond", {"comment"}),
        ("ipsComment_content", {"comment", "content"}),
        ("related-posts", {"related", "post"}),
        ("relatedArticles", {"related", "article"}),
        ("more-stories", {"related", "more", "story"}),
        ("jp-relatedposts", {"related", "post"}),
        ("read-more", {"more"}),
        ("sharedaddy share-buttons", {"share", "button"}),
        ("sidebar-widget", {"sidebar", "widget"}),
        ("entry-content", {"entry", "content"}),
        ("ad-slot", {"ad"}),
        ("adsbygoogle", {"ad"}),
        ("navbar topnav", {"nav"}),
        ("breadcrumbs", {"breadcrumb"}),
        ("post-12345", {"post"}),
        ("mostPopular", {"popular"}),
        ("cookie-banner", {"cookie", "banner"}),
        ("newsletterSignup", {"newsletter", "subscribe"}),
    ],
)
def test_class_tokens(value, expected):
    assert class_tokens(value) == expected


@pytest.mark.parametrize(
    "value", ["header", "shadow", "download", "load", "padding", "address", "commentary"]
)
def test_class_tokens_do_not_match_inside_other_words(value):
    assert "ad" not in class_tokens(value)
    assert "comment" not in class_tokens(value)


def test_vocabularies_are_stable_tuples():
    for vocabulary in (CLASS_TOKENS, INSIDE_TAGS, BLOCK_TAGS):
        assert isinstance(vocabulary, tuple)
        assert len(set(vocabulary)) == len(vocabulary)
        assert all(re.fullmatch(r"[a-z][a-z0-9]*", word) for word in vocabulary)
    required = {
        "comment", "related", "share", "social", "footer", "header", "sidebar", "menu", "nav",
        "byline", "author", "caption", "promo", "ad", "sponsor", "widget", "breadcrumb", "tag",
        "meta", "date", "newsletter", "subscribe", "login", "cookie", "banner", "article",
        "content", "story", "body", "post", "entry", "main", "text", "title", "headline",
        "reply", "rating", "recommend", "popular", "teaser", "list", "more",
    }  # fmt: skip
    assert required <= set(CLASS_TOKENS)
    assert {"nav", "header", "footer", "aside", "form", "button", "li", "blockquote", "figure",
            "figcaption", "time"} <= set(INSIDE_TAGS)  # fmt: skip


# --- markers ---------------------------------------------------------------------------


def test_a_marker_before_a_text_node_is_on_that_texts_line():
    page = "<p>\ue000First paragraph.</p><ul><li>\ue001Item <b>\ue002bold</b></li></ul>"
    assert lines_of(page) == ["\ue000First paragraph.", "", "  • \ue001Item \ue002bold"]


def test_whitespace_collapses_through_markers():
    assert lines_of("<p> \ue000 Hello \ue001  <b>world</b> \ue002 </p>") == [
        "\ue000Hello \ue001world\ue002"
    ]


def test_markers_between_blocks_go_to_the_next_line():
    assert lines_of("<div>One</div>\ue003\n<div>Two</div>\ue004") == ["One", "\ue003Two\ue004"]


@pytest.mark.parametrize(
    "mark",
    [
        lambda text: "\ue001" + text if text.strip() else text,  # every run of text
        lambda text: re.sub(r"(?:(?<=\s)|^)\S", lambda m: m.group() + "\ue002", text),  # words
        lambda text: "\ue003" + text + "\ue004",  # whitespace-only nodes too
    ],
    ids=["runs", "words", "everywhere"],
)
def test_markers_change_nothing_but_themselves(mark):
    """Rendering a marked page and deleting the markers gives the unmarked
    rendering exactly: the same lines and the same cues."""
    plain = render_tree(LexborHTMLParser(ARTICLE))
    tree = LexborHTMLParser(ARTICLE)
    mark_text_nodes(tree, mark)
    lines, cues = render_tree(tree)
    assert any(MARKER.search(line) for line in lines)
    assert [MARKER.sub("", line) for line in lines] == plain[0]
    assert cues == plain[1]


def test_render_tree_renders_a_parsed_page():
    tree = LexborHTMLParser(ARTICLE)
    assert render_tree(tree, markers=False) == render_html(ARTICLE)
    assert render_tree(tree) == render_html(ARTICLE)  # and leaves the tree as it was


# --- encodings -------------------------------------------------------------------------


def test_cp1252_page_with_declared_charset():
    page = '<html><head><meta charset="windows-1252"></head><body><p>“Café” – naïve €5</p>'
    data = page.encode("cp1252")
    result = read_html(data)
    assert result.lines == ["“Café” – naïve €5"]
    assert result.meta["encoding"] == "cp1252"


def test_utf8_page_with_bom():
    data = codecs.BOM_UTF8 + "<p>Zürich – 東京</p>".encode()
    page = read_html(data)
    assert page.lines == ["Zürich – 東京"]
    assert page.meta["encoding"] == "utf-8"


def test_a_lying_charset_declaration_loses_to_the_bytes():
    utf8 = '<meta charset="iso-8859-1"><p>Crème brûlée – ça va</p>'.encode()
    assert read_html(utf8).lines == ["Crème brûlée – ça va"]
    cp1252 = '<meta charset="utf-8"><p>Crème brûlée – ça va</p>'.encode("cp1252")
    assert read_html(cp1252).lines == ["Crème brûlée – ça va"]


def test_render_html_decodes_bytes_too():
    assert render_html("<p>Grüße</p>".encode("utf-16"))[0] == ["Grüße"]


# --- read_html -------------------------------------------------------------------------


def test_read_html_makes_an_html_page():
    page = read_html(ARTICLE.encode(), id="p1", source="test", url="https://example.com/a")
    assert isinstance(page, Page)
    assert page.kind == "html"
    assert page.lines == ARTICLE_LINES
    assert page.cues is not None and len(page.cues) == len(page.lines)
    assert (page.id, page.source, page.url) == ("p1", "test", "https://example.com/a")
    assert read_html(ARTICLE).lines == ARTICLE_LINES  # str in: nothing to decode


@pytest.mark.parametrize(
    "data",
    [b"", "", b"\x00" * 1000, bytes(range(256)) * 50, b"\xff\xfe\x00<", b"<", "\ud800<p>x"],
    ids=["empty-bytes", "empty-str", "nuls", "all-bytes", "bad-bom", "lt", "lone-surrogate"],
)
def test_read_html_never_raises(data):
    page = read_html(data)
    assert page.kind == "html"
    assert_well_formed(page.lines, page.cues)


def test_read_html_turns_a_renderer_failure_into_an_empty_page(monkeypatch):
    def broken(html, cues=True):
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(html_reader, "render_page", broken)
    page = read_html(b"<p>text</p>", id="bad")
    assert page.lines == [] and page.cues == [] and page.kind == "html"


# --- pathological inputs ---------------------------------------------------------------


def _render_in_time(html: str) -> tuple[list[str], list[DomCues | None]]:
    start = time.perf_counter()
    lines, cues = render_html(html)
    assert time.perf_counter() - start < PATHOLOGICAL_SECONDS
    assert_well_formed(lines, cues)
    return lines, cues


def test_100000_nested_divs():
    lines, cues = _render_in_time("<div>" * 100_000 + "deep" + "</div>" * 100_000)
    assert lines == ["deep"]
    lines, _ = _render_in_time("<div>" * 100_000 + "unclosed")
    assert lines == ["unclosed"]


def test_100000_nested_inline_elements_walk_without_recursion():
    lines, cues = _render_in_time("<span>" * 100_000 + "deep")
    assert lines == ["deep"] and cues[0].tag == "body"  # spans are no blocks: a line of <body>
    lines, _ = _render_in_time("<ul><li>" * 50_000 + "item")
    assert lines == ["                • item"]  # indentation stops deepening


def test_200000_br():
    lines, _ = _render_in_time("first" + "<br>" * 200_000 + "last")
    assert lines == ["first", "", "last"]


def test_10_mb_text_node():
    lines, _ = _render_in_time("<p>" + "word " * 2_000_000 + "</p>")
    assert len(lines) == 1 and len(lines[0]) == 5 * 2_000_000 - 1
    lines, _ = _render_in_time("x" * 10_000_000)
    assert lines == ["x" * 10_000_000]


def test_many_blocks():
    lines, _ = _render_in_time("<p>x</p>" * 100_000)
    assert len(lines) == 2 * 100_000 - 1


# --- real pages ------------------------------------------------------------------------


def _real_pages(folder: Path, count: int) -> list[Path]:
    if not folder.is_dir():
        pytest.skip(f"{folder} is not here")
    return sorted(folder.glob("*.html"))[:count]


def test_real_pages_smoke():
    paths = _real_pages(DRAGNET_HTML, 5) + _real_pages(L3S_HTML, 5)
    seen_links = seen_headings = seen_bullets = 0
    for path in paths:
        start = time.perf_counter()
        page = read_html(path.read_bytes(), id=path.stem)
        assert time.perf_counter() - start < PATHOLOGICAL_SECONDS
        assert_well_formed(page.lines, page.cues)
        assert len(page.content_indices()) >= 10, path
        seen_links += any(c and c.link_share == 1.0 for c in page.cues)
        seen_headings += any(c and c.heading for c in page.cues)
        seen_bullets += any(line.startswith("  • ") for line in page.lines)
    assert seen_links == len(paths)
    assert seen_headings and seen_bullets


def test_markers_change_nothing_on_real_pages():
    for path in _real_pages(DRAGNET_HTML, 3) + _real_pages(L3S_HTML, 3):
        text = MARKER.sub("", path.read_bytes().decode("utf-8", "replace"))
        plain = render_tree(LexborHTMLParser(text))
        tree = LexborHTMLParser(text)
        mark_text_nodes(tree, lambda t: "\ue000" + re.sub(r"(?<=\s)(\S)", "\\1\ue001", t))
        lines, cues = render_tree(tree)
        assert [MARKER.sub("", line) for line in lines] == plain[0], path
        assert cues == plain[1], path


def test_without_cues_the_lines_are_the_same():
    pages = [ARTICLE]
    for folder in (DRAGNET_HTML, L3S_HTML):
        pages += [p.read_bytes() for p in sorted(folder.glob("*.htm*"))[:20]] if folder.is_dir() \
            else []
    for html in pages:
        lines, cues = render_html(html)
        assert render_html(html, cues=False) == (lines, None)
    page = read_html(ARTICLE, cues=False)
    assert page.lines == read_html(ARTICLE).lines and page.cues is None


def test_roles_and_microdata_name_parts_of_the_page_as_classes_do():
    html = ("<div role='navigation'><a href='/'>Home</a></div>"
            "<div itemprop='articleBody'><p>The story itself.</p></div>"
            "<div role='complementary'><p>Most read</p></div>"
            "<div role='contentinfo'><p>About us</p></div>")
    lines, cues = render_html(html)
    tokens = {line: cue.tokens for line, cue in zip(lines, cues, strict=True) if cue}
    assert tokens == {"Home": {"nav"}, "The story itself.": {"article", "body"},
                      "Most read": {"sidebar"}, "About us": {"footer"}}


def test_page_title_prefers_og_title_and_reads_only_the_head():
    from selectolax.lexbor import LexborHTMLParser

    from cleaner.readers.html.title import page_title

    def title(html):
        return page_title(LexborHTMLParser(html))

    assert title("<head><title>Site | Story</title>"
                 "<meta property='og:title' content=' The  story '></head>") == "The story"
    assert title("<head><title>\n Site | Story \n</title></head>") == "Site | Story"
    assert title("<body><p>no head</p><meta property='og:title' content='x'></body>") == ""
