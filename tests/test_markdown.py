"""Markdown output (cleaner/markdown.py, readers/html/markdown.py): the kept lines, and
only they, with the structure the page gave.

The checked files in tests/data/markdown/ were read line by line against their
pages by a person: the project's example page and dump as `cleaner clean
--format markdown` writes them (the model's choice of lines), and two pages
written for these tests with every line kept (`--keep` all four labels), which
holds them to the renderer alone, whatever a retrained model keeps.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import DATASETS, REPO, invoke
from selectolax.lexbor import LexborHTMLParser

from cleaner import Cleaner
from cleaner.batch.sinks import PAGE_SEPARATOR
from cleaner.document import MarkdownLine, Page
from cleaner.labels import LABELS, join_kept
from cleaner.markdown import dump_markdown_lines, escape_inline, markdown_text, page_markdown
from cleaner.readers.decode import decode_bytes
from cleaner.readers.html import render
from cleaner.readers.html.render import read_html, render_markdown, render_tree

DATA = REPO / "tests" / "data" / "markdown"
EXAMPLES = REPO / "examples"
EVERY_LABEL = ",".join(LABELS)
KEEP_ALL = frozenset(LABELS)
OWN_PAGES = ("council_results.html", "backup_guide.html")


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner.load()


def markdown_of(html: str, *, links: bool = False, url: str | None = None) -> str:
    """The markdown of a page with every line kept: the renderer's part alone."""
    page = read_html(html, markdown=True, links=links, url=url)
    labels = ["body" if cue is not None else None for cue in page.cues]
    return page_markdown(page, labels, KEEP_ALL)


# --- the checked files ----------------------------------------------------------------------

