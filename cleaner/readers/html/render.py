"""HTML pages to lines: a text-browser layout, with what the DOM said about each line.

The page is laid out the way w3m dumps it, the layout of the seed dumps and of
the w3m renderings the model also trains on:

- paragraph-level blocks (p, h1-h6, blockquote, pre, table, dl, hr, and a
  list as a whole) stand apart with a blank line before and after;
- the other blocks (div, li, td, th, dt, dd, section, header, ...) only start
  a new line, as w3m does for div and li: consecutive list items and
  consecutive divs are on consecutive lines;
- `<br>` starts a new line; a `<br>` where no line is open leaves a blank line;
- list items (of ul and ol alike) start with "  • ", two more spaces per level
  of nesting;
- inline elements stay within the line; whitespace collapses to one space and
  every line is stripped, while no-break spaces stay as they are (a paragraph
  holding only `&nbsp;` gives a line holding only a no-break space, as in w3m
  and the seeds); `<pre>` keeps its spaces and line breaks;
- script, style, svg, head and the like, and hidden elements (`hidden`,
  `aria-hidden="true"`, an inline `display:none` or `visibility:hidden`) are
  skipped; an image shows its alt text, as w3m does, and nothing without one;
  a button input shows its label, a select its selected option;
- never more than one blank line in a row, none at the start or at the end.

Each line with visible text gets a `DomCues`: the share of its characters inside
links, the innermost block element it came from with that element's depth, its
heading level, which of `INSIDE_TAGS` enclose its text, and the `CLASS_TOKENS`
found in the class and id attributes of those elements; after the walk,
content_score.py adds where the line stands in the page's best content
container. Blank lines, and lines holding only no-break spaces, get None.

Private-use code points (U+E000-U+F8FF) are the corpus builder's markers. They
pass through untouched and the layout looks through them: rendering a page with
markers and then deleting them gives exactly the lines and cues of the page
without them. Whitespace collapses across a marker (the space goes before it,
so a marker stays next to the text it marks), and markers with no text of their
own on a line (in whitespace between blocks) go to the start of the next line.

The walk over the tree is iterative (first child and next sibling pointers and a
stack of open elements), so no depth of nesting can exhaust the Python stack,
and it does a small, constant amount of Python work per node. The parser itself
is quadratic in the nesting of elements, so pages with enough tags to be at risk
have that nesting capped before parsing, as browsers do (see MAX_BLOCK_NESTING).
A page cut off inside its <title> (which then swallows the page) is read again
without it, as w3m reads it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaner.document import DomCues, Page, PageError
from cleaner.readers.decode import CONTROL_CHARS, decode_bytes
from cleaner.readers.html.content_score import class_weight, with_content_scores
from cleaner.sites import own_url

log = logging.getLogger(__name__)

__all__ = [
    "BLOCK_TAGS",
    "CLASS_TOKENS",
    "INSIDE_TAGS",
    "class_tokens",
    "format_cues",
    "read_html",
    "render_html",
    "render_tree",
]

# ---------------------------------------------------------------------------
# Elements and how each kind is laid out.
# ---------------------------------------------------------------------------

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
SKIP_TAGS: tuple[str, ...] = (
    "script", "style", "noscript", "template", "svg", "head", "title", "meta", "link",
    "base", "iframe", "frame", "frameset", "object", "embed", "applet", "video", "audio",
    "canvas", "map", "textarea", "datalist", "noembed", "noframes", "param", "source",
    "track",
)  # fmt: skip

# Element kinds, the walker's dispatch codes. Links and blocks come first, so that
# `kind <= _PRE` tests for "inline, a link or a block" in one comparison.
_INLINE, _LINK, _LINE, _PARAGRAPH, _LIST, _ITEM, _PRE, _SKIP = range(8)
_BREAK, _RULE, _IMAGE, _INPUT, _SELECT, _DIALOG = range(8, 14)

# Separation requested before the next text: none, a new line, a blank line.
_NEWLINE, _BLANK = 1, 2

BULLET = "• "
BULLET_INDENT = "  "  # per level of list nesting, as in the seeds' "  • " and "    • "
# Real lists nest a few levels; deeper ones indent no further, so that no prefix
# outgrows its line.
MAX_BULLET_LEVELS = 8

# Input types whose value is a visible button label.
BUTTON_INPUT_TYPES = frozenset({"submit", "button", "reset"})

# HTML's whitespace: what a browser collapses. No-break spaces are text.
HTML_SPACE = " \t\n\r\f"
# str.split() collapses every Unicode space, the no-break space too; to keep it,
# it hides behind NUL while splitting (NUL never reaches the text: the parser
# drops it). Other Unicode spaces (thin, ideographic) collapse like ASCII ones.
_NBSP, _NBSP_STAND_IN = "\xa0", "\x00"

# The corpus builder's markers.
_MARKER = re.compile("[\ue000-\uf8ff]")
_MARKERS_ONLY = re.compile("[\ue000-\uf8ff \t\n\r\f]*")
# Their UTF-8 forms (EE xx xx for U+E000-U+EFFF, EF 80-A3 xx for U+F000-U+F8FF):
# a cheap test of a whole page's bytes for any marker at all (see _may_hold_markers).
_MARKER_UTF8_EF = re.compile(rb"\xef[\x80-\xa3]")
# A gap between words seen through markers, once whitespace runs are single spaces:
# markers and spaces, at least one space. It becomes one space followed by its
# markers. The lookbehind and the possessive runs keep the search linear in the
# length of a run of markers.
_GAP_WITH_MARKERS = re.compile("(?<![\ue000-\uf8ff])[\ue000-\uf8ff]*+ [ \ue000-\uf8ff]*+")
_TRAILING_GAP = re.compile(" ([\ue000-\uf8ff]*)$")

_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

# Lexbor, like the HTML standard's tree builder, scans the stack of open elements
# at many start tags (every block that closes an open <p>, list items, ruby
# text, ...), so a page whose elements nest n deep parses in O(n^2): 20,000
# nested divs take over a second, 100,000 take minutes, and so do 20,000 pairs
# such as <span><pre> or <li><h1>. Browsers cap the depth instead (Chrome at
# 512). A page of at most NESTING_CHECK_TAGS tags parses in about 0.3 s at worst
# (that many nested divs), and 1,584 of the 1,587 pages of dragnet and L3S-GN1
# have fewer; a page with more has its nesting measured and, if deeper than
# MAX_BLOCK_NESTING, capped: start tags deeper than that are dropped (with their
# end tags), their content stays one level up.
MAX_BLOCK_NESTING = 512
NESTING_CHECK_TAGS = 10_000
# Elements that hold nothing, and elements that close an open one of their kind
# (or cannot nest at all) when they repeat: neither makes the stack deeper by
# itself, so neither counts towards the depth, except inside svg and math, where
# every element nests. Every other element counts.
VOID_TAGS = frozenset(
    {"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image",
     "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr"}
)  # fmt: skip
NOT_NESTING_TAGS = frozenset(
    {"a", "body", "button", "caption", "colgroup", "head", "html", "nobr", "option", "p",
     "select", "tbody", "td", "tfoot", "th", "thead", "tr"}
)  # fmt: skip
FOREIGN_TAGS = frozenset({"svg", "math"})
# A list item closes the item open right above it, and so do dd and dt; with
# anything else between them (<li><h1><li>...), the tree builder nests them.
SIBLINGS: dict[str, frozenset[str]] = {
    "li": frozenset({"li"}), "dd": frozenset({"dd", "dt"}), "dt": frozenset({"dd", "dt"}),
}
# Any start or end tag, for a quick measure of the depth.
_ANY_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)")
# The same tags in full, and comments and raw-text elements (whose "<div" is no
# tag) to pass over as a whole, for capping the depth. A tag or comment never
# closed runs to the end of the page, as in the parser, so that no search for
# its end is repeated (which would be quadratic).
_NESTING_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(script|style|textarea|title|xmp|iframe|noembed|noframes)\b.*?(?:</\1\s*>|\Z)"
    r"|<(/?)([A-Za-z][^\s/>]*)[^>]*+(?:>|\Z)",
    re.S | re.I,
)


class _NestingCap:
    """An estimate of the stack of open elements, tag by tag, that says which
    tags to drop so that it stays within MAX_BLOCK_NESTING. It errs on the deep
    side (an unclosed <span> stays open here), which only ever drops tags of
    pages that are very deep anyway."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.open: dict[str, int] = {}  # how many of each name the stack holds
        self.dropped: dict[str, int] = {}  # start tags dropped, whose end tags go too
        self.foreign = 0  # open svg and math elements

    def keep(self, name: str, end: bool) -> bool:
        name = name.lower()
        if name in VOID_TAGS or (name in NOT_NESTING_TAGS and not self.foreign):
            return True
        if end:
            return self._end(name)
        stack = self.stack
        if stack and stack[-1] in SIBLINGS.get(name, _EMPTY):
            self._pop()
        if len(stack) >= MAX_BLOCK_NESTING:
            self.dropped[name] = self.dropped.get(name, 0) + 1
            return False
        stack.append(name)
        self.open[name] = self.open.get(name, 0) + 1
        self.foreign += name in FOREIGN_TAGS
        return True

    def _end(self, name: str) -> bool:
        if self.dropped.get(name):  # the innermost of its kind was dropped
            self.dropped[name] -= 1
            return False
        if self.open.get(name):  # closes it and whatever is open inside it
            while self._pop() != name:
                pass
        return True  # a stray end tag closes nothing

    def _pop(self) -> str:
        name = self.stack.pop()
        self.open[name] -= 1
        self.foreign -= name in FOREIGN_TAGS
        return name


