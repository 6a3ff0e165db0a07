"""Renderers: HTML text in, the page's lines out (and DOM cues where known).

The corpus is rendered twice, by w3m (what text dumps in the wild look like,
see ../shared/datasets/README.md) and by the project's own HTML reader, so
that the model does not learn one renderer's habits. Both are wrapped as a
`Renderer`, which is what the dataset builders take as a parameter.
"""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

from cleaner.document import DomCues
from cleaner.readers.decode import clean_text, split_lines

RenderFn = Callable[[str], tuple[list[str], list[DomCues | None] | None]]

# w3m's text-dump settings. -cols 100000 keeps a block on one line (the layout
# of the seed dumps); -I/-O pin the byte encodings so w3m never guesses.
W3M_COMMAND = ("w3m", "-dump", "-T", "text/html", "-cols", "100000", "-I", "UTF-8", "-O", "UTF-8")
# The slowest page of the four datasets renders in well under a second; a page
# that takes this long has sent w3m into a loop and is skipped.
W3M_TIMEOUT_SECONDS = 60

# `charset=` in a <meta> tag: rewritten to utf-8 because we hand the renderer
# text we already decoded (and re-encode as UTF-8).
META_TAG = re.compile(r"<meta\b[^>]*>", re.I)
CHARSET_VALUE = re.compile(r"""(charset\s*=\s*["']?)\s*[\w\-:.]+""", re.I)


LINE_BREAK = re.compile(r"[\r\n]")


class RenderError(RuntimeError):
    """A renderer failed on one page (w3m crashed or timed out, render_html raised):
    the page is reported as failed and the build goes on."""


@dataclass(frozen=True)
class Renderer:
    """A named way of turning HTML into lines.

    `marker_base` is the first of the six code points the marker method may
    insert into this renderer's input: it must survive rendering and take no
    width in the renderer's layout (see markers.py).
    """

    name: str
    render: RenderFn
    marker_base: int


def neutralise_charset(html: str) -> str:
    """Make every <meta ... charset=X> declare UTF-8, the encoding we hand over."""

    def fix(tag: re.Match[str]) -> str:
        return CHARSET_VALUE.sub(r"\1utf-8", tag.group(0))

    return META_TAG.sub(fix, html)


def tidy_lines(lines: list[str]) -> list[str]:
    """Drop trailing whitespace (w3m pads table rows with it; it is invisible),
    stray line breaks and the control characters that reading a label file
    would drop, so that a written line reads back unchanged."""
    return [clean_text(LINE_BREAK.sub(" ", line)).rstrip() for line in lines]


def render_w3m(html: str) -> tuple[list[str], None]:
    """Render with w3m as a text dump; w3m knows no DOM cues."""
    try:
        done = subprocess.run(
            W3M_COMMAND,
            input=neutralise_charset(html).encode("utf-8", "replace"),
            capture_output=True,
            timeout=W3M_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise RenderError(f"w3m timed out after {W3M_TIMEOUT_SECONDS}s") from error
    if done.returncode != 0:
        raise RenderError(f"w3m exited with {done.returncode}: {done.stderr[:200]!r}")
    return split_lines(done.stdout.decode("utf-8", "replace")), None


def w3m_available() -> bool:
    return shutil.which(W3M_COMMAND[0]) is not None


# w3m treats combining marks as zero-width: a marker from this block (U+20D0
# COMBINING LEFT HARPOON ABOVE and the five after it, never seen in news text)
# leaves table padding, centring and tab stops exactly as they were, whereas a
# private-use code point takes one column and shifts them (measured: see the
# data card).
W3M_MARKER_BASE = 0x20D0
# The project's own renderer keeps private-use code points and does no
# column layout, so the obvious private-use markers are safe there.
CLEANER_MARKER_BASE = 0xE000

W3M = Renderer("w3m", render_w3m, W3M_MARKER_BASE)


def cleaner_renderer() -> Renderer | None:
    """The project's own HTML renderer, if `cleaner.readers.html` is importable."""
    try:
        module = importlib.import_module("cleaner.readers.html.render")
    except ImportError:
        return None
    render_html = getattr(module, "render_html", None)
    if render_html is None:
        return None

    def render(html: str) -> tuple[list[str], list[DomCues | None] | None]:
        try:
            lines, cues = render_html(html)
        except Exception as error:  # one bad page must not stop a build of thousands
            raise RenderError(f"render_html failed: {type(error).__name__}: {error}") from error
        return list(lines), list(cues) if cues is not None else None

    return Renderer("cleaner", render, CLEANER_MARKER_BASE)


def available_renderers(names: list[str] | None = None) -> list[Renderer]:
    """The renderers that work here, in a fixed order, optionally filtered by name."""
    found = [r for r in (W3M if w3m_available() else None, cleaner_renderer()) if r is not None]
    return [r for r in found if names is None or r.name in names]