@pytest.mark.parametrize("example", ["article.html", "article.txt"])
def test_the_examples_markdown_is_the_checked_file(example):
    result = invoke("clean", EXAMPLES / example, "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout == (DATA / f"{example}.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", OWN_PAGES)
def test_every_line_of_a_page_as_markdown_is_the_checked_file(page):
    result = invoke("clean", DATA / page, "--format", "markdown", "--links",
                    "--keep", EVERY_LABEL)
    assert result.exit_code == 0
    assert result.stdout == (DATA / page).with_suffix(".md").read_text(encoding="utf-8")


def test_the_python_api_gives_the_markdown_the_cli_writes(cleaner):
    html = (EXAMPLES / "article.html").read_text(encoding="utf-8")
    plain = cleaner.clean(html)
    result = cleaner.clean(html, markdown=True)
    assert result.markdown + "\n" == (DATA / "article.html.md").read_text(encoding="utf-8")
    # The same page, lines, labels and text as without markdown; markdown only when asked.
    assert (result.text, result.line_texts, result.labels) == (plain.text, plain.line_texts,
                                                                plain.labels)
    assert plain.markdown is None and result.title == plain.title
    page = (DATA / "council_results.html").read_text(encoding="utf-8")
    linked = cleaner.clean(page, url="https://www.ellisfordcourier.example/politics/x",
                           markdown=True, links=True, keep=KEEP_ALL)
    assert linked.markdown + "\n" == (DATA / "council_results.md").read_text(encoding="utf-8")


def test_clean_many_and_a_page_read_without_markdown(cleaner):
    html = (EXAMPLES / "article.html").read_text(encoding="utf-8")
    many = list(cleaner.clean_many([html, "  • one\n  • two\n"], markdown=True,
                                   keep=KEEP_ALL))
    assert many[0].markdown == cleaner.clean(html, markdown=True, keep=KEEP_ALL).markdown
    assert many[1].markdown == "- one\n- two"
    # A Page read without markdown: written as a dump is, from its lines.
    page = read_html(html)
    assert page.markdown is None
    assert "\n- News\n" in cleaner.clean(page, markdown=True, keep=KEEP_ALL).markdown


# --- the kept lines, and only they ---------------------------------------------------------

def rendered_text(markdown: str) -> str:
    """The text a CommonMark reader shows of `markdown`, without whitespace."""
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(markdown)
    body = LexborHTMLParser(html).body
    return "".join((body.text(separator="") if body is not None else "").split())


def kept_text(page: Page, labels: list[str | None], keep: frozenset[str]) -> str:
    """The kept lines without their layout bullets, without whitespace."""
    lines = [re.sub(r"^\s*• ?", "", line) if found is not None and found.marker else line
             for line, found in zip(page.lines, page.markdown, strict=True)]
    return "".join(join_kept(lines, labels, keep).split())


@pytest.mark.parametrize("name", ["article.html", *OWN_PAGES])
def test_markdown_reads_back_as_the_kept_text(cleaner, name):
    path = EXAMPLES / name if name.startswith("article") else DATA / name
    page = read_html(path.read_bytes(), markdown=True, links=True, url="https://x.example/")
    result = cleaner.clean(page, markdown=True)
    assert rendered_text(result.markdown) == kept_text(page, result.labels, cleaner.keep)


def test_the_held_out_pages_lay_out_alike_and_read_back_as_their_text():
    """On every held-out page of the datasets: the markdown walk gives the default walk's
    lines and cues exactly, and its markdown of every line reads back as their text."""
    if not DATASETS.is_dir():
        pytest.skip("../shared/datasets is not beside the checkout")
    from cleaner.training.corpus import page_records

    differ, unread = [], []
    for record in (r for r in page_records(DATASETS) if r.split == "heldout"):
        html = decode_bytes(record.html_path.read_bytes(), html=True)[0]
        tree = LexborHTMLParser(html)
        lines, cues, found = render_markdown(tree, markers=False, links=True,
                                             url="https://x.example/a/", html=html)
        if (lines, cues) != render_tree(tree, markers=False) or len(found) != len(lines):
            differ.append(record.source)
            continue
        page = Page(lines=lines, kind="html", cues=cues, markdown=found)
        labels = ["body" if cue is not None else None for cue in cues]
        if rendered_text(page_markdown(page, labels, KEEP_ALL)) != kept_text(page, labels,
                                                                              KEEP_ALL):
            unread.append(record.source)
    assert (differ, unread) == ([], [])


def test_reading_for_markdown_takes_the_python_walk_the_rest_the_compiled_one(monkeypatch):
    if not render.USE_COMPILED:
        pytest.skip("the compiled walk is not in use here")
    calls, compiled = [], render.walk_c
    monkeypatch.setattr(render, "walk_c", lambda root, cues: calls.append(cues) or compiled(
        root, cues))
    assert read_html("<p>plain</p>").markdown is None and calls == [True]
    page = read_html("<p>plain</p>", markdown=True)
    assert page.lines == ["plain"] and page.markdown == [MarkdownLine("plain")]
    assert calls == [True]


# --- inline markdown ------------------------------------------------------------------------

@pytest.mark.parametrize(("html", "expected"), [
    ("<p>a <b>bold </b>word</p>", "a **bold** word"),
    ("<p>a<b> bold</b> word</p>", "a **bold** word"),
    ("<p>a <b> </b>b <i></i>c</p>", "a b c"),  # spans without text leave none
    ("<p><b>F</b><b>O</b><i>x</i></p>", "**FO***x*"),  # </b><b>: one span
    ("<p><b><strong>twice</strong></b></p>", "**twice**"),
    ("<p><b>one<br>two</b></p>", "**one**\n\n**two**"),  # across a line break
    ("<h2>A <em>big</em> day</h2>", "## A big day"),  # a heading stands out already
    ("<p>word<b>\"quoted\"</b></p>", "word\"quoted\""),  # markdown would not read it
    ("<p><b>Q:</b> and <i>\"so\"</i>.</p>", "**Q:** and *\"so\"*."),
    ("<p>2 * 3 = x_1 + _y_ [1] `c` <b>&lt;tag&gt; &amp;amp; a\\b</b></p>",
     "2 \\* 3 = x_1 + \\_y\\_ \\[1\\] \\`c\\` **\\<tag> \\&amp; a\\\\b**"),
])
def test_inline_markdown(html, expected):
    assert markdown_of(html) == expected


@pytest.mark.parametrize(("html", "url", "expected"), [
    ("<p>See <a href='/x'>this</a>.</p>", "https://site.example/a/b",
     "See [this](https://site.example/x)."),
    ("<p><a href='x y(1)'>rel</a></p>", "https://site.example/a/",
     "[rel](https://site.example/a/x%20y%281%29)"),
    ("<p><a href='https://other.example/p\n?q=1'>abs</a></p>", None,
     "[abs](https://other.example/p?q=1)"),
    ("<p><a href='javascript:go()'>Print</a> <a href='/up'><img src=u.gif></a></p>", None,
     "Print"),
    ("<p>me!<a href='/p'>preview</a></p>", None, "me\\![preview](/p)"),  # not an image
    ("<head><base href='https://b.example/dir/'></head><p><a href='../x'>b</a></p>", None,
     "[b](https://b.example/x)"),
])
def test_links(html, url, expected):
    assert markdown_of(html, links=True, url=url) == expected
    assert "](" not in markdown_of(html)  # no links unless asked


# --- blocks -------------------------------------------------------------------------------

def test_lists_number_and_nest_as_the_page_says():
    html = ("<ol start=3><li>three<li>four<ul><li>nested<ol><li>deep</ol></ul>"
            "<li value=10>ten<p>more of ten</p></ol><ul><li>after</ul>")
    assert markdown_of(html) == ("3. three\n4. four\n   - nested\n     1. deep\n10. ten\n\n"
                                 "    more of ten\n\n- after")


def test_quotes_and_code_blocks():
    html = ("<blockquote><p>one</p><blockquote><p>two</p></blockquote></blockquote>"
            "<pre>  x = 1\n\n  ```y```</pre>")
    assert markdown_of(html) == "> one\n>\n> > two\n\n````\n  x = 1\n\n  ```y```\n````"


def test_a_data_table_is_a_pipe_table():
    html = ("<table><caption>Cap</caption><tr><th>A<th colspan=2>B|C<tr><td>1<td>2<td>3"
            "<tr><td><p>long</p><p>cell</p><td><td>x</table>")
    assert markdown_of(html) == ("Cap\n\n| A | B\\|C |  |\n|---|---|---|\n| 1 | 2 | 3 |\n"
                                 "| long cell |  | x |")


@pytest.mark.parametrize(("html", "expected"), [
    # a table in a table: the outer one is layout, the inner one data
    ("<table><tr><td>menu<td><table><tr><td>a<td>b<tr><td>c<td>d</table></table>",
     "menu\n\n| a | b |\n|---|---|\n| c | d |"),
    ("<table><tr><td>one column<tr><td>two rows</table>", "one column\n\ntwo rows"),
    ("<table><tr><td>one row<td>b</table>", "one row\n\nb"),
    ("<table><tr><td><h2>Title</h2><td>b<tr><td>c<td>d</table>", "## Title\n\nb\n\nc\n\nd"),
    ("<table><tr><td>1<br>2<br>3<br>4<td>b<tr><td>c<td>d</table>",
     "1\n\n2\n\n3\n\n4\n\nb\n\nc\n\nd"),
    (f"<table><tr><td>{'word ' * 90}<td>b<tr><td>c<td>d</table>",
     f"{('word ' * 90).strip()}\n\nb\n\nc\n\nd"),
])
def test_a_table_of_page_layout_gives_paragraphs(html, expected):
    assert markdown_of(html) == expected


def test_the_kept_lines_and_only_they():
    page = read_html("<ul><li>parent<ul><li>child<li>second</ul></ul><p>after</p>"
                     "<table><tr><th>h1<th>h2<tr><td>a<td>b<tr><td>c<td>d</table>",
                     markdown=True)
    assert page.lines[:3] == ["  • parent", "    • child", "    • second"]
    labels = ["body" if cue is not None else None for cue in page.cues]
    labels[0] = "nav"  # the parent item dropped: its children move up, read as a list
    labels[page.lines.index("h2")] = labels[page.lines.index("c")] = "nav"
    assert page_markdown(page, labels, frozenset({"body"})) == (
        "- child\n- second\n\nafter\n\n| h1 |  |\n|---|---|\n| a | b |\n|  | d |")


def test_items_of_two_lists_and_escaped_line_starts():
    found = [MarkdownLine("a", marker="- "), None, MarkdownLine("b", marker="- "),
             MarkdownLine("# not a heading"), MarkdownLine("1. not an item"),
             MarkdownLine("- nor this"), MarkdownLine("---"), MarkdownLine("~~~ fence"),
             MarkdownLine("> no quote")]
    lines = ["x" if line is not None else "" for line in found]
    labels = ["body" if line is not None else None for line in found]
    assert markdown_text(found, lines, labels, frozenset({"body"})).split("\n") == [
        "- a", "", "- b", "", "\\# not a heading", "", "1\\. not an item", "",
        "\\- nor this", "", "\\---", "", "\\~~~ fence", "", "\\> no quote"]


def test_escape_inline_leaves_words_alone():
    assert escape_inline("snake_case and IMG_2041.JPG") == "snake_case and IMG_2041.JPG"
    assert escape_inline("_start end_ *a* [b] <i> &copy;") == (
        "\\_start end\\_ \\*a\\* \\[b\\] \\<i> \\&copy;")


# --- text dumps -----------------------------------------------------------------------------

def test_a_dumps_list_items_as_the_lines_tell():
    lines = ["Headline of the story", "", "  • one", "    • nested", "  • two", "",
             " 1. first", " 2. second", "", "2. Bundesliga: a lone number is a paragraph",
             "", "- dash", "- items", "",
             " " * 40 + "1. centred", " " * 42 + "2. text"]
    found = dump_markdown_lines(lines)
    labels = ["body" if line.strip() else None for line in lines]
    assert markdown_text(found, lines, labels, frozenset({"body"})).split("\n") == [
        "Headline of the story", "", "- one", "  - nested", "- two", "", "1. first",
        "2. second", "", "2\\. Bundesliga: a lone number is a paragraph", "", "- dash",
        "- items", "", "1. centred", "2. text"]


def test_a_dump_gets_no_headings(cleaner):
    result = cleaner.clean((EXAMPLES / "article.txt").read_text(encoding="utf-8"),
                           markdown=True)
    assert result.title and not result.markdown.startswith("#")
    assert result.markdown.startswith(result.title)


# --- the command line -----------------------------------------------------------------------

def test_markdown_files_under_a_folder_and_one_file(tmp_path):
    result = invoke("clean", DATA / "council_results.html", DATA / "backup_guide.html",
                    "--format", "markdown", "-o", tmp_path / "out", "--jobs", "1")
    assert result.exit_code == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith("."))
    assert written == ["backup_guide.md", "council_results.md"]
    # A batch of pages (site stats on: pages kept until their sites are known) keeps theirs.
    table = "| Candidate | Party | Votes | Share |\n|---|---|---|---|\n| Tessa Morrow |"
    assert table in (tmp_path / "out" / "council_results.md").read_text(encoding="utf-8")
    single = tmp_path / "page.md"
    result = invoke("clean", EXAMPLES / "article.html", "--format", "markdown", "-o", single,
                    "--with-metadata")
    assert result.exit_code == 0
    header, _, markdown = single.read_text(encoding="utf-8").partition("\n---\n")
    assert header.startswith("---\ntitle: ")
    assert markdown == (DATA / "article.html.md").read_text(encoding="utf-8")


