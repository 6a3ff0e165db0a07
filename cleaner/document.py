"""Value types for a page on its way through the pipeline.

A `Page` is the unit of work: its lines in reading order, what the reader
learned about each line (DOM cues, for HTML only), and where it came from.
Blank lines are kept so that output lines map 1:1 to the input's lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class PageError(Exception):
    """A page that cannot be read or cleaned; str() is a one-line reason."""


@dataclass(frozen=True, slots=True)
class DomCues:
    """What the HTML renderer knew about one rendered line."""

    link_share: float = 0.0  # share of the line's visible (non-space) characters inside <a>
    tag: str = ""  # the block element the line came from: p, li, h2, td, div, ...
    heading: int = 0  # 1-6 for h1-h6, else 0
    depth: int = 0  # element depth of the block element (html = 0, body = 1)
    inside: frozenset[str] = frozenset()  # ancestor elements: nav, footer, li, form, ...
    # known tokens of ancestors' class, id, role and itemprop values: comment, share, ...
    tokens: frozenset[str] = frozenset()
    # The page's content container, found as Readability finds it (content_score.py):
    content: float = 0.0  # score of the container around the line's block, over the best one's
    in_top: bool = False  # the line is inside the best-scoring container
    # inside an element named like chrome (comment, sidebar, ...) that does not hold the best one
    in_chrome: bool = False
    top_share: float = 0.0  # share of the page's characters inside that container
    # The element that holds the line's block, numbered in document order within
    # the page (-1: unknown): the lines of one box (a comment, a list, the
    # article's paragraphs) mostly share a label, which the classifier's second
    # pass uses.
    box: int = -1

    def to_dict(self) -> dict:
        return {
            "link_share": round(self.link_share, 4),
            "tag": self.tag,
            "heading": self.heading,
            "depth": self.depth,
            "inside": sorted(self.inside),
            "tokens": sorted(self.tokens),
            "content": self.content,
            "in_top": self.in_top,
            "in_chrome": self.in_chrome,
            "top_share": self.top_share,
            "box": self.box,
        }

    @classmethod
    def from_dict(cls, data: dict) -> DomCues:
        return cls(
            link_share=float(data.get("link_share", 0.0)),
            tag=str(data.get("tag", "")),
            heading=int(data.get("heading", 0)),
            depth=int(data.get("depth", 0)),
            inside=frozenset(data.get("inside", ())),
            tokens=frozenset(data.get("tokens", ())),
            content=float(data.get("content", 0.0)),
            in_top=bool(data.get("in_top", False)),
            in_chrome=bool(data.get("in_chrome", False)),
            top_share=float(data.get("top_share", 0.0)),
            box=int(data.get("box", -1)),
        )


class MarkdownLine(NamedTuple):
    """What markdown shows of one text line (cleaner/markdown.py writes the kept ones):
    its inline markdown, and the structure around it that the page gave."""

    text: str  # the line's text as inline markdown: escaped, with emphasis and links
    heading: int = 0  # 1-6 for h1-h6, else 0
    quote: int = 0  # how many blockquotes hold it
    marker: str = ""  # a list item's first line: "- " or "3. "
    indent: int = 0  # spaces before the marker, or before the text of an item's later line
    table: tuple[int, int, int, int] | None = None  # (table, row, column, columns): a cell
    code: int = 0  # the <pre> it is in, numbered from 1 in the page; 0: none


# The metadata fields of a result and of every JSONL record, in their order there.
METADATA_FIELDS = ("title", "author", "date", "sitename", "language", "url", "canonical_url")


@dataclass(frozen=True, slots=True)
class StatedMetadata:
    """What an HTML page's markup states about it, read with the page (metadata/), and
    which of its lines may give the rest once they are labelled. Lines are kept as
    indices because the cues are dropped before labelling in a batch with site stats."""

    title: str | None = None  # JSON-LD headline, og:title or <title>, site name removed
    stated_title: str | None = None  # the same before the site name was removed
    author: str | None = None  # a person (or people) the markup names
    site_author: str | None = None  # an author that is the site or an organisation
    date: str | None = None  # YYYY-MM-DD
    sitename: str | None = None
    canonical_url: str | None = None
    headlines: tuple[int, ...] = ()  # lines of the page's <h1> elements
    bylines: tuple[tuple[int, str], ...] = ()  # (line, the names it states)
    datelines: tuple[tuple[int, str], ...] = ()  # (line, the day it states)


@dataclass(slots=True)
class Page:
    """One page: its lines, optional per-line DOM cues, and its origin."""

    lines: list[str]
    id: str = ""
    source: str = ""
    url: str | None = None
    kind: str = "text"  # "text" for a text dump, "html" for a rendered HTML page
    # one per line when kind == "html" (None: HTML read for its lines only,
    # read_html(cues=False): a page read for its lines only, as site stats sketch it)
    cues: list[DomCues | None] | None = None
    meta: dict[str, str] = field(default_factory=dict)
    stated: StatedMetadata | None = None  # HTML read with cues: what its markup states
    # one per line (None: blank), when the page was read for markdown (markdown=True)
    markdown: list[MarkdownLine | None] | None = None
    _content: list[int] | None = field(default=None, repr=False, compare=False)

    def content_indices(self) -> list[int]:
        """Indices of the lines that get a label: those with visible text (computed once)."""
        if self._content is None:
            self._content = [i for i, line in enumerate(self.lines) if line.strip()]
        return self._content


@dataclass(slots=True)
class LabelledLine:
    text: str
    label: str | None  # None for blank lines
    p: float | None  # probability of the chosen label


@dataclass(slots=True)
class Result:
    """The cleaner's answer for one page: every line labelled, and the kept text.

    Labels and probabilities are kept as plain lists, one entry per input
    line (None on blank lines); `lines` pairs them with the text on demand,
    so writing only the clean text never builds per-line objects.
    """

    id: str
    source: str
    url: str | None
    text: str
    line_texts: list[str] = field(default_factory=list)
    labels: list[str | None] = field(default_factory=list)
    probabilities: list[float | None] = field(default_factory=list)
    kind: str = "text"
    error: str | None = None
    # The page's metadata (metadata/), None where unknown; `url` above is the page's
    # address as given.
    title: str | None = None
    author: str | None = None
    date: str | None = None  # the publication day, ISO 8601 (YYYY-MM-DD)
    sitename: str | None = None
    language: str | None = None  # ISO 639-1, detected from the kept text
    canonical_url: str | None = None
    markdown: str | None = None  # the kept lines as markdown, when asked (markdown=True)

    @classmethod
    def failed(cls, id: str, source: str, url: str | None, reason: str) -> Result:
        """The result of a page that could not be read or cleaned: no text, the reason."""
        return cls(id=id, source=source, url=url, text="", error=reason)

    @property
    def lines(self) -> list[LabelledLine]:
        return [LabelledLine(text, label, p) for text, label, p in
                zip(self.line_texts, self.labels, self.probabilities, strict=True)]

    def metadata(self) -> dict[str, str | None]:
        """The metadata fields (METADATA_FIELDS), None where unknown."""
        return {name: getattr(self, name) for name in METADATA_FIELDS}

    def as_record(self, with_lines: bool) -> dict:
        record: dict = {"id": self.id, "url": self.url, "source": self.source}
        record |= {name: getattr(self, name) for name in METADATA_FIELDS if name != "url"}
        record["text"] = self.text
        if self.markdown is not None:
            record["markdown"] = self.markdown
        if with_lines:
            record["lines"] = [{"text": text, "label": label, "p": p} for text, label, p in
                               zip(self.line_texts, self.labels, self.probabilities, strict=True)]
        if self.error is not None:
            record["error"] = self.error
        return record
