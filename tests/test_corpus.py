"""Tests for the corpus builders (cleaner/training/corpus/)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.sites import registrable_domain
from cleaner.training.corpus import page_records
from cleaner.training.corpus.__main__ import app
from cleaner.training.corpus.align import GoldText, align_lines, best_chain, find_runs, tokens
from cleaner.training.corpus.build import build_records
from cleaner.training.corpus.cleaneval import gold_text as cleaneval_gold
from cleaner.training.corpus.dragnet import SEPARATOR, split_gold
from cleaner.training.corpus.l3s import N_CLASSES, class_of_tag, gold_texts, label_annotated
from cleaner.training.corpus.markers import insert_markers, read_markers
from cleaner.training.corpus.readability import html_text
from cleaner.training.corpus.render import W3M, W3M_MARKER_BASE, Renderer, neutralise_charset
from cleaner.training.corpus.split import (
    HELDOUT,
    TRAIN,
    host_from_html,
    most_linked_host,
    split_of,
)
from cleaner.training.corpus.validate import confusion
from cleaner.training.labelfile import read_label_file

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
needs_w3m = pytest.mark.skipif(shutil.which("w3m") is None, reason="w3m is not installed")
needs_datasets = pytest.mark.skipif(not DATASETS.is_dir(), reason="../shared/datasets is absent")

BASE = W3M_MARKER_BASE
M = [chr(BASE + k) for k in range(N_CLASSES)]  # the six markers, by class


# --- the marker method -------------------------------------------------------

ANNOTATED_PAGE = """<html><head><title>Not rendered</title>
<style>.x-nc-sel1 { color: red }</style><script>var s = "<span>x</span>";</script></head>
<body>
<div><a href="/">Home</a> | <a href="/news">News</a></div>
<h1><span class="x-nc-sel1">Storm hits the coast</span></h1>
<p><span class="x-nc-sel3">By A. Reporter</span></p>
<p><span class="x-nc-sel2">The storm hit the coast on Monday, and thousands of people left
their homes before the water rose.</span> <span class="x-nc-sel0">Share</span></p>
<p><span class="x-nc-sel4">More:</span> <span class="x-nc-sel5">I watched it from my window
and it was the worst storm in years.</span></p>
<ul><li><span class="x-nc-sel4">Another storm story</span></li></ul>
<form><input type="text" name="q"></form>
<p>Copyright 2008</p>
</body></html>"""


def test_insert_markers_marks_every_word_by_its_innermost_class() -> None:
    marked = insert_markers(
        '<p>Top <span class="x-nc-sel2">a <b>bold</b> &amp; <span class="x-nc-sel5">c</span></span>'
        '<img alt="Pic" src="x.gif"></p><script>if (a < b) {}</script>',
        class_of_tag,
        BASE,
        N_CLASSES,
    )
    assert marked == (
        f'<p>T{M[0]}op <span class="x-nc-sel2">a{M[2]} <b>b{M[2]}old</b> &amp;{M[2]} '
        f'<span class="x-nc-sel5">c{M[5]}</span></span><img alt="P{M[0]}ic" src="x.gif"></p>'
        "<script>if (a < b) {}</script>"
    )


def test_insert_markers_leaves_form_control_text_alone() -> None:
    marked = insert_markers(
        "<select><option>One</option></select><textarea>Two</textarea>", class_of_tag, BASE, 6
    )
    assert marked == "<select><option>One</option></select><textarea>Two</textarea>"


def test_read_markers_gives_a_line_the_class_of_most_of_its_characters() -> None:
    lines = [
        f"T{M[2]}he s{M[2]}torm h{M[2]}it t{M[2]}he coast S{M[0]}hare",
        f"M{M[4]}ore: I{M[5]} watched it from my window",
        f"c{M[5]}ontinued without a marker at the start? no: w{M[0]}ith one",
        "",
        "[          ]",
    ]
    stripped, classes = read_markers(lines, BASE, N_CLASSES)
    assert stripped[0] == "The storm hit the coast Share"
    assert classes[0] == 2  # 18 body characters against 5 nav
    assert classes[1] == 5  # "More:" is 5 related characters, the rest comment
    assert classes[2] == 5  # the "c" takes the marker after it; most text is before "with"
    assert classes[3] is None
    assert classes[4] == 0  # no marker on the line: a form field, nav


def test_read_markers_carries_the_class_across_lines_until_a_new_marker() -> None:
    stripped, classes = read_markers([f"a{M[2]}bc", "wrapped part", f"x{M[0]}y"], BASE, 6)
    # "wrapped part" has no marker of its own: a line without any marker is nav
    assert classes == [2, 0, 0]
    _, classes = read_markers([f"a{M[2]}bc", f"wrapped p{M[5]}art"], BASE, 6)
    # the characters before the line's first marker keep the class in force
    assert classes[1] == 2  # "wrapped " (7 chars) in body, "part" (4) in comment


@needs_w3m
def test_marker_labelling_with_w3m_on_a_hand_written_page() -> None:
    page = label_annotated(ANNOTATED_PAGE, W3M)
    labelled = {line.strip(): label for line, label in zip(page.lines, page.labels, strict=True)}
    assert page.exact  # the markers did not change w3m's layout
    assert labelled["Home | News"] == "nav"
    assert labelled["Storm hits the coast"] == "body"
    assert labelled["By A. Reporter"] == "nav"  # sel3, supplemental
    assert next(label for line, label in labelled.items() if line.endswith("rose. Share")) == "body"
    assert next(label for line, label in labelled.items() if line.startswith("More:")) == "comment"
    assert labelled["• Another storm story"] == "related"
    assert labelled["Copyright 2008"] == "nav"
    assert not any(chr(BASE + k) in "".join(page.lines) for k in range(N_CLASSES))


@needs_w3m
def test_markers_keep_w3m_table_layout() -> None:
    """A private-use marker takes a column in w3m and shifts table padding; ours must not."""
    page = (
        '<table><tr><td><span class="x-nc-sel2">a</span></td><td>b</td></tr>'
        "<tr><td>longer cell</td><td>c</td></tr></table>"
        '<table><tr><td width="60">Menu<br>Links</td><td width="90"><span class="x-nc-sel2">'
        "A long paragraph of article text that w3m has to wrap inside its narrow cell "
        "so that the menu and the article share lines.</span></td></tr></table>"
    )
    labelled = label_annotated(page, W3M)
    assert labelled.exact
    # a wrapped article line beside the menu column is still body by majority
    wrapped = [ln for ln in labelled.lines if ln.strip().startswith("Menu")]
    assert wrapped
    assert labelled.labels[labelled.lines.index(wrapped[0])] == "body"


def test_label_annotated_with_a_renderer_parameter() -> None:
    """Any function html -> lines works as a renderer: here, one line per <p>."""

    def render(html: str) -> tuple[list[str], None]:
        import re

        blocks = re.split(r"<p>", html)
        return [re.sub(r"<[^>]+>", "", block).strip() for block in blocks if block.strip()], None

    renderer = Renderer("toy", render, 0xE000)
    page = label_annotated(
        '<p><span class="x-nc-sel2">Body text of the story</span><p>'
        '<span class="x-nc-sel5">A reader comment</span> <span class="x-nc-sel0">Reply</span>',
        renderer,
    )
    assert page.lines == ["Body text of the story", "A reader comment Reply"]
    assert page.labels == ["body", "comment"]
    assert page.exact


def test_gold_texts_of_an_annotated_page_follow_page_order() -> None:
    body, comments = gold_texts(ANNOTATED_PAGE)
    assert body.startswith("Storm hits the coast The storm hit the coast on Monday")
    assert "Share" not in body and "Reporter" not in body
    assert comments == "I watched it from my window and it was the worst storm in years."


def test_neutralise_charset_declares_utf8() -> None:
    html = (
        '<meta charset="iso-8859-1">'
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    )
    assert neutralise_charset(html) == (
        '<meta charset="utf-8"><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    )


# --- alignment ---------------------------------------------------------------

PAGE_LINES = [
    "Home | News | Share",
    "",
    "Storm hits the coast",
    "",
    "Share",
    "",
    "The storm hit the coast on Monday, and thousands of people left their homes.",
    "",
    "Officials told families to share shelters and to stay indoors until Friday. Advertisement",
    "",
    "Home",
    "",
    "Related: Storm hits the coast",
    "  • Storm hits the coast",
    "",
    "Comments",
    "Alice: I watched it from my window and it was scary",
    "Reply",
    "",
    "━━━━━━━━━━",
]
GOLD_BODY = (
    "Storm hits the coast\n\nThe storm hit the coast on Monday, and thousands of people "
    "left their homes.\nOfficials told families to share shelters and to stay indoors until "
    "Friday.\n\nHome is where the heart is, said one."
)
GOLD_COMMENTS = "Alice: I watched it from my window and it was scary"


def test_alignment_on_a_hand_written_page() -> None:
    gold = GoldText.from_parts([("body", GOLD_BODY), ("comment", GOLD_COMMENTS)])
    labels = align_lines(PAGE_LINES, gold).labels
    labelled = list(zip(PAGE_LINES, labels, strict=True))
    assert labelled == [
        ("Home | News | Share", "nav"),
        ("", None),
        ("Storm hits the coast", "body"),
        ("", None),
        ("Share", "nav"),  # "share" is in the gold, but not here
        ("", None),
        (PAGE_LINES[6], "body"),
        ("", None),
        (PAGE_LINES[8], "body"),  # partly in gold: most of its characters are
        ("", None),
        ("Home", "nav"),  # "home" opens a gold sentence that is not on the page
        ("", None),
        ("Related: Storm hits the coast", "nav"),  # a second copy of the headline
        ("  • Storm hits the coast", "nav"),
        ("", None),
        ("Comments", "nav"),
        (PAGE_LINES[16], "comment"),
        ("Reply", "nav"),
        ("", None),
        ("━━━━━━━━━━", "nav"),
    ]


def test_alignment_takes_the_headline_next_to_the_text() -> None:
    lines = ["Storm hits the coast", "Home", "Storm hits the coast", "By A. Reporter",
             "The storm hit the coast on Monday and people left."]  # fmt: skip
    gold = GoldText.from_parts([("body", "Storm hits the coast\n" + lines[-1])])
    assert align_lines(lines, gold).labels == ["nav", "nav", "body", "nav", "body"]


def test_alignment_counts_the_gold_words_it_matched() -> None:
    gold = GoldText.from_parts([("body", "one two three four"), ("comment", "five six")])
    alignment = align_lines(["one two three four", "nothing here", "five six"], gold)
    assert alignment.labels == ["body", "nav", "comment"]
    assert alignment.gold_matched == 6


def test_tokens_survive_encoding_damage() -> None:
    assert tokens("Humanity’s ‘pride’") == ["humanity", "s", "pride"]
    assert tokens("humanity�s") == ["humanity", "s"]
    assert tokens("humanityâ€™s") == ["humanity", "â", "s"]
    assert tokens("北京 Zürich") == ["北", "京", "z", "ü", "rich"]


def test_chain_prefers_the_copy_in_reading_order() -> None:
    page = ["a", "b", "c", "x", "y", "a", "b", "c", "d", "e", "f"]
    gold = ["a", "b", "c", "d", "e", "f"]
    runs = find_runs(page, gold, 2)
    assert best_chain(runs)[0].page == 5  # the later copy continues into d e f


def test_alignment_is_fast_on_big_repetitive_pages() -> None:
    import time

    lines = [f"Comment {i % 7}: the same words over and over again" for i in range(4000)]
    gold = GoldText.from_parts([("comment", "\n".join(lines[::2]))])
    started = time.perf_counter()
    align_lines(lines, gold)
    assert time.perf_counter() - started < 5


def test_confusion_scores_related_as_nav() -> None:
    counts = confusion(
        ["body", "related", "nav", None, "comment"], ["body", "nav", "body", None, "nav"]
    )
    scores = counts.scores()
    assert scores["body"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "lines": 1}
    assert scores["nav"]["lines"] == 2


# --- dataset gold readers ----------------------------------------------------

# Every variant of the separator in dragnet's gold
# (grep -h COMMENTS ../shared/datasets/dragnet/gold/* | sort | uniq -c).
SEPARATORS = [
    "  #$%^&*()  COMMENTS",
    "!!@#$%^&*()  COMMENTS",
    "!#@$%^&*()  COMMENTS",
    "!@ $%^&*()  COMMENTS",
    "!@#$%^&*   COMMENTS",
    "!@#$%^&*()  \tCOMMENTS",
    "!@#$%^&*()   COMMENTS",
    "!@#$%^&*()  COMMENTS",
    "!@#$%^&*()  COMMENTS\t",
    "!@#$%^&*()  COMMENTS\r",
    "!@#$%^&*() COMMENTS",
    "@#$%^&*() COMMENTS",
]


@pytest.mark.parametrize("separator", SEPARATORS)
def test_dragnet_separator_variants(separator: str) -> None:
    body, comments = split_gold(f"Article text.\n{separator}\nFirst comment.\n")
    assert body.strip() == "Article text."
    assert comments.strip() == "First comment."


@pytest.mark.parametrize(
    "line", ["COMMENTS", "Read the COMMENTS below", "!! COMMENTS", "#1 COMMENTS"]
)
def test_dragnet_separator_ignores_ordinary_lines(line: str) -> None:
    assert SEPARATOR.search(f"text\n{line}\nmore") is None


@needs_datasets
def test_dragnet_separator_found_in_every_gold_that_has_one() -> None:
    from cleaner.readers.decode import decode_bytes

    for gold in sorted((DATASETS / "dragnet" / "gold").glob("*.txt")):
        text = decode_bytes(gold.read_bytes())[0]
        if "COMMENTS" in text:
            assert SEPARATOR.search(text), gold.name


def test_cleaneval_gold_drops_url_and_block_markers() -> None:
    gold = "URL: http://example.com/a\n\n<h>Title\n<p>First para.\n<l>  * item\n"
    assert cleaneval_gold(gold).split() == ["Title", "First", "para.", "*", "item"]
    assert cleaneval_gold("URL:\nhttp://example.com/a\n<p>Text\n").split() == ["Text"]


def test_readability_gold_text_splits_blocks_not_inline_elements() -> None:
    text = html_text(
        "<div><p>One <b>bo</b>ld</p><p>Two</p><script>x()</script><ul><li>Three</li></ul></div>"
    )
    assert text.split() == ["One", "bold", "Two", "Three"]


# --- hosts and the split -----------------------------------------------------


def test_host_from_html_prefers_canonical_then_og_url_then_links() -> None:
    links = "".join(f'<a href="http://www.site.com/{i}">x</a>' for i in range(3))
    canonical = '<link rel="canonical" href="http://www.canon.com/a">'
    og = '<meta property="og:url" content="https://og.org/b">'
    assert host_from_html(canonical + og + links)[1:] == ("canon.com", "canonical")
    assert host_from_html(og + links) == ("https://og.org/b", "og.org", "og:url")
    assert host_from_html(links) == (None, "site.com", "links")
    assert host_from_html('<a href="http://once.com/">x</a>')[1] is None


def test_most_linked_host_ignores_share_buttons() -> None:
    hrefs = ["http://twitter.com/share"] * 5 + ["http://blog.example.net/p"] * 3
    assert most_linked_host(hrefs) == "blog.example.net"


def test_split_is_a_fixed_function_of_the_site() -> None:
    # Pinned: a change here reshuffles the held-out set and breaks comparability.
    assert [split_of(h) for h in ("bbc.co.uk", "nytimes.com", "reuters.com", "un.org")] == [
        TRAIN,
        HELDOUT,
        TRAIN,
        HELDOUT,
    ]
    assert split_of("news.bbc.co.uk") == split_of("bbc.co.uk")
    assert all(split_of("guardian.co.uk") == HELDOUT for _ in range(3))


def test_split_holds_out_about_a_fifth() -> None:
    held = sum(split_of(f"site{i}.com") == HELDOUT for i in range(10_000))
    assert 1800 < held < 2200


@needs_datasets
def test_page_records_cover_the_datasets_with_one_split_per_site() -> None:
    records = page_records(DATASETS)
    assert len({(r.dataset, r.id) for r in records}) == len(records)
    assert {r.dataset for r in records} == {"l3s-gn1", "dragnet", "cleaneval", "readability"}
    split_by_site: dict[str, str] = {}
    for record in records:
        assert record.html_path.exists()
        site = registrable_domain(record.host)
        assert record.split == split_by_site.setdefault(site, record.split)
    assert all(r.url for r in records if r.dataset in ("l3s-gn1", "cleaneval"))


# --- building ----------------------------------------------------------------


@needs_w3m
@needs_datasets
def test_build_three_l3s_and_three_dragnet_pages(tmp_path: Path) -> None:
    records = page_records(DATASETS, ("l3s-gn1", "dragnet"))
    l3s = [r for r in records if r.dataset == "l3s-gn1"][:3]
    dragnet = [r for r in records if r.dataset == "dragnet" and r.id in ("100", "102", "103")]
    assert len(l3s) == len(dragnet) == 3
    summary = build_records(l3s + dragnet, tmp_path, renderers=["w3m"])

    for record in l3s + dragnet:
        path = tmp_path / record.dataset / "w3m" / record.split / f"{record.id}.tsv"
        page = read_label_file(path)
        assert page.meta["dataset"] == record.dataset
        assert page.meta["id"] == record.id
        assert page.meta["host"] == record.host
        assert page.meta["source"] == record.source
        assert page.meta["renderer"] == "w3m"
        labels = set(page.labels) - {None}
        assert {"body", "nav"} <= labels
        blank = [
            label for line, label in zip(page.lines, page.labels, strict=True) if not line.strip()
        ]
        assert set(blank) <= {None}
        if record.dataset == "l3s-gn1":
            assert page.meta["gold"] == "body,nav,related,comment"
            assert page.meta["url"].startswith("http")
        else:
            assert page.meta["gold"] == "body,comment"
            assert "related" not in labels
    # both dragnet pages 102 and 103 have comments in their gold
    for page_id in ("102", "103"):
        record = next(r for r in dragnet if r.id == page_id)
        path = tmp_path / "dragnet" / "w3m" / record.split / f"{page_id}.tsv"
        assert "comment" in read_label_file(path).labels

    again = build_records(l3s + dragnet, tmp_path / "again", renderers=["w3m"])
    assert again["fingerprint"] == summary["fingerprint"]  # same bytes every run
    assert json.loads((tmp_path / "summary.json").read_text())["files"] == 6


@needs_datasets
def test_build_writes_cues_for_the_cleaner_renderer(tmp_path: Path) -> None:
    pytest.importorskip("cleaner.readers.html.render")
    record = page_records(DATASETS, ("l3s-gn1",))[0]
    build_records([record], tmp_path, renderers=["cleaner"])
    folder = tmp_path / "l3s-gn1" / "cleaner" / record.split
    page = read_label_file(folder / f"{record.id}.tsv")
    cues = json.loads((folder / f"{record.id}.cues.json").read_text())
    assert len(cues) == len(page.lines)
    assert all(
        (cue is None) <= (not line.strip()) for cue, line in zip(cues, page.lines, strict=True)
    )


# --- the command line --------------------------------------------------------


@pytest.mark.parametrize("command", ["build", "split", "validate"])
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example: python -m cleaner.training.corpus" in result.output


@needs_datasets
def test_split_command_prints_the_held_out_shares() -> None:
    result = CliRunner().invoke(app, ["split", "--datasets", str(DATASETS)])
    assert result.exit_code == 0, result.output
    assert "l3s-gn1" in result.output and "unknown" in result.output
