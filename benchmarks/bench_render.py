"""Speed of the HTML renderer (cleaner.readers.html) on real news pages.

    python -m benchmarks.bench_render                      # all pages of both datasets
    python -m benchmarks.bench_render --limit 200 --json render.json
    python -m benchmarks.bench_render --w3m 10             # also compare layouts with w3m

For each dataset it times the stages of `read_html` page by page: decoding the
bytes, parsing with lexbor, and laying the tree out into lines with their DOM
cues (render_html's time less the parse), in --repeat passes over the pages,
keeping the fastest pass. It prints pages/s, MB/s (of the pages' bytes), and
milliseconds per page and per 100 KB, on one core. Each dataset gets a row for
each walk: the compiled one (cwalk.py, where it is built and in use), the
Python one (render.USE_COMPILED = False), and the Python walk reading the page
for markdown too (`render_page(markdown=True)`, what `--format markdown` reads
with), timed in the same run. The datasets
are read where they sit (../shared/datasets beside the checkout) and never copied.

With --w3m N it also renders N pages per dataset with w3m and reports how close
the two layouts are: lines, blank lines and bullet lines of each, the share of
w3m's words found in ours and of our lines found in w3m's, and how often a line
both renderers print has a blank line above it in both.
"""

from __future__ import annotations

import argparse
import collections
import json
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import selectolax
from selectolax.lexbor import LexborHTMLParser

from cleaner.readers.decode import decode_bytes
from cleaner.readers.html import render
from cleaner.readers.html.render import render_html, render_page
from cleaner.readers.html.vocabulary import _word_tokens, class_tokens

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATASETS = REPO.parent / "shared" / "datasets"
# The two sets of whole news pages: dragnet (2012) and L3S-GN1 (2008).
DATASETS = {"dragnet": "dragnet/html", "l3s-gn1": "l3s-gn1/original"}

W3M_COMMAND = ("w3m", "-dump", "-T", "text/html", "-cols", "100000", "-I", "UTF-8", "-O", "UTF-8")
# Bullets w3m puts before list items at each depth, and its ordered-list numbers.
W3M_BULLET = re.compile(r"^\s*(?:[•□◦▪■◆○●]|\d+\.)\s+")


@dataclass
class SpeedRow:
    dataset: str
    walk: str  # "C" (the compiled walk), "Python", or "markdown" (Python, read for markdown)
    pages: int
    mb: float
    decode_ms: float  # per page
    parse_ms: float
    layout_ms: float
    total_ms: float
    p95_ms: float
    ms_per_100kb: float
    pages_per_s: float
    mb_per_s: float
    lexbor_text_ms: float  # the peer: parse and lexbor's own text(), all in C
    render_vs_lexbor_text: float  # (parse + layout) / peer, steadier than times on a busy machine


def _lexbor_text(text: str) -> str:
    tree = LexborHTMLParser(text)
    return tree.body.text(separator="\n") if tree.body is not None else ""


def one_pass(pages: list[bytes], markdown: bool = False) -> tuple[list[float], ...]:
    """Milliseconds per page for decode, parse, layout and the peer (lexbor's own
    text extraction), each page once, in order.

    The class-token caches are emptied first, so that each pass costs what a
    fresh process pays; a long run that has seen a site's class names before
    is faster.
    """
    class_tokens.cache_clear()
    _word_tokens.cache_clear()
    decode_ms, parse_ms, layout_ms, peer_ms = [], [], [], []
    # CPU time of this process: pages per second on one core, whatever else runs
    # on the machine (wall-clock time on a busy machine counts others' work too).
    clock = time.process_time
    for data in pages:
        start = clock()
        text, _ = decode_bytes(data, html=True)
        decoded = clock()
        LexborHTMLParser(text)
        parsed = clock()
        render_page(text, markdown=markdown)  # parses again, then lays out
        rendered = clock()
        _lexbor_text(text)
        peered = clock()
        decode_ms.append((decoded - start) * 1000)
        parse_ms.append((parsed - decoded) * 1000)
        layout_ms.append(max(0.0, (rendered - parsed) - (parsed - decoded)) * 1000)
        peer_ms.append((peered - rendered) * 1000)
    return decode_ms, parse_ms, layout_ms, peer_ms


def walks() -> dict[str, tuple[bool, bool]]:
    """The walks to time: (render.USE_COMPILED, markdown) for each."""
    python = {"Python": (False, False), "markdown": (False, True)}
    return {"C": (True, False), **python} if render.USE_COMPILED else python


