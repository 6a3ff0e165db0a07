"""Plain-text tables of evaluation figures, for the CLI and the benchmarks."""

from __future__ import annotations

from cleaner.labels import LABELS


def line_table(report: dict, title: str = "") -> str:
    rows = [title] if title else []
    rows.append(f"{'label':<10}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}")
    for label in LABELS:
        figures = report["labels"][label]
        rows.append(f"{label:<10}{figures['precision']:>10.3f}{figures['recall']:>10.3f}"
                    f"{figures['f1']:>10.3f}{figures['support']:>10d}")
    rows.append(f"{'macro-F1':<10}{report['macro_f1']:>30.3f}{report['lines']:>10d}")
    return "\n".join(rows)


def confusion_table(report: dict) -> str:
    rows = ["confusion (rows: gold, columns: predicted)",
            f"{'':<10}" + "".join(f"{label:>10}" for label in LABELS)]
    for label, counts in zip(LABELS, report["confusion"], strict=True):
        rows.append(f"{label:<10}" + "".join(f"{count:>10d}" for count in counts))
    return "\n".join(rows)


def text_table(report: dict) -> str:
    text = report.get("text", {})
    rows = []
    for part in ("body", "comment"):
        scores = text.get(part)
        if scores and scores.get("pages"):
            rows.append(f"{part} text shingle F1 {scores['f1']:.3f} (precision "
                        f"{scores['precision']:.3f}, recall {scores['recall']:.3f}, "
                        f"{scores['pages']} pages)")
    if text.get("comment_leak") is not None:
        rows.append(f"comment text leaking into body text: {text['comment_leak']:.3f} "
                    f"({text['pages_with_comments']} pages with comments)")
    return "\n".join(rows)


def full_report(report: dict, title: str = "") -> str:
    if not report["lines"]:  # partial gold only: the text figures are what there is
        return "\n\n".join(part for part in (title, text_table(report)) if part)
    return "\n\n".join(part for part in (line_table(report, title), confusion_table(report),
                                         text_table(report)) if part)


def side_by_side(reports: dict[str, dict]) -> str:
    """Per-label figures (and body text F1) of several models in columns."""
    names = list(reports)
    rows = [f"{'':<22}" + "".join(f"{_short(name):>16}" for name in names) + f"{'support':>10}"]
    first = reports[names[0]]
    for label in LABELS:
        for metric in ("precision", "recall", "f1"):
            support = f"{first['labels'][label]['support']:>10d}" if metric == "f1" else ""
            rows.append(f"{label + ' ' + metric:<22}" + "".join(
                f"{reports[n]['labels'][label][metric]:>16.3f}" for n in names) + support)
    rows.append(f"{'macro-F1':<22}" + "".join(f"{reports[n]['macro_f1']:>16.3f}" for n in names))
    rows.append(f"{'body text F1':<22}" + "".join(
        f"{reports[n]['text']['body']['f1']:>16.3f}" for n in names))
    return "\n".join(rows)


def _short(name: str) -> str:
    """A model's column heading: its folder name, cut to fit."""
    return name.rstrip("/").rsplit("/", 1)[-1][:15]
