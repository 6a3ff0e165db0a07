"""Elements and how each kind is laid out: the renderer's tag tables.

Plain names, no parser: features/dom.py reads BLOCK_TAGS and INSIDE_TAGS for
its columns without loading selectolax. walk.py maps them to lexbor's tag ids.
"""

from __future__ import annotations

# Blocks that w3m sets apart with a blank line before and after (and hr, which
# the walker handles as a void element).
PARAGRAPH_TAGS: tuple[str, ...] = (
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "dl",
)  # fmt: skip
HEADING_TAGS: tuple[str, ...] = ("h1", "h2", "h3", "h4", "h5", "h6")
PRE_TAGS: tuple[str, ...] = ("pre", "listing", "xmp", "plaintext")
# Lists: a blank line around the outermost list; a nested list only breaks the line.
LIST_TAGS: tuple[str, ...] = ("ul", "ol", "menu", "dir")
# Blocks that only start a new line: w3m's div and li, and the HTML5 sectioning
# elements. w3m runs those inline because it predates them, but a modern page uses
# them where an older one used div, so they get div's layout.
LINE_TAGS: tuple[str, ...] = (
    "div", "dt", "dd", "tr", "td", "th", "caption", "thead", "tbody", "tfoot", "section",
    "article", "header", "footer", "nav", "aside", "main", "hgroup", "figure", "figcaption",
    "address", "center", "form", "fieldset", "legend", "details", "summary", "option",
    "optgroup", "body", "html",
)  # fmt: skip

# The block element a line can come from (DomCues.tag): all the blocks above.
BLOCK_TAGS: tuple[str, ...] = (
    "p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "dd", "dt", "dl", "figcaption", "figure", "section", "article", "header", "footer", "nav",
    "aside", "main", "hgroup", "table", "tr", "caption", "thead", "tbody", "tfoot", "ul",
    "ol", "menu", "dir", "address", "center", "form", "fieldset", "legend", "details",
    "summary", "option", "optgroup", "dialog", "listing", "xmp", "plaintext", "body", "html",
)  # fmt: skip

# Ancestors worth knowing about (DomCues.inside): the regions and widgets whose
# lines are rarely the story (nav, header, footer, aside, form, button, select,
# label), the containers of lists, quotes, captions and tables, the article's own
# markers (article, main, section), and a, time, cite and small for links,
# datelines, sources and fine print.
INSIDE_TAGS: tuple[str, ...] = (
    "a", "address", "article", "aside", "blockquote", "button", "cite", "details",
    "figcaption", "figure", "footer", "form", "header", "label", "li", "main", "nav",
    "section", "select", "small", "table", "time",
)  # fmt: skip

# Never rendered: not content (script, style, template, head), not text (svg,
# canvas, media and embeds, whose children are fallbacks a browser hides), or
# form fields whose text is the user's (textarea) or a list of choices (datalist).
# <noscript> is rendered, as w3m renders it and as a crawler sees the page:
# Discourse forums serve their whole thread there, Next.js streams some pages'
# text into it, and on WCXB's 1,337 pages with a main text, rendering it raises
# the share of gold words on the page from 0.953 to 0.967 (19 pages from
# none to all of it); an "enable JavaScript" line it adds is nav to the model.
SKIP_TAGS: tuple[str, ...] = (
    "script", "style", "template", "svg", "head", "title", "meta", "link",
    "base", "iframe", "frame", "frameset", "object", "embed", "applet", "video", "audio",
    "canvas", "map", "textarea", "datalist", "noembed", "noframes", "param", "source",
    "track",
)  # fmt: skip

# Element kinds, the walker's dispatch codes. Links and blocks come first, so that
# `kind <= PRE` tests for "inline, a link or a block" in one comparison.
INLINE, LINK, LINE, PARAGRAPH, LIST, ITEM, PRE, SKIP = range(8)
BREAK, RULE, IMAGE, INPUT, SELECT, DIALOG = range(8, 14)

# Separation requested before the next text: none, a new line, a blank line.
NEWLINE, BLANK = 1, 2

BULLET = "• "
BULLET_INDENT = "  "  # per level of list nesting, as in the seeds' "  • " and "    • "
# Real lists nest a few levels; deeper ones indent no further, so that no prefix
# outgrows its line.
MAX_BULLET_LEVELS = 8

# Input types whose value is a visible button label.
BUTTON_INPUT_TYPES = frozenset({"submit", "button", "reset"})

# HTML's whitespace: what a browser collapses. No-break spaces are text.
HTML_SPACE = " \t\n\r\f"