# A <title> that is never closed takes the rest of the page as its text, so a
# browser shows nothing (w3m shows the page). Crawled pages cut off inside the
# title do this (4 of the 471 of L3S-GN1): when such a page renders to nothing,
# it is rendered again without its title.
_TITLE_START = re.compile(r"<title\b[^>]*>", re.I)
_TITLE_END = re.compile(r"</title", re.I)

_EMPTY: frozenset[str] = frozenset()

# What the walker needs to know about an element, by lexbor tag id:
# (kind, the INSIDE_TAGS name it adds or None, its BLOCK_TAGS name or "", heading level).
TagInfo = tuple[int, "frozenset[str] | None", str, int]
_INLINE_TAG: TagInfo = (_INLINE, None, "", 0)  # unknown and custom elements are inline


def _tag_ids(names: Iterable[str]) -> dict[int, str]:
    """Lexbor's numeric id of each tag name (fixed by the lexbor build)."""
    factory = LexborHTMLParser("")
    return {factory.create_node(name).tag_id: name for name in names}


def _tag_table() -> dict[int, TagInfo]:
    kinds: dict[str, int] = dict.fromkeys(INSIDE_TAGS, _INLINE)
    for names, kind in (
        (LINE_TAGS, _LINE),
        (PARAGRAPH_TAGS, _PARAGRAPH),
        (LIST_TAGS, _LIST),
        (PRE_TAGS, _PRE),
        (SKIP_TAGS, _SKIP),
    ):
        kinds.update(dict.fromkeys(names, kind))
    kinds.update(
        a=_LINK, li=_ITEM, br=_BREAK, hr=_RULE, img=_IMAGE, input=_INPUT, select=_SELECT,
        dialog=_DIALOG,
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


_TAGS = _tag_table()
_TEXT_ID = LexborHTMLParser("x").body.first_child.tag_id
# Comments are skipped like script (the walker asks for nothing else about them).
_COMMENT_ID = LexborHTMLParser("<p><!--x--></p>").body.first_child.first_child.tag_id
_TAGS[_COMMENT_ID] = (_SKIP, None, "", 0)

# ---------------------------------------------------------------------------
# Class and id tokens.
# ---------------------------------------------------------------------------

# Each token with the words of class and id values that stand for it. Web
# developers name things in English whatever the page's language, so these are
# language-agnostic cues. A word matches a whole sub-token of the value (split
# on punctuation and camelCase, lower-cased, plural -s/-ies dropped); words of
# COMPOUND_MIN_LEN letters or more (and "nav") also match at the start or end of
# a run-together sub-token ("commentlist", "sidemenu", "topnav").
# fmt: off
_VOCABULARY: dict[str, tuple[str, ...]] = {
    # the story
    "article": ("article",),
    "story": ("story",),
    "content": ("content",),
    "body": ("body",),
    "text": ("text", "copy"),
    "entry": ("entry",),
    "post": ("post",),
    "main": ("main", "primary"),
    "title": ("title", "heading", "hed"),
    "headline": ("headline",),
    "summary": ("summary", "intro", "lead", "dek", "standfirst", "abstract", "subhead"),
    "quote": ("quote", "blockquote", "pullquote", "citation"),
    "media": ("media", "photo", "image", "img", "gallery", "slideshow", "video", "figure",
              "picture", "thumbnail", "thumb"),
    "caption": ("caption", "figcaption"),
    "credit": ("credit", "source", "agency"),
    "byline": ("byline", "by"),
    "author": ("author", "writer", "reporter", "contributor"),
    "date": ("date", "time", "timestamp", "published", "updated", "update", "posted", "pubdate",
             "dateline"),
    "meta": ("meta",),
    "tag": ("tag", "tags", "tagcloud", "tagged", "keyword"),
    "category": ("category", "kicker", "rubric", "eyebrow", "channel", "topic", "cat"),
    # around the story
    "nav": ("nav", "navigation", "skip", "skiplink", "jump", "toolbar"),
    "menu": ("menu", "dropdown", "hamburger", "drawer", "offcanvas"),
    "breadcrumb": ("breadcrumb", "crumb"),
    "pager": ("pager", "pagination", "paging", "prev", "previous", "next", "nextprev"),
    "search": ("search",),
    "header": ("header", "masthead", "topbar"),
    "footer": ("footer", "colophon"),
    "sidebar": ("sidebar", "side", "aside", "rail", "secondary"),
    "widget": ("widget",),
    "list": ("list", "listing"),
    "more": ("more", "readmore"),
    "logo": ("logo", "brand", "branding"),
    "banner": ("banner",),
    "button": ("button", "btn"),
    "hidden": ("hidden", "hide", "sr", "screenreader", "offscreen", "invisible"),
    "popup": ("popup", "modal", "overlay", "lightbox", "dialog", "interstitial"),
    "legal": ("legal", "copyright", "disclaimer", "terms", "privacy", "imprint", "license",
              "licence"),
    # other stories
    "related": ("related", "similar", "also", "yarpp", "outbrain", "taboola", "zergnet",
                "recirc", "recirculation"),
    "recommend": ("recommend", "recommended", "recommendation", "suggest", "suggested"),
    "popular": ("popular", "trending", "trend", "most", "mostread", "mostviewed"),
    "recent": ("recent", "latest", "newest"),
    "teaser": ("teaser", "excerpt", "snippet", "preview", "card"),
    "promo": ("promo", "promotion", "promoted"),
    "ad": ("ad", "ads", "advert", "advertisement", "advertising", "adsense", "adsbygoogle",
           "adslot", "adunit", "adbox", "adcontainer", "adwrap", "adwrapper", "adzone", "dfp",
           "gpt", "leaderboard", "skyscraper", "mpu", "billboard"),
    "sponsor": ("sponsor", "sponsored", "partner", "paid", "commercial"),
    # readers and their accounts
    "share": ("share", "sharing", "sharedaddy", "addthis", "sharethis", "shareaholic",
              "addtoany", "print", "email", "mail", "tweet", "whatsapp"),
    "social": ("social", "follow", "facebook", "twitter", "instagram", "youtube", "linkedin",
               "pinterest", "fb"),
    "comment": ("comment", "cmt", "disqus", "respond", "discussion", "thread", "talkback"),
    "reply": ("reply", "answer"),
    "user": ("user", "member", "profile", "avatar", "nick", "poster", "username"),
    "reaction": ("reaction", "vote", "like", "emoji", "kudos"),
    "rating": ("rating", "rate", "stars", "star"),
    "login": ("login", "signin", "logon", "logout", "register", "registration", "account",
              "auth"),
    "newsletter": ("newsletter", "mailchimp", "mailing"),
    "subscribe": ("subscribe", "subscription", "subscriber", "signup", "paywall"),
    "cookie": ("cookie", "consent", "gdpr", "cmp", "onetrust", "cookiebot"),
}
# fmt: on

CLASS_TOKENS: tuple[str, ...] = tuple(_VOCABULARY)

# Words of this length or more also match inside run-together sub-tokens. Four
# letters keeps "menu", "post", "body", "list", "date", "meta", "more" usable in
# "sidemenu", "blogpost", "articlebody", "commentlist", "pubdate", "postmeta",
# "readmore"; shorter words ("ad", "by", "tag") would match inside far too many.
COMPOUND_MIN_LEN = 4
# Short words that are still safe inside compounds ("navbar", "topnav", "subnav").
COMPOUND_SHORT_OK = frozenset({"nav"})
# Words that match a whole sub-token only: as the start or end of a longer word
# they mean something else too often (likely, overtime, leaderboard, sidewalk).
WHOLE_WORD_ONLY = frozenset(
    {"copy", "like", "time", "card", "lead", "most", "also", "next", "side", "rail", "hide",
     "user", "star", "rate", "vote", "mail", "jump", "paid", "nick", "trend", "thumb",
     "terms", "thread", "answer", "source", "drawer"}
)  # fmt: skip
# Run-together words that contain a vocabulary word by accident.
NOT_COMPOUNDS = frozenset(
    {"commentary", "candidate", "validate", "mandate", "domain", "remain", "maintenance",
     "mainstream", "context", "nobody", "somebody", "everybody", "postal", "compost",
     "address", "download", "upload", "shadow", "listen", "listener", "advertiser"}
)  # fmt: skip

_WORD_FORMS: dict[str, frozenset[str]] = {}
for _token, _forms in _VOCABULARY.items():
    for _form in _forms:
        _WORD_FORMS[_form] = _WORD_FORMS.get(_form, _EMPTY) | {_token}
_COMPOUND_FORMS: dict[str, frozenset[str]] = {
    form: tokens
    for form, tokens in _WORD_FORMS.items()
    if (len(form) >= COMPOUND_MIN_LEN or form in COMPOUND_SHORT_OK) and form not in WHOLE_WORD_ONLY
}
_SHORTEST_COMPOUND_FORM = min(map(len, _COMPOUND_FORMS))
_LONGEST_COMPOUND_FORM = max(map(len, _COMPOUND_FORMS))

# Runs of letters: digits separate words too ("post-12345", "h2title").
_LETTER_RUN = re.compile(r"[A-Za-z]+")
_NUMBERS = re.compile(r"[0-9]+")  # class_tokens reads each as a single 0
_CAMEL_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+")


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def _word_tokens(word: str) -> frozenset[str]:
    """The tokens one lower-case sub-token stands for."""
    single = _singular(word)
    if word in NOT_COMPOUNDS or single in NOT_COMPOUNDS:
        return _EMPTY
    found = _WORD_FORMS.get(word) or _WORD_FORMS.get(single)
    if found:
        return found
    tokens: frozenset[str] = _EMPTY
    # Run-together: form + rest, rest + form. Only cuts as long as some form can
    # match, so that a class name of a million letters costs no more than a short one.
    for cut in range(_SHORTEST_COMPOUND_FORM, min(len(word), _LONGEST_COMPOUND_FORM + 1)):
        head = _COMPOUND_FORMS.get(word[:cut])
        if head:
            tokens = tokens | head
        if cut < len(single):
            tail = _COMPOUND_FORMS.get(single[-cut:])
            if tail:
                tokens = tokens | tail
    return tokens


# "more" followed by one of these is a list of other stories ("more-stories",
# "moreArticles", "more-from-author", "more-like-this"), not a "read more" link.
MORE_OF_RELATED = frozenset(
    {"story", "stories", "article", "articles", "post", "posts", "news", "headline",
     "headlines", "from", "like", "video", "videos"}
)  # fmt: skip


def _words(value: str) -> list[str]:
    """The lower-case sub-tokens of a class or id value: its runs of letters,
    and the parts of a camelCase run as well as the whole run."""
    if value.islower() or value.isupper():  # most class names: no camelCase to split
        return _LETTER_RUN.findall(value.lower())
    words = []
    for run in _LETTER_RUN.findall(value):
        words.append(run.lower())
        if not run.islower() and not run.isupper():
            words.extend(part.lower() for part in _CAMEL_PART.findall(run))
    return words


def _names_more_stories(words: list[str]) -> bool:
    """ "more" followed by what names other stories, or run together with it."""
    for number, word in enumerate(words):
        if word == "more" and number + 1 < len(words) and words[number + 1] in MORE_OF_RELATED:
            return True
        if word.startswith("more") and word[4:] in MORE_OF_RELATED:
            return True
    return False


@lru_cache(maxsize=65536)
def class_tokens(value: str) -> frozenset[str]:
    """The CLASS_TOKENS in one class or id attribute value.

    >>> sorted(class_tokens("comment-body relatedArticles"))
    ['article', 'body', 'comment', 'related']
    """
    # Digits only separate words, so values that differ in their numbers alone
    # ("post-1234", "comment-5678", as many ids do) share one entry of this
    # cache: the one with a single 0 for each number.
    shared = _NUMBERS.sub("0", value)
    if shared != value:
        return class_tokens(shared)
    words = _words(value)
    tokens: set[str] = set()
    for word in words:
        tokens.update(_word_tokens(word))
    if "more" in tokens and _names_more_stories(words):
        tokens.add("related")
    return frozenset(tokens) if tokens else _EMPTY


def _is_hidden(attrs: dict[str, str | None]) -> bool:
    """Hidden by the `hidden` attribute, aria-hidden="true", or an inline style."""
    if "hidden" in attrs:
        return True
    aria = attrs.get("aria-hidden")
    if aria and aria.strip().lower() == "true":
        return True
    style = attrs.get("style")
    return bool(style) and _HIDING_STYLE.search(style) is not None


# ---------------------------------------------------------------------------
# Lines.
# ---------------------------------------------------------------------------

Context = tuple[frozenset[str], frozenset[str]]  # (inside, tokens) around a text node
Block = tuple[str, int, int, int]  # (tag, depth, heading, element number) of the innermost block


def _close_gaps(text: str) -> str:
    """In collapsed text, see whitespace through markers: a gap of spaces and
    markers becomes one space and the markers; at either end, just the markers."""
    text = _GAP_WITH_MARKERS.sub(_one_space_then_markers, text)
    if text.startswith(" "):
        text = text[1:]
    return _TRAILING_GAP.sub(r"\1", text)


def _collapsed_ascii(text: str) -> bool:
    """ASCII text with nothing to collapse, told apart by a few fast searches
    (isascii() is free: CPython flags ASCII strings)."""
    return (
        text.isascii()
        and "  " not in text
        and "\n" not in text
        and "\t" not in text
        and "\r" not in text
        and "\f" not in text
        and text[:1] != " "
        and text[-1:] != " "
    )


def _one_space_then_markers(gap: re.Match[str]) -> str:
    return " " + gap.group().replace(" ", "")


def _link_share(text: str, link_parts: list[str], has_markers: bool) -> float:
    """The share of the line's visible characters that are inside links. Spaces
    of any kind and markers do not count (`text` is collapsed: its only spaces
    are " " and no-break spaces)."""
    linked = "".join("".join(link_parts).split())
    visible = len(text) - text.count(" ") - text.count(_NBSP)
    if has_markers:
        linked = _MARKER.sub("", linked)
        visible -= len(_MARKER.findall(text))
    return min(1.0, len(linked) / visible) if visible > 0 else 0.0


class _Layout:
    """The output side of the renderer: text arrives in document order with the
    separation the blocks ask for, and leaves as lines with their cues.

    The walker appends the whitespace between inline elements to `parts` and
    `link_parts` itself: it is the most frequent text of all.
    """

    __slots__ = (
        "lines", "cues", "parts", "link_parts", "contexts", "need", "bullet", "link_depth",
        "markers", "waiting_markers", "block", "prefix", "in_pre", "known_cues",
        "line_blocks", "parents", "ends", "weights", "with_cues",
    )  # fmt: skip

    def __init__(self, *, markers: bool, with_cues: bool = True) -> None:
        self.lines: list[str] = []
        self.cues: list[DomCues | None] = []
        self.parts: list[str] = []  # the open line's text; empty: no line is open
        self.link_parts: list[str] = []  # the part of it inside <a>
        self.contexts: list[Context] = []  # the contexts of its text nodes
        self.need = 0  # separation before the next text: 0, _NEWLINE or _BLANK
        self.bullet: str | None = None  # prefix of the next line, from an open <li>
        self.link_depth = 0
        self.markers = markers  # whether the page may hold markers at all
        self.with_cues = with_cues  # False: the lines only, every cue None
        self.waiting_markers: list[str] = []  # markers for the start of the next line
        self.block: Block = ("", 0, 0, -1)  # where the open line started
        self.prefix = ""  # the open line's bullet
        self.in_pre = False  # the open line is preformatted
        # Lines share few distinct cues (a menu's items all look alike): reuse them.
        self.known_cues: dict[tuple, DomCues] = {}
        # The element tree, for content_score: elements are numbered in document
        # order as they open; each has its parent's number and the number after
        # its last descendant's, and the weight of its own class and id names.
        # Each line has its block element's number (-1: blank).
        self.line_blocks: list[int] = []
        self.parents: list[int] = []
        self.ends: list[int] = []
        self.weights: list[int] = []

    def text(self, text: str, context: Context, block: Block) -> None:
        """Add a run of inline text (a text node, an alt text, a button label)."""
        if self.markers and _MARKERS_ONLY.fullmatch(text):
            self._markers_only(text)
            return
        parts = self.parts
        if parts and self.need:
            self.flush()
        if not parts:
            self.start(block, in_pre=False)
        parts.append(text)  # what add() does, inline: this runs for every text node
        if self.link_depth:
            self.link_parts.append(text)
        contexts = self.contexts
        if not contexts or contexts[-1] is not context:
            contexts.append(context)

    def _markers_only(self, text: str) -> None:
        """Text that is markers (and whitespace) only: it takes no part in the
        layout or the cues; inside a line it stays where it is, between lines it
        waits for the next one."""
        if self.parts and not self.need:
            self.parts.append(text)
            if self.link_depth:
                self.link_parts.append(text)
        else:
            self.waiting_markers.extend(_MARKER.findall(text))

    def add(self, text: str, context: Context) -> None:
        self.parts.append(text)
        if self.link_depth:
            self.link_parts.append(text)
        contexts = self.contexts
        if not contexts or contexts[-1] is not context:
            contexts.append(context)

    def start(self, block: Block, *, in_pre: bool) -> None:
        """Open a line, after the blank line a paragraph boundary asked for."""
        if self.need == _BLANK:
            self.blank()
        self.need = 0
        self.block = block
        self.in_pre = in_pre
        self.prefix = self.bullet or ""
        self.bullet = None
        if self.waiting_markers:
            self.parts.extend(self.waiting_markers)
            self.waiting_markers.clear()

    def blank(self) -> None:
        """A blank line, unless at the top or after another one."""
        if self.lines and self.lines[-1]:
            self.lines.append("")
            self.cues.append(None)
            self.line_blocks.append(-1)

    def line_break(self) -> None:
        """<br>: end the open line, or leave a blank line where none is open."""
        if self.parts and not self.need:
            self.flush()
            return
        self.flush()
        self.blank()

    def pre_text(self, text: str, context: Context, block: Block) -> None:
        """Text inside <pre>: its spaces are kept and its newlines break lines."""
        for number, piece in enumerate(text.split("\n")):
            if number:
                self.line_break()
            if self.markers and piece and not _MARKER.sub("", piece):
                self._markers_only(piece)
            elif piece:
                if self.parts and self.need:
                    self.flush()
                if not self.parts:
                    self.start(block, in_pre=True)
                self.add(piece, context)

    def flush(self) -> None:
        """Close the open line and emit it with its cues."""
        parts = self.parts
        if not parts:
            return
        text = "".join(parts)
        if self.in_pre:
            text = text.expandtabs(8).rstrip(HTML_SPACE)
        elif _collapsed_ascii(text):
            pass  # half the lines: a link, a short paragraph on one source line
        elif _NBSP in text:
            text = " ".join(text.replace(_NBSP, _NBSP_STAND_IN).split())
            text = text.replace(_NBSP_STAND_IN, _NBSP)
        else:
            text = " ".join(text.split())
        has_markers = self.markers and not text.isascii() and _MARKER.search(text) is not None
        if has_markers and not self.in_pre:
            text = _close_gaps(text)
        if not text.isprintable():  # cheap test first: control characters are rare
            text = CONTROL_CHARS.sub("", text)  # from &#1;-style references, or a str input
        # Decide on the text as it would be without markers, so they change nothing.
        plain = _MARKER.sub("", text) if has_markers else text
        if plain:
            self.lines.append(self.prefix + text)
            # A line of no-break spaces is blank to the labeller, unless it has a bullet.
            spaces = plain.isspace()
            blank = spaces and not self.prefix
            self.cues.append(None if blank or not self.with_cues
                             else self._cues(text, has_markers, spaces))
            self.line_blocks.append(self.block[3])
        else:
            if text:  # markers alone make no line: they wait for the next one
                self.waiting_markers.extend(_MARKER.findall(text))
            if self.in_pre:  # an empty preformatted line
                self.blank()
        parts.clear()
        self.link_parts.clear()
        self.contexts.clear()

    def _cues(self, text: str, has_markers: bool, spaces: bool) -> DomCues:
        link_parts = self.link_parts
        if not link_parts or spaces:  # no visible character: none of them linked
            link_share = 0.0
        elif len(link_parts) == len(self.parts):  # all of it is linked: a menu item, a headline
            link_share = 1.0
        else:
            link_share = _link_share(text, link_parts, has_markers)
        contexts = self.contexts
        inside, tokens = contexts[0]
        if len(contexts) > 1:
            for more_inside, more_tokens in contexts:
                # A link's context usually holds its paragraph's: union only what is new.
                if not more_inside <= inside:
                    inside = inside | more_inside
                if not more_tokens <= tokens:
                    tokens = tokens | more_tokens
        tag, depth, heading, _ = self.block
        key = (link_share, tag, depth, heading, inside, tokens)
        cues = self.known_cues.get(key)
        if cues is None:
            cues = self.known_cues[key] = DomCues(link_share, tag, heading, depth, inside, tokens)
        return cues

    def finish(self) -> tuple[list[str], list[DomCues | None]]:
        self.flush()
        lines, cues = self.lines, self.cues
        while lines and not lines[-1]:
            lines.pop()
            cues.pop()
            self.line_blocks.pop()
        if self.waiting_markers:  # markers after the last text stay, on the last line
            if lines:
                lines[-1] += "".join(self.waiting_markers)
            else:
                lines.append("".join(self.waiting_markers))
                cues.append(None)
                self.line_blocks.append(-1)
        return lines, cues


# ---------------------------------------------------------------------------
# The walk.
# ---------------------------------------------------------------------------


def _select_label(select: LexborNode) -> str:
    """What a closed <select> shows: its selected option, else its first."""
    option = select.css_first("option[selected]") or select.css_first("option")
    return option.text() if option is not None else ""


# The bullet of a list item at each depth of list nesting (0: an item outside any list).
_BULLETS: tuple[str, ...] = tuple(
    BULLET_INDENT * max(1, level) + BULLET for level in range(MAX_BULLET_LEVELS + 1)
)


def _show_element(
    out: _Layout, kind: int, node: LexborNode, attrs: dict, context: Context, block: Block
) -> None:
    """The elements that show something of their own: br, hr, img, input, select."""
    if kind == _BREAK:
        out.line_break()
    elif kind == _RULE:
        out.need = _BLANK
    elif kind == _IMAGE:
        alt = attrs.get("alt")
        if alt and alt.strip(HTML_SPACE):
            out.text(alt, context, block)
    elif kind == _INPUT:
        value = attrs.get("value")
        button = (attrs.get("type") or "").lower() in BUTTON_INPUT_TYPES
        if button and value and value.strip(HTML_SPACE):
            out.text(value, context, block)
    elif kind == _SELECT:
        label = _select_label(node)
        if label.strip(HTML_SPACE):
            out.text(label, context, block)


def _walk(root: LexborNode, out: _Layout) -> None:
    """Visit every node once, depth first, without recursion.

    This loop runs for every node of every page, so it keeps its state in local
    variables and handles the common cases inline: whitespace between tags,
    inline elements, and the opening and closing of blocks.
    """
    tags = _TAGS
    inline_tag = _INLINE_TAG
    text_id = _TEXT_ID
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
                if kind in (_LINE, _ITEM):
                    if out.need < _NEWLINE:
                        out.need = _NEWLINE
                    if kind == _ITEM:
                        out.bullet = None  # an item without text leaves no bullet behind
                elif kind == _LINK:
                    link_depth -= 1
                    out.link_depth = link_depth
                elif kind == _PARAGRAPH:
                    out.need = _BLANK
                elif kind == _LIST:
                    list_depth -= 1
                    out.need = _BLANK if not list_depth else max(out.need, _NEWLINE)
                elif kind == _PRE:
                    pre_depth -= 1
                    out.need = _BLANK
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

        # An element (or a comment, which _TAGS skips).
        kind, inside, name, heading = tags.get(tag_id, inline_tag)
        if kind == _SKIP:
            node = node.next
            continue
        outer_context, outer_block = context, block
        attrs = node.attributes
        weight = 0
        if attrs:
            maybe_hidden = "style" in attrs or "hidden" in attrs or "aria-hidden" in attrs
            if maybe_hidden and _is_hidden(attrs):
                node = node.next
                continue
            value = attrs.get("class")
            tokens = tokens_of(value) if value else empty
            value = attrs.get("id")
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
            if kind == _DIALOG:
                if "open" not in attrs:  # a closed dialog is not shown
                    context = outer_context
                    node = node.next
                    continue
                kind = _LINE  # an open one is laid out as a div
            if kind <= _PRE:  # a link or a block
                if kind in (_LINE, _ITEM):
                    if out.need < _NEWLINE:
                        out.need = _NEWLINE
                    if kind == _ITEM:
                        out.bullet = _BULLETS[min(list_depth, MAX_BULLET_LEVELS)]
                elif kind == _LINK:
                    link_depth += 1
                    out.link_depth = link_depth
                elif kind == _PARAGRAPH:
                    out.need = _BLANK
                elif kind == _LIST:
                    out.need = _BLANK if not list_depth else max(out.need, _NEWLINE)
                    list_depth += 1
                else:  # _PRE
                    out.need = _BLANK
                    pre_depth += 1
                if kind != _LINK:
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
            node = child
        else:
            context = outer_context
            node = node.next


def _too_deep(html: str) -> bool:
    """Whether the elements of a page may nest deeper than MAX_BLOCK_NESTING
    (a quick measure: tags inside scripts and comments count too)."""
    cap = _NestingCap()
    return not all(cap.keep(tag.group(2), bool(tag.group(1))) for tag in _ANY_TAG.finditer(html))


def _cap_nesting(html: str) -> str:
    """Drop the start and end tags of elements nested deeper than
    MAX_BLOCK_NESTING; their content stays, one level up."""
    if not _too_deep(html):
        return html
    cap = _NestingCap()

    def keep_or_drop(match: re.Match[str]) -> str:
        name = match.group(3)
        if not name or cap.keep(name, bool(match.group(2))):
            return match.group(0)
        return ""

    return _NESTING_MARKUP.sub(keep_or_drop, html)


# ---------------------------------------------------------------------------
# The API.
# ---------------------------------------------------------------------------


def render_tree(
    tree: LexborHTMLParser, *, markers: bool = True, cues: bool = True
) -> tuple[list[str], list[DomCues | None] | None]:
    """Lay out a parsed page: its lines, and one DomCues per line (None for blank lines).

    Use it to render a tree you changed (the corpus builder's markers) without
    serialising it again. `markers=False` says the page holds no marker, which
    saves looking for them. `cues=False` gives the same lines and no cues (None),
    for a third less time: site stats' first pass needs only the lines.
    """
    out = _Layout(markers=markers, with_cues=cues)
    root = tree.root
    if root is not None:
        _walk(root, out)
    lines, line_cues = out.finish()
    if not cues:
        return lines, None
    # Markers take no part in the cues: score the lines as they are without them.
    plain = [_MARKER.sub("", line) for line in lines] if markers else lines
    return lines, with_content_scores(plain, line_cues, out.line_blocks, out.parents, out.ends,
                                      out.weights)


def render_html(html: str | bytes, *, cues: bool = True
                ) -> tuple[list[str], list[DomCues | None] | None]:
    """Lay out an HTML page as a text browser would: its lines, and one DomCues
    per line (None for blank lines; no list at all with `cues=False`). Bytes are
    decoded with `decode_bytes`."""
    if isinstance(html, bytes | bytearray):
        html, _ = decode_bytes(bytes(html), html=True)
    if html.count("<") > NESTING_CHECK_TAGS:
        html = _cap_nesting(html)
    lines, line_cues = _parse_and_render(html, cues)
    if not lines and _TITLE_START.search(html) and not _TITLE_END.search(html):
        lines, line_cues = _parse_and_render(_TITLE_START.sub("", html), cues)
    return lines, line_cues


def _parse_and_render(html: str, cues: bool = True
                      ) -> tuple[list[str], list[DomCues | None] | None]:
    tree = LexborHTMLParser(html)
    # The parser keeps the page as UTF-8: a byte search there is far cheaper than
    # a character search in every line.
    raw = tree.raw_html
    markers = not isinstance(raw, bytes) or _may_hold_markers(raw)
    return render_tree(tree, markers=markers, cues=cues)


def _may_hold_markers(raw: bytes) -> bool:
    """Whether the UTF-8 bytes of a page hold a marker. A search for one byte
    runs at memchr speed, while a regex alternation tries every position; EF
    also starts other characters (U+FEFF, U+FFFD), so it needs a second look."""
    if b"\xee" in raw:
        return True
    return b"\xef" in raw and _MARKER_UTF8_EF.search(raw) is not None


def read_html(data: bytes | str, *, id: str = "", source: str = "", url: str | None = None,
              strict: bool = False, cues: bool = True) -> Page:
    """Decode and render an HTML page into a Page of kind "html". Never raises:
    a page that cannot be rendered comes back with no lines, unless `strict`,
    which raises a PageError saying why instead. `cues=False`: the lines without
    their cues (site stats' first pass), a page to read, not to clean."""
    encoding = text = ""
    try:
        if isinstance(data, bytes | bytearray):
            text, encoding = decode_bytes(bytes(data), html=True)
        else:
            text = data
        lines, line_cues = render_html(text, cues=cues)
    except Exception as error:  # one bad page must not stop a batch of millions
        if strict:
            raise PageError(f"cannot render HTML ({type(error).__name__}: {error})") from error
        log.warning("could not render HTML page %r: %s", id or source, error,
                    exc_info=log.isEnabledFor(logging.DEBUG))  # a traceback with --debug only
        lines, line_cues = [], [] if cues else None
    page = Page(lines=lines, id=id, source=source, url=url, kind="html", cues=line_cues)
    if encoding:
        page.meta["encoding"] = encoding
    if url is None and (own := own_url(text)):
        page.meta["own_url"] = own
    return page


def format_cues(cues: DomCues | None) -> str:
    """One short line for `cleaner lines --cues`, e.g.
    "li@7 h0 link=1.00 in=li,nav cls=menu,nav box=12 content=0.00" (tag@depth,
    heading, link share, enclosing INSIDE_TAGS, class tokens, box, content score,
    then "top" and "chrome" where they hold); "" for a blank line."""
    if cues is None:
        return ""
    text = f"{cues.tag or '-'}@{cues.depth} h{cues.heading} link={cues.link_share:.2f}"
    if cues.inside:
        text += " in=" + ",".join(sorted(cues.inside))
    if cues.tokens:
        text += " cls=" + ",".join(sorted(cues.tokens))
    text += f" box={cues.box} content={cues.content:.2f}"
    text += " top" if cues.in_top else ""
    text += " chrome" if cues.in_chrome else ""
    return text
