"""The Readability-style content cues: which container of a page holds its text."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.document import DomCues
from cleaner.readers.html.render import read_html, render_html
from tests.test_readers_html import ARTICLE, ARTICLE_LINES

DRAGNET = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "dragnet"


def cues_by_line(html: str) -> dict[str, DomCues]:
    lines, cues = render_html(html)
    return {line.strip(" •"): line_cues for line, line_cues in zip(lines, cues, strict=True)
            if line_cues is not None}


def page(*parts: str) -> str:
    return "<!DOCTYPE html><html><head><title>t</title></head><body>" + "".join(parts) + \
        "</body></html>"


def test_the_article_body_is_the_top_container_and_the_chrome_is_not():
    cues = cues_by_line(ARTICLE)
    for body_line in (ARTICLE_LINES[10], ARTICLE_LINES[12], "Strategic talks",
                      "“Our positions are very close,” Putin said."):
        assert cues[body_line].in_top, body_line
    assert cues[ARTICLE_LINES[10]].content >= 0.5
    for chrome in ("Home", "TikTok criticizes US House bill", "Well done NATO, NOT.",
                   "Leave a Reply", "© 2024 Newslooks. Privacy"):
        assert not cues[chrome].in_top, chrome
        assert cues[chrome].content < 0.5, chrome
    shares = {c.top_share for c in cues.values()}
    assert len(shares) == 1 and 0.2 < shares.pop() < 0.8


def test_a_container_of_links_loses_to_shorter_plain_prose():
    headline = ("<p><a href='/x{0}'>A long headline about the budget, the vote and the year "
                "{0}</a></p>")
    prose = ("<p>The council met on Tuesday, and after a long debate, it voted for the plan "
             "that the mayor had put forward in the spring.</p>")
    html = page("<div class='list'>", *(headline.format(k) for k in range(8)), "</div>",
                "<div class='story'>", prose, prose.replace("Tuesday", "Friday"), "</div>")
    cues = cues_by_line(html)
    assert cues["The council met on Tuesday, and after a long debate, it voted for the plan "
                "that the mayor had put forward in the spring."].in_top
    assert not cues["A long headline about the budget, the vote and the year 3"].in_top


def test_a_page_without_paragraphs_has_no_top_container():
    html = page("<ul>", *(f"<li><a href='/{k}'>Section {k}</a></li>" for k in range(30)), "</ul>")
    cues = cues_by_line(html)
    assert cues and all(not c.in_top and c.content == 0.0 and c.top_share == 0.0
                        for c in cues.values())


def test_text_without_spaces_and_its_commas_count_as_prose():
    sentence = "北京时间周二，市政府召开会议，讨论了明年的预算、交通和住房计划，并通过了决议。"
    menu = [f"<div><a href='/{k}'>栏目{k}</a></div>" for k in range(20)]
    html = page("<div class='menu'>", *menu, "</div><div class='story'>",
                *(f"<p>{sentence}</p>" for _ in range(3)), "</div>")
    cues = cues_by_line(html)
    assert cues[sentence].in_top and cues[sentence].content == 1.0
    assert not cues["栏目7"].in_top


def test_every_line_of_a_real_page_is_scored_within_bounds():
    paths = sorted((DRAGNET / "html").glob("*.html"))[:5] if DRAGNET.is_dir() else []
    if not paths:
        pytest.skip("the dragnet dataset is not here")
    for path in paths:
        cues = [c for c in read_html(path.read_bytes()).cues if c is not None]
        assert all(0.0 <= c.content <= 1.0 and 0.0 <= c.top_share <= 1.0 for c in cues)
        assert any(c.in_top for c in cues), path  # every news page has a best container
        assert any(c.content == 1.0 for c in cues), path


def test_class_names_keep_a_long_comment_thread_from_taking_the_top():
    story = ("<p>The council met on Tuesday, and after a long debate, it voted for the plan "
             "that the mayor had put forward in the spring.</p>")
    comment = ("<p>I have lived here for forty years, and I can tell you, the wall was never "
               "built to last, whatever they say, and the money would be better spent on "
               "the roads, the schools and the library, which has been closed since June, "
               "for no reason anyone has given us.</p>")
    html = page("<div class='entry-content'>", story, story.replace("Tuesday", "Friday"),
                "</div><div class='comments'>", comment * 4, "</div>")
    cues = cues_by_line(html)
    first = cues["The council met on Tuesday, and after a long debate, it voted for the plan "
                 "that the mayor had put forward in the spring."]
    assert first.in_top and first.content == 1.0
    thread = [c for line, c in cues.items() if line.startswith("I have lived here")]
    assert thread and not any(c.in_top for c in thread)
    assert all(c.content < first.content for c in thread)
    assert all(c.in_chrome for c in thread) and not first.in_chrome


def test_chrome_names_flag_a_thread_nested_in_the_article_but_not_a_page_wrapper():
    story = ("<p>The council met on Tuesday, and after a long debate, it voted for the plan "
             "that the mayor had put forward in the spring.</p>")
    html = ("<html><body class='single comments-open'><div class='post'>" + story * 3
            + "<div class='comment-list'><p>Well said, and about time, I think.</p>"
            "<p>I have lived here for forty years and never seen the wall mended.</p></div>"
            "</div></body></html>")
    cues = cues_by_line(html)
    article = cues["The council met on Tuesday, and after a long debate, it voted for the plan "
                   "that the mayor had put forward in the spring."]
    assert article.in_top and not article.in_chrome  # <body class=comments-open> holds it
    comment = cues["I have lived here for forty years and never seen the wall mended."]
    assert comment.in_top and comment.in_chrome


def test_the_lines_of_one_container_share_a_box():
    comment = ("<li class='comment'><div class='author'>{0}</div>"
               "<div class='text'><p>I think the council is right about {0}.</p></div></li>")
    html = page("<div class='story'><p>The council met on Tuesday, and voted.</p>",
                "<p>The mayor was pleased, and said so.</p></div>",
                "<ul class='menu'><li><a href='/a'>Home</a></li><li><a href='/b'>World</a></li>"
                "</ul><ol class='comments'>", comment.format("Ann"), comment.format("Bob"), "</ol>")
    cues = cues_by_line(html)
    story = cues["The council met on Tuesday, and voted."]
    assert story.box >= 0 and story.box == cues["The mayor was pleased, and said so."].box
    assert cues["Home"].box == cues["World"].box != story.box
    # A comment's author line is in the comment's box, its text in a box of its own.
    ann, ann_text = cues["Ann"], cues["I think the council is right about Ann."]
    assert len({ann.box, ann_text.box, cues["Bob"].box, story.box}) == 4


def test_boxes_are_kept_on_a_page_with_no_top_container():
    html = page("<ul>", *(f"<li><a href='/{k}'>Section {k}</a></li>" for k in range(5)), "</ul>")
    boxes = {c.box for c in cues_by_line(html).values()}
    assert len(boxes) == 1 and boxes.pop() >= 0