def measure_walks(name: str, files: list[Path], repeat: int) -> list[SpeedRow]:
    rows = []
    for walk, (use_compiled, markdown) in walks().items():
        saved, render.USE_COMPILED = render.USE_COMPILED, use_compiled
        try:
            rows.append(measure(name, walk, files, repeat, markdown))
        finally:
            render.USE_COMPILED = saved
    return rows


def measure(name: str, walk: str, files: list[Path], repeat: int,
            markdown: bool = False) -> SpeedRow:
    """Time `repeat` passes over the pages and keep the fastest: the one least
    disturbed by whatever else the machine was doing."""
    pages = [path.read_bytes() for path in files]
    decode_ms, parse_ms, layout_ms, peer_ms = min(
        (one_pass(pages, markdown) for _ in range(repeat)),
        key=lambda stages: sum(map(sum, stages)))
    totals = [d + p + lay for d, p, lay in zip(decode_ms, parse_ms, layout_ms, strict=True)]
    seconds = sum(totals) / 1000
    megabytes = sum(map(len, pages)) / 1e6
    return SpeedRow(
        dataset=name,
        walk=walk,
        pages=len(files),
        mb=round(megabytes, 2),
        decode_ms=round(statistics.mean(decode_ms), 3),
        parse_ms=round(statistics.mean(parse_ms), 3),
        layout_ms=round(statistics.mean(layout_ms), 3),
        total_ms=round(statistics.mean(totals), 3),
        p95_ms=round(statistics.quantiles(totals, n=20)[-1], 3) if len(totals) > 1 else totals[0],
        ms_per_100kb=round(sum(totals) / (megabytes * 10), 3),
        pages_per_s=round(len(files) / seconds, 1),
        mb_per_s=round(megabytes / seconds, 2),
        lexbor_text_ms=round(statistics.mean(peer_ms), 3),
        render_vs_lexbor_text=round((sum(parse_ms) + sum(layout_ms)) / sum(peer_ms), 2),
    )


@dataclass
class LayoutRow:
    page: str
    w3m_lines: int
    our_lines: int
    w3m_blank: int
    our_blank: int
    w3m_bullets: int
    our_bullets: int
    w3m_words_in_ours: float
    our_lines_in_w3m: float
    blank_above_agrees: float


def _norm(line: str) -> str:
    return " ".join(W3M_BULLET.sub("", line).split())


def _counts(lines: list[str]) -> tuple[int, int, int]:
    text = sum(1 for line in lines if line.strip())
    bullets = sum(1 for line in lines if W3M_BULLET.match(line) and not line.lstrip()[0].isdigit())
    return text, len(lines) - text, bullets


def _blank_above(lines: list[str]) -> dict[str, bool]:
    """For each line that occurs once: whether a blank line stands above it."""
    seen = collections.Counter(_norm(line) for line in lines if line.strip())
    above: dict[str, bool] = {}
    previous_blank = True
    for line in lines:
        if not line.strip():
            previous_blank = True
            continue
        if seen[_norm(line)] == 1:
            above[_norm(line)] = previous_blank
        previous_blank = False
    return above


def compare_with_w3m(name: str, path: Path) -> LayoutRow:
    text, _ = decode_bytes(path.read_bytes(), html=True)
    ours, _ = render_html(text)
    done = subprocess.run(W3M_COMMAND, input=text.encode(), capture_output=True, timeout=60)
    theirs = [line.rstrip() for line in done.stdout.decode("utf-8", "replace").split("\n")]
    while theirs and not theirs[-1]:
        theirs.pop()
    their_words = collections.Counter(w for line in theirs for w in _norm(line).split())
    our_words = collections.Counter(w for line in ours for w in _norm(line).split())
    their_set = {_norm(line) for line in theirs if line.strip()}
    our_text = [line for line in ours if line.strip()]
    above_theirs, above_ours = _blank_above(theirs), _blank_above(ours)
    shared = above_theirs.keys() & above_ours.keys()
    (w3m_lines, w3m_blank, w3m_bullets) = _counts(theirs)
    (our_lines, our_blank, our_bullets) = _counts(ours)
    return LayoutRow(
        page=f"{name}/{path.name}",
        w3m_lines=w3m_lines,
        our_lines=our_lines,
        w3m_blank=w3m_blank,
        our_blank=our_blank,
        w3m_bullets=w3m_bullets,
        our_bullets=our_bullets,
        w3m_words_in_ours=round(
            sum((their_words & our_words).values()) / max(1, sum(their_words.values())), 3
        ),
        our_lines_in_w3m=round(
            sum(_norm(line) in their_set for line in our_text) / max(1, len(our_text)), 3
        ),
        blank_above_agrees=round(
            sum(above_theirs[k] == above_ours[k] for k in shared) / max(1, len(shared)), 3
        ),
    )


