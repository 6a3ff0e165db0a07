"""Pre-labelled line-label files for a person to correct (`cleaner label`).

Labels come from the current model; the lines it is least sure of carry a
"?" after their label so a person looks there first. HTML pages also get a
`.cues.json` sidecar with the renderer's DOM cues, so that training on the
corrected file sees the same cues the cleaner sees.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cleaner.atomic import atomic_write_text
from cleaner.clean import Cleaner
from cleaner.document import Page, Result
from cleaner.labels import UNSURE_BELOW, line_labels
from cleaner.readers.sources import check_found, check_inputs, iter_sources, read_source
from cleaner.training.labelfile import cues_sidecar, format_label_file


def prelabel(page: Page, probs: np.ndarray, unsure_below: float = UNSURE_BELOW):
    """The model's label for every line (None on blank lines) and the unsure line indices."""
    labels, ps = line_labels(len(page.lines), page.content_indices(), probs)
    unsure = {index for index, p in enumerate(ps) if p is not None and p < unsure_below}
    return labels, unsure


@dataclass(frozen=True)
class Prelabelled:
    """One page of `cleaner label`: the label file written and its unsure lines, or why not."""

    source: str
    target: Path | None = None
    unsure: int = 0
    error: str | None = None


def prelabel_pages(cleaner: Cleaner, inputs: list[str], out_dir: Path, *,
                   input_format: str = "auto",
                   unsure_below: float = UNSURE_BELOW) -> Iterator[Prelabelled]:
    """Write a pre-labelled label file under `out_dir` for every page of `inputs`
    (mirroring their paths), page by page."""
    check_inputs(inputs)
    check_found(inputs)
    for source in iter_sources(inputs):
        page = read_source(source, input_format=input_format)
        if isinstance(page, Result):
            yield Prelabelled(page.source, error=page.error)
            continue
        probs = cleaner.probabilities([page])[0]
        target = out_dir / (str(source.relative) + ".tsv")
        unsure = write_prelabelled(target, page, probs, model_name=cleaner.model.name,
                                   unsure_below=unsure_below)
        yield Prelabelled(page.source, target, unsure)


def write_prelabelled(path: Path, page: Page, probs: np.ndarray, *, model_name: str,
                      unsure_below: float = UNSURE_BELOW) -> int:
    """Write the label file (and cues sidecar for HTML); return the number of unsure lines."""
    labels, unsure = prelabel(page, probs, unsure_below)
    meta = {"id": page.id, "source": page.source}
    if page.url:
        meta["url"] = page.url
    meta["model"] = model_name
    meta["unsure"] = f"{len(unsure)} lines marked '?' (probability < {unsure_below})"
    atomic_write_text(path, format_label_file(page.lines, labels, meta, unsure))
    if page.cues is not None:
        cues = [c.to_dict() if c is not None else None for c in page.cues]
        atomic_write_text(cues_sidecar(path),
                          json.dumps(cues, ensure_ascii=False))
    return len(unsure)