def test_markdown_pages_on_stdout_are_separated_as_text_pages_are():
    result = invoke("clean", EXAMPLES / "article.html", EXAMPLES / "article.txt",
                    "--format", "markdown", "--no-site-stats")
    assert result.exit_code == 0
    assert result.stdout.split(PAGE_SEPARATOR) == [
        (DATA / name).read_text(encoding="utf-8") for name in ("article.html.md",
                                                              "article.txt.md")]


def test_jsonl_records_carry_markdown_when_asked():
    asked = invoke("clean", DATA / "council_results.html", "--format", "jsonl", "--markdown",
                   "--links", "--keep", EVERY_LABEL)
    record = json.loads(asked.stdout)
    assert record["markdown"] + "\n" == (DATA / "council_results.md").read_text(
        encoding="utf-8")
    assert list(record).index("markdown") == list(record).index("text") + 1
    plain = json.loads(invoke("clean", DATA / "council_results.html", "--format", "jsonl").stdout)
    assert "markdown" not in plain


@pytest.mark.parametrize(("args", "said"), [
    (("--markdown",), "--markdown adds a markdown field to JSONL records"),
    (("--links",), "--links keeps links in markdown"),
    (("--format", "jsonl", "--links"), "--links keeps links in markdown"),
])
def test_markdown_options_without_markdown_output_say_so(args, said):
    result = invoke("clean", EXAMPLES / "article.html", *args)
    assert result.exit_code == 0 and said in result.stderr
    assert "[" not in result.stdout and "# " not in result.stdout


def test_markdown_in_the_help():
    text = invoke("clean", "--help").stdout
    assert "text|jsonl|markdown" in text and "--markdown" in text and "--links" in text
