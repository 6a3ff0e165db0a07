"""The class and id vocabulary: which words of class and id names stand for what.

`class_tokens("comment-body relatedArticles")` gives the CLASS_TOKENS those
names hold (comment, body, related, article). No parser: features/dom.py
reads CLASS_TOKENS for its columns.
"""

from __future__ import annotations

import re
from functools import lru_cache

_EMPTY: frozenset[str] = frozenset()

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
    "footer": ("footer", "colophon", "contentinfo"),
    "sidebar": ("sidebar", "side", "aside", "rail", "secondary", "complementary"),
    "widget": ("widget",),
    "list": ("list", "listing"),
    "more": ("more", "readmore"),
    "logo": ("logo", "brand", "branding"),
    "banner": ("banner",),
    "button": ("button", "btn"),
    "hidden": ("hidden", "hide", "sr", "screenreader", "offscreen", "invisible"),
    "popup": ("popup", "modal", "overlay", "lightbox", "dialog", "alertdialog", "interstitial"),
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
