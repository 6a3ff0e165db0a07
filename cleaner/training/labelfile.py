"""Line-label files: the editable format of ../shared/LABELING.md.

    # url: https://example.com/story      (optional header rows)
    body<TAB>First paragraph of the story.
    <TAB>                                  (blank line: empty label)
    nav<TAB>Share this article

A row's label may carry a trailing "?" (written by `cleaner label` on the
lines the model is least sure of); readers ignore it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cleaner.labels import LABELS
from cleaner.readers.decode import decode_bytes, split_lines

UNSURE_MARK = "?"
# DOM cues of an HTML page's lines travel beside its label file, as JSON.
CUES_SUFFIX = ".cues.json"


def cues_sidecar(label_file: Path) -> Path:
    return label_file.with_name(label_file.name.removesuffix(".tsv") + CUES_SUFFIX)


class LabelFileError(ValueError):
    """A line-label file that cannot be read; the message names file and row."""


@dataclass(slots=True)
class LabelledPage:
    lines: list[str]
    labels: list[str | None]  # None for blank or unlabelled lines
    meta: dict[str, str] = field(default_factory=dict)
    path: str = ""
    unsure: set[int] = field(default_factory=set)  # lines whose label ends in "?"


def parse_label_file(text: str, path: str = "") -> LabelledPage:
    page = LabelledPage(lines=[], labels=[], path=path)
    rows = split_lines(text)
    start = 0
    while start < len(rows) and rows[start].startswith("#") and "\t" not in rows[start]:
        key, _, value = rows[start].lstrip("#").partition(":")
        page.meta[key.strip()] = value.strip()
        start += 1
    for number, row in enumerate(rows[start:], start=start + 1):
        label, tab, line = row.partition("\t")
        if not tab:
            raise LabelFileError(f"{path}:{number}: expected 'label<TAB>text', got {row[:60]!r}")
        label = label.strip()
        if label.endswith(UNSURE_MARK):
            page.unsure.add(len(page.lines))
            label = label.removesuffix(UNSURE_MARK)
        if label and label not in LABELS:
            raise LabelFileError(
                f"{path}:{number}: unknown label {label!r} (expected one of {', '.join(LABELS)})"
            )
        page.lines.append(line)
        page.labels.append(label if label and line.strip() else None)
    return page


def read_label_file(path: str | Path) -> LabelledPage:
    text, _ = decode_bytes(Path(path).read_bytes())
    return parse_label_file(text, str(path))


def format_label_file(
    lines: list[str],
    labels: list[str | None],
    meta: dict[str, str] | None = None,
    unsure: set[int] | None = None,
) -> str:
    rows = [f"# {key}: {value}" for key, value in (meta or {}).items()]
    for i, (line, label) in enumerate(zip(lines, labels, strict=True)):
        mark = UNSURE_MARK if unsure and i in unsure and label else ""
        rows.append(f"{label or ''}{mark}\t{line}")
    return "\n".join(rows) + "\n"


def find_label_files(paths: list[Path]) -> list[Path]:
    """Label files named on the command line, directories searched for *.tsv."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.tsv") if p.is_file()))
        else:
            found.append(path)
    return found
