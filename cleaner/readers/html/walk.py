"""The walk over a parsed page: every node once, depth first, into a `Layout`.

The one hot loop of the renderer, kept apart so that it can stay one loop: see
`walk`'s docstring for why it is written the way it is.

It has a compiled twin, _cwalk.c (cwalk.py), which renders pages without markers
where it was built: it does what this walk, layout.py and content_score.py do, so
a change to the layout rules here or there is made in _cwalk.c too, in the same
commit. tests/test_cwalk.py renders every held-out page of the datasets and
random tag soups with both walks and fails on any difference.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaner.readers.html.content_score import class_weight
from cleaner.readers.html.layout import Block, Context, Layout
from cleaner.readers.html.tags import (
    BLANK,
    BLOCK_TAGS,
    BREAK,
    BULLET,
    BULLET_INDENT,
    BUTTON_INPUT_TYPES,
    DIALOG,
    HEADING_TAGS,
    HTML_SPACE,
    IMAGE,
    INLINE,
    INPUT,
    INSIDE_TAGS,
    ITEM,
    LINE,
    LINE_TAGS,
    LINK,
    LIST,
    LIST_TAGS,
    MAX_BULLET_LEVELS,
    NEWLINE,
    PARAGRAPH,
    PARAGRAPH_TAGS,
    PRE,
    PRE_TAGS,
    RULE,
    SELECT,
    SKIP,
    SKIP_TAGS,
)
from cleaner.readers.html.vocabulary import class_tokens

if TYPE_CHECKING:
    from cleaner.readers.html.markdown import MarkdownLayout

NAMING_ATTRIBUTES = ("id", "role", "itemprop")

_EMPTY: frozenset[str] = frozenset()

# What the walker needs to know about an element, by lexbor tag id:
# (kind, the INSIDE_TAGS name it adds or None, its BLOCK_TAGS name or "", heading level).
TagInfo = tuple[int, "frozenset[str] | None", str, int]
INLINE_TAG: TagInfo = (INLINE, None, "", 0)  # unknown and custom elements are inline


def _tag_ids(names: Iterable[str]) -> dict[int, str]:
    """Lexbor's numeric id of each tag name (fixed by the lexbor build)."""
    factory = LexborHTMLParser("")
    return {factory.create_node(name).tag_id: name for name in names}


def _tag_table() -> dict[int, TagInfo]:
    kinds: dict[str, int] = dict.fromkeys(INSIDE_TAGS, INLINE)
    for names, kind in (
        (LINE_TAGS, LINE),
        (PARAGRAPH_TAGS, PARAGRAPH),
        (LIST_TAGS, LIST),
        (PRE_TAGS, PRE),
        (SKIP_TAGS, SKIP),
    ):
        kinds.update(dict.fromkeys(names, kind))
    kinds.update(
        a=LINK, li=ITEM, br=BREAK, hr=RULE, img=IMAGE, input=INPUT, select=SELECT,
        dialog=DIALOG,
    )  # fmt: skip
    return {
        tag_id: (
            kinds[name],
            frozenset({name}) if name in INSIDE_TAGS else None,
            name if name in BLOCK_TAGS else "",
            int(name[1]) if name in HEADING_TAGS else 0,
        )
        for tag_id, name in _tag_ids(kinds).items()
    }


TAGS = _tag_table()
TEXT_ID = LexborHTMLParser("x").body.first_child.tag_id
# Comments are skipped like script (the walker asks for nothing else about them).
_COMMENT_ID = LexborHTMLParser("<p><!--x--></p>").body.first_child.first_child.tag_id
TAGS[_COMMENT_ID] = (SKIP, None, "", 0)

_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)



def is_hidden(attrs: dict[str, str | None]) -> bool:
    """Hidden by the `hidden` attribute, aria-hidden="true", or an inline style."""
    if "hidden" in attrs:
        return True
    aria = attrs.get("aria-hidden")
    if aria and aria.strip().lower() == "true":
        return True
    style = attrs.get("style")
    return bool(style) and _HIDING_STYLE.search(style) is not None



def _select_label(select: LexborNode) -> str:
    """What a closed <select> shows: its selected option, else its first."""
    option = select.css_first("option[selected]") or select.css_first("option")
    return option.text() if option is not None else ""


# The bullet of a list item at each depth of list nesting (0: an item outside any list).
_BULLETS: tuple[str, ...] = tuple(
    BULLET_INDENT * max(1, level) + BULLET for level in range(MAX_BULLET_LEVELS + 1)
)


def _show_element(
    out: Layout, kind: int, node: LexborNode, attrs: dict, context: Context, block: Block
) -> None:
    """The elements that show something of their own: br, hr, img, input, select."""
    if kind == BREAK:
        out.line_break()
    elif kind == RULE:
        out.need = BLANK
    elif kind == IMAGE:
        alt = attrs.get("alt")
        if alt and alt.strip(HTML_SPACE):
            out.text(alt, context, block)
    elif kind == INPUT:
        value = attrs.get("value")
        button = (attrs.get("type") or "").lower() in BUTTON_INPUT_TYPES
        if button and value and value.strip(HTML_SPACE):
            out.text(value, context, block)
    elif kind == SELECT:
        label = _select_label(node)
        if label.strip(HTML_SPACE):
            out.text(label, context, block)


