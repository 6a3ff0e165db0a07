"""wcxb (Web Content eXtraction Benchmark, dev split, 2025-26 pages).

`dev/html/<id>.html.gz` is the page as crawled, `dev/ground-truth/<id>.json`
its gold: `url`, and under `ground_truth` the main text (`main_content`),
`title`, `author`, `publish_date` and the `with` / `without` snippets.
`metadata.json` gives each page's type (article, forum, product, service,
listing, collection, documentation). Lines are labelled by aligning them to
the main text (align.py), which is `body` on every page type but forum
threads: there the gold keeps every post, and posts.py cuts it where the
replies (`comment`) start. A thread whose posts the page does not tell apart
gives its posts no target (the class POST, written as an empty label).
"""

from __future__ import annotations

import ast
import json
import logging

from cleaner.training.corpus.align import tokens
from cleaner.training.corpus.posts import Thread, post_texts, split_thread

log = logging.getLogger(__name__)

FORUM = "forum"
# Gold words of a thread that are not a body or a comment for sure: body or
# comment, the page cannot tell. Written as an empty label (no target).
POST = "post"
# A thread's cut is used when the posts found hold at least this share of its
# gold words, and at least this share of those lie on the side of the cut
# their post says (a reply quoting the opening post, a post not found). Of
# wcxb's 112 threads, 92 pass; 11 have no post containers the page serves
# (Reddit, JavaScript shells), 7 hold less, 1 disagrees, 1 has no main text.
MIN_THREAD_CLAIMED = 0.8
MIN_THREAD_AGREE = 0.95
# Gold fields kept in a label file's header, as gold_<name> (a metadata benchmark reads them).
META_FIELDS = {"title": "gold_title", "author": "gold_author", "publish_date": "gold_date"}


def ground_truth(data: bytes) -> dict:
    """The gold file as a dict; `ground_truth` (written as a Python literal string in
    some files) parsed too."""
    text = data.decode("utf-8")
    try:
        doc = json.loads(text)
    except ValueError:
        doc = ast.literal_eval(text)
    for key in ("ground_truth", "_internal"):
        if isinstance(doc.get(key), str):
            doc[key] = ast.literal_eval(doc[key])
    return doc


def main_text(doc: dict) -> str:
    return (doc.get("ground_truth") or {}).get("main_content") or ""


def gold_meta(doc: dict) -> dict[str, str]:
    """Title, author and date of the gold, each on one line (empty if not given)."""
    gold = doc.get("ground_truth") or {}
    return {name: " ".join(_field(gold.get(key)).split()) for key, name in META_FIELDS.items()}


def _field(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value) if value else ""


def gold_parts(gold: bytes, html: str, page_type: str | None) -> list[tuple[str, str]]:
    """The gold as (class, text) parts: the headline and the main text as body, or a
    thread's title, opening post (body) and replies (comment)."""
    doc = ground_truth(gold)
    text = main_text(doc)
    if not text.strip():
        return []  # no main text: the page is dropped, whatever its title
    parts = headline(doc)
    if page_type != FORUM:
        return [*parts, ("body", text)]
    thread = usable_thread(text, html)
    if thread is None:
        return [*parts, (POST, text)]
    words = tokens(text)
    return [*parts, ("body", " ".join(words[: thread.cut])),
            ("comment", " ".join(words[thread.cut :]))]  # fmt: skip


def headline(doc: dict) -> list[tuple[str, str]]:
    """The gold title as a body part when the main text does not open with it: the
    headline is body once, the copy next to the text (LABELING.md), which is the
    copy the aligner's reading-order chain takes. Most main texts leave it out."""
    gold = doc.get("ground_truth") or {}
    title = tokens(_field(gold.get("title")))
    if not title or tokens(main_text(doc))[: len(title)] == title:
        return []
    return [("body", " ".join(title))]


def usable_thread(text: str, html: str) -> Thread | None:
    """The thread's cut, if its posts are found and agree with it (see the constants)."""
    words = tokens(text)
    thread = split_thread(words, post_texts(html, text))
    if thread is None or thread.claimed < MIN_THREAD_CLAIMED * len(words):
        return None
    if thread.agree < MIN_THREAD_AGREE * thread.claimed or (thread.op_inside and not thread.cut):
        return None
    return thread
