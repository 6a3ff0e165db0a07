"""A forum thread's posts, found as the page's repeated post containers.

wcxb's gold keeps every post of a thread as one main text. The opening post
is `body` and the replies are `comment` (LABELING.md), so the gold must be cut
where the replies start. The page tells where: its posts sit in repeated
containers (phpBB `div.post`, XenForo `article.message`, Discourse
`div.topic-post`, Stack Exchange `div.answer`...). Elements are grouped by
tag and class (digits dropped, so `post-123` and `post-456` are one group);
the group whose members, each holding gold text, together hold the most
gold words is the thread's posts.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaner.training.corpus.align import match_tokens, tokens

# A member holds gold text when at least this share of its words are gold
# words (post headers, vote counts and "Reply" buttons are not) ...
MIN_MEMBER_GOLD_SHARE = 0.5
# ... and at least this many of them: a one-word avatar box is no post.
MIN_MEMBER_GOLD_WORDS = 3
SKIPPED = frozenset({"script", "style", "noscript", "template", "head", "html", "body",
                     "p", "span", "a", "b", "i", "em", "strong", "br", "img", "blockquote",
                     "li", "ul", "ol", "tr", "td", "pre", "code"})  # fmt: skip
DIGITS = re.compile(r"\d+")
# A container is a post when at least this share of its words align to the gold.
MIN_POST_ALIGNED = 0.3
# Gold words before the first post's, aligned to no post, that say the opening
# post sits outside the repeated containers (Reddit, mumsnet, Warrior Forum):
# more than a thread title and its byline.
OUTSIDE_OP_WORDS = 30
# A group scores HELD_WEIGHT per gold word its members hold, less one per word
# the gold never uses. Threads of wcxb's 112 whose cut passed the checks of
# wcxb.py with weights 1, 2, 4: 87, 89, 87 (only gold words held: 84).
HELD_WEIGHT = 2


def post_texts(html: str, gold: str) -> list[str]:
    """The texts of the thread's post containers in page order, each text once;
    [] if no group of at least two containers holding gold text is found."""
    root = LexborHTMLParser(html).body
    if root is None:
        return []
    gold_words = Counter(tokens(gold))
    best: list[str] = []
    best_score = 0
    for members in _groups(root).values():
        texts = [text for text in _outermost_texts(members) if _holds_gold(text, gold_words)]
        score = _score(texts, gold_words)
        if len(texts) >= 2 and score > best_score:
            best, best_score = texts, score
    return list(dict.fromkeys(best))  # a post shown twice (a preview and the post) is one


def _groups(root: LexborNode) -> dict[tuple[str, str], list[LexborNode]]:
    groups: dict[tuple[str, str], list[LexborNode]] = {}
    for node in root.traverse():
        if node.tag in SKIPPED or node.tag.startswith("-"):
            continue
        classes = DIGITS.sub("", node.attributes.get("class") or "").split()
        if classes:
            groups.setdefault((node.tag, " ".join(sorted(classes))), []).append(node)
    return groups


def _outermost_texts(members: list[LexborNode]) -> list[str]:
    """Members not inside another member (threaded replies nest), as text."""
    ids = {node.mem_id for node in members}
    texts = []
    for node in members:
        parent = node.parent
        while parent is not None and parent.mem_id not in ids:
            parent = parent.parent
        if parent is None:
            texts.append(node.text(deep=True, separator=" "))
    return texts


def _holds_gold(text: str, gold_words: Counter) -> bool:
    words = tokens(text)
    held = sum(1 for word in words if word in gold_words)
    return held >= MIN_MEMBER_GOLD_WORDS and held >= MIN_MEMBER_GOLD_SHARE * len(words)


def _score(texts: list[str], gold_words: Counter) -> int:
    """Gold words the texts hold, less the words they hold that the gold never
    uses: a wrapper of the whole page holds every post, and its menus too."""
    found = Counter(word for text in texts for word in tokens(text))
    held = sum(min(n, gold_words[word]) for word, n in found.items())
    foreign = sum(n for word, n in found.items() if word not in gold_words)
    return HELD_WEIGHT * held - foreign


@dataclass
class Thread:
    """Where a thread's gold words switch from the opening post to the replies."""

    cut: int  # gold words before it are the opening post (and the title above it)
    posts: int  # containers whose text the gold holds
    op_inside: bool  # the opening post is the first of them (else it sits outside)
    claimed: int  # gold words aligned to some post
    agree: int  # of those, on the side of the cut their post says


def split_thread(gold_words: list[str], posts: list[str]) -> Thread | None:
    """Find the cut; None when no container's text is found in the gold."""
    claims = [c for c in (_claim(tokens(text), gold_words) for text in posts) if c]
    if not claims:
        return None
    first = min(claims[0])
    claimed_before = {j for claim in claims for j in claim if j < first}
    op_inside = first - len(claimed_before) < OUTSIDE_OP_WORDS
    classes: list[int | None] = [None] * len(gold_words)
    for claim in claims[1:] if op_inside else claims:
        for j in claim:
            classes[j] = 1
    for j in claims[0] if op_inside else ():
        classes[j] = 0  # a reply quoting the opening post claims its words too
    cut, agree = best_cut(classes)
    if not op_inside:
        cut = max(cut, first)  # the unclaimed words before the first reply: the opening post
    claimed = sum(c is not None for c in classes)
    return Thread(cut, len(claims), op_inside, claimed, agree)


def _claim(post_words: list[str], gold_words: list[str]) -> set[int]:
    """The gold positions a post's words align to; empty if too few of them do."""
    claim = {j for j in match_tokens(post_words, gold_words) if j >= 0}
    if len(claim) < max(MIN_MEMBER_GOLD_WORDS, MIN_POST_ALIGNED * len(post_words)):
        return set()
    return claim


def best_cut(classes: list[int | None]) -> tuple[int, int]:
    """The gold position where replies start that agrees with the most aligned
    words (opening-post words before it, reply words after), and that count."""
    agree = sum(1 for c in classes if c == 1)  # cut at 0: everything a reply
    best, cut = agree, 0
    for position, cls in enumerate(classes, start=1):
        agree += (cls == 0) - (cls == 1)
        if agree > best:
            best, cut = agree, position
    return cut, best