def walk(root: LexborNode, out: Layout, markdown: MarkdownLayout | None = None) -> None:
    """Visit every node once, depth first, without recursion.

    This loop runs for every node of every page, so it keeps its state in local
    variables and handles the common cases inline: whitespace between tags,
    inline elements, and the opening and closing of blocks. `markdown` (the
    layout `out` itself, markdown.py) is told of the elements of its TAGS that it
    opens and closes.
    """
    tags = TAGS
    inline_tag = INLINE_TAG
    text_id = TEXT_ID
    empty = _EMPTY
    tokens_of = class_tokens
    parts = out.parts
    link_parts = out.link_parts
    contexts = out.contexts
    markers = out.markers
    parents = out.parents
    ends = out.ends
    weights = out.weights
    weight_of = class_weight
    markdown_tags = markdown.TAGS if markdown is not None else None
    parent = -1  # the number of the innermost open element

    # The open elements that have children: (element, kind, context and block outside it).
    stack: list[tuple[LexborNode, int, Context, Block]] = []
    context: Context = (empty, empty)
    block: Block = ("", 0, 0, -1)
    list_depth = pre_depth = link_depth = 0  # link_depth mirrors out.link_depth
    node: LexborNode | None = root
    while True:
        if node is None:  # the last child is done: close its parent
            if not stack:
                return
            node, kind, context, block = stack.pop()
            ends[parent] = len(parents)
            parent = parents[parent]
            if kind:
                if kind in (LINE, ITEM):
                    if out.need < NEWLINE:
                        out.need = NEWLINE
                    if kind == ITEM:
                        out.bullet = None  # an item without text leaves no bullet behind
                elif kind == LINK:
                    link_depth -= 1
                    out.link_depth = link_depth
                elif kind == PARAGRAPH:
                    out.need = BLANK
                elif kind == LIST:
                    list_depth -= 1
                    out.need = BLANK if not list_depth else max(out.need, NEWLINE)
                elif kind == PRE:
                    pre_depth -= 1
                    out.need = BLANK
            if markdown is not None and node.tag_id in markdown_tags:
                markdown.close()
            node = node.next
            continue

        tag_id = node.tag_id
        if tag_id == text_id:
            if pre_depth:
                out.pre_text(node.text_content, context, block)
            elif node.is_empty_text_node:  # whitespace: a space within a line
                if parts and not out.need:
                    parts.append(" ")
                    if link_depth:
                        link_parts.append(" ")
            elif markers:  # the page may hold markers: the careful way
                out.text(node.text_content, context, block)
            else:  # what out.text() does for text without markers, inline
                if parts and out.need:
                    out.flush()
                if not parts:
                    out.start(block, in_pre=False)
                text = node.text_content
                parts.append(text)
                if link_depth:
                    link_parts.append(text)
                if not contexts or contexts[-1] is not context:
                    contexts.append(context)
            node = node.next
            continue

        # An element (or a comment, which TAGS skips).
        kind, inside, name, heading = tags.get(tag_id, inline_tag)
        if kind == SKIP:
            node = node.next
            continue
        outer_context, outer_block = context, block
        attrs = node.attributes
        weight = 0
        if attrs:
            maybe_hidden = "style" in attrs or "hidden" in attrs or "aria-hidden" in attrs
            if maybe_hidden and is_hidden(attrs):
                node = node.next
                continue
            value = attrs.get("class")
            tokens = tokens_of(value) if value else empty
            # id, an ARIA role (role="navigation", "complementary") and a microdata
            # property (itemprop="articleBody") name a part of the page as a class does.
            for attribute in NAMING_ATTRIBUTES:
                value = attrs.get(attribute)
                if value:
                    more = tokens_of(value)
                    if more:
                        tokens = tokens | more
            if tokens:
                weight = weight_of(tokens)
            # A new context only for news: nested "comment" divs share one, and so
            # lines that share a context share their cues.
            if (tokens and not tokens <= context[1]) or (inside and not inside <= context[0]):
                context = (context[0] | inside if inside else context[0], context[1] | tokens)
        elif inside and not inside <= context[0]:
            context = (context[0] | inside, context[1])

        if kind:
            if kind == DIALOG:
                if "open" not in attrs:  # a closed dialog is not shown
                    context = outer_context
                    node = node.next
                    continue
                kind = LINE  # an open one is laid out as a div
            if kind <= PRE:  # a link or a block
                if kind in (LINE, ITEM):
                    if out.need < NEWLINE:
                        out.need = NEWLINE
                    if kind == ITEM:
                        out.bullet = _BULLETS[min(list_depth, MAX_BULLET_LEVELS)]
                elif kind == LINK:
                    link_depth += 1
                    out.link_depth = link_depth
                elif kind == PARAGRAPH:
                    out.need = BLANK
                elif kind == LIST:
                    out.need = BLANK if not list_depth else max(out.need, NEWLINE)
                    list_depth += 1
                else:  # PRE
                    out.need = BLANK
                    pre_depth += 1
                if kind != LINK:
                    block = (name, len(stack), heading or block[2], len(parents))
            else:  # br, hr, img, input, select: their children are never shown
                _show_element(out, kind, node, attrs, context, block)
                context = outer_context
                node = node.next
                continue

        child = node.first_child
        if child is not None or kind:  # open it (an empty block still separates)
            stack.append((node, kind, outer_context, outer_block))
            ends.append(0)
            weights.append(weight)
            parents.append(parent)
            parent = len(parents) - 1
            if markdown is not None and tag_id in markdown_tags:
                markdown.open(tag_id, attrs)
            node = child
        else:
            context = outer_context
            node = node.next