def print_speed(rows: list[SpeedRow]) -> None:
    header = (
        f"{'dataset':10} {'walk':8} {'pages':>6} {'MB':>7} {'decode':>7} {'parse':>7} "
        f"{'layout':>7} {'total':>7} {'p95':>7} {'/100KB':>7} {'pages/s':>8} {'MB/s':>6} "
        f"{'peer':>6} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.dataset:10} {r.walk:8} {r.pages:6d} {r.mb:7.1f} {r.decode_ms:7.3f} "
            f"{r.parse_ms:7.3f} {r.layout_ms:7.3f} {r.total_ms:7.3f} {r.p95_ms:7.3f} "
            f"{r.ms_per_100kb:7.3f} "
            f"{r.pages_per_s:8.1f} {r.mb_per_s:6.2f} {r.lexbor_text_ms:6.3f}"
            f" {r.render_vs_lexbor_text:6.2f}"
        )
    print(
        "(milliseconds of CPU per page, the fastest of --repeat passes, one core; peer: lexbor"
        " parse + body.text() in C;\n ratio: our parse + layout over the peer's time)"
    )


def print_layout(rows: list[LayoutRow]) -> None:
    header = (
        f"{'page':34} {'lines w3m/ours':>15} {'blank w3m/ours':>15} {'bullets w3m/ours':>17} "
        f"{'words':>6} {'lines':>6} {'blank':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.page[:34]:34} {r.w3m_lines:7d}/{r.our_lines:<7d}"
            f" {r.w3m_blank:7d}/{r.our_blank:<7d} {r.w3m_bullets:8d}/{r.our_bullets:<8d}"
            f" {r.w3m_words_in_ours:6.2f}"
            f" {r.our_lines_in_w3m:6.2f} {r.blank_above_agrees:6.2f}"
        )
    for field in ("w3m_words_in_ours", "our_lines_in_w3m", "blank_above_agrees"):
        values = [getattr(r, field) for r in rows]
        print(f"median {field}: {statistics.median(values):.3f}")
    for what in ("lines", "blank", "bullets"):
        ratios = [
            getattr(r, f"our_{what}") / getattr(r, f"w3m_{what}")
            for r in rows
            if getattr(r, f"w3m_{what}")
        ]
        if ratios:
            print(f"median ours/w3m {what}: {statistics.median(ratios):.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--limit", type=int, default=0, help="pages per dataset (0: all)")
    parser.add_argument("--repeat", type=int, default=3, help="passes; the fastest counts")
    parser.add_argument("--w3m", type=int, default=0, help="pages per dataset to compare with w3m")
    parser.add_argument("--json", type=Path, help="also write the tables here")
    args = parser.parse_args(argv)

    chosen = {
        name: sorted((args.datasets / folder).glob("*.html"))
        for name, folder in DATASETS.items()
        if (args.datasets / folder).is_dir()
    }
    if not chosen:
        print(f"no datasets under {args.datasets}", file=sys.stderr)
        return 1
    command = " ".join(["python -m benchmarks.bench_render", *(argv or sys.argv[1:])])
    machine = {
        "python": platform.python_version(),
        "selectolax": selectolax.__version__,
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "system": platform.platform(),
    }
    print(f"$ {command}")
    print(" ".join(f"{k}={v}" for k, v in machine.items()))

    speed = [
        row
        for name, files in chosen.items()
        for row in measure_walks(name, files[: args.limit] if args.limit else files, args.repeat)
    ]
    print_speed(speed)
    report: dict = {"command": command, "machine": machine, "speed": [asdict(r) for r in speed]}

    if args.w3m:
        if shutil.which(W3M_COMMAND[0]) is None:
            print("w3m is not installed: no layout comparison", file=sys.stderr)
        else:
            # Every k-th page, so that the sample spreads over the whole set.
            sample = [
                (name, path)
                for name, files in chosen.items()
                for path in files[:: max(1, len(files) // args.w3m)][: args.w3m]
            ]
            layout = [compare_with_w3m(name, path) for name, path in sample]
            print()
            print_layout(layout)
            report["w3m"] = [asdict(r) for r in layout]

    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
