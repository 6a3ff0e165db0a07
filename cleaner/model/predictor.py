"""The models as cleaning runs them: packed trees (trees.py) and numpy, no scikit-learn.

A model file (`model.npz`) holds the arrays of every ensemble and, under
`meta`, a JSON description of how they fit together:

- "two-pass": a line classifier (classifier.py): pass one's ensemble, then
  pass two's over the features and pass one's probabilities around each line
  (stacking.py), then the decision weights;
- "paired": a two-pass model for text dumps and one for HTML, each page's rows
  sent to the model of its kind (`route_by_kind`);
- "site": a site's ensemble over a line's features and its base model's
  probabilities, blended with them (site.py); the base is another model folder,
  named by the card.

Each part's arrays are read from the file when it is first used: a batch of
text dumps never reads the HTML model.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np

from cleaner.model.stacking import N_LABELS, fill_missing, second_pass, stack_features, weighted
from cleaner.model.trees import ARRAYS, Ensemble, Trees

FORMAT = "cleaner-trees/1"
# Column of the feature that is NaN on every line of a text dump (features/dom.py).
DOM_COLUMN_FEATURE = "dom_link_share"
ArraysOf = Callable[[str], dict[str, np.ndarray]]  # a part's prefix -> its arrays


class ModelError(RuntimeError):
    """A model that cannot be found, read or trusted; the message says why and what to do."""


def write_npz(target, meta: dict, arrays: dict[str, np.ndarray]) -> None:
    """The arrays, and the meta as a JSON string array (readable without pickle), to a
    path or a binary file."""
    np.savez_compressed(target, meta=np.array(json.dumps({"format": FORMAT, **meta})),
                        **arrays)


def read_npz(source) -> tuple[dict, ArraysOf]:
    """The meta of a model file (a path, or a binary file already open), and a reader of
    a part's arrays by prefix. The file stays open: a part read later comes from the
    file that was opened (and checked) now, even if another replaces it meanwhile."""
    npz = np.load(source, allow_pickle=False)
    meta = json.loads(str(npz["meta"]))
    if meta.get("format") != FORMAT:
        raise ValueError(f"format {meta.get('format')!r}, this cleaner reads {FORMAT!r}")

    def arrays_of(prefix: str) -> dict[str, np.ndarray]:
        return {name[len(prefix):]: npz[name] for name in npz.files if name.startswith(prefix)}

    return meta, arrays_of


def ensemble_arrays(ensemble: Ensemble, prefix: str) -> dict[str, np.ndarray]:
    return {prefix + name: array for name, array in ensemble.arrays().items()}


def predictor(meta: dict, arrays_of: ArraysOf, base=None):
    """The predictor a model file's meta describes (`base`: a site model's base)."""
    kind = meta["type"]
    if kind == "two-pass":
        return TwoPass.read(meta, arrays_of, "")
    if kind == "paired":
        return Paired(meta, arrays_of)
    if kind == "site":
        if base is None:
            raise ValueError("a site model needs its base model")
        return SitePredictor(base, Trees(Ensemble.of(meta["forest"], arrays_of("forest."))),
                             float(meta["site_weight"]))
    raise ValueError(f"unknown model type {kind!r}")


class TwoPass:
    """A line classifier's predict_proba (classifier.py), over packed trees."""

    def __init__(self, first: Trees, second: Trees, params: dict):
        self.first, self.second = first, second
        self.offsets = tuple(params["stack_offsets"])
        self.radius = int(params["stack_radius"])
        self.decision_weights = params.get("decision_weights")
        self.gate = params.get("gate")

    @classmethod
    def read(cls, meta: dict, arrays_of: ArraysOf, prefix: str) -> TwoPass:
        first = Trees(Ensemble.of(meta["first"], arrays_of(prefix + "first.")))
        second = Trees(Ensemble.of(meta["second"], arrays_of(prefix + "second.")))
        return cls(first, second, meta["params"])

    def predict_proba(self, X, *, page_of_row, copy_of_row=None, box_of_row=None):
        X = np.asarray(X, dtype=np.float32)
        if len(X) == 0:
            return np.zeros((0, N_LABELS))
        X = fill_missing(X)
        first = self.first.predict_proba(X)
        stacked = stack_features(first, np.asarray(page_of_row), copy_of_row, box_of_row,
                                 offsets=self.offsets, radius=self.radius)
        second = second_pass(first, X, stacked, self.second.predict_proba, self.gate)
        return weighted(second, self.decision_weights)


class Paired:
    """A model for text dumps and one for HTML, each read from the file on first use."""

    def __init__(self, meta: dict, arrays_of: ArraysOf):
        self.meta, self.arrays_of = meta, arrays_of
        self.dom_column = int(meta["dom_column"])
        self.models: dict[str, TwoPass] = {}

    def model(self, kind: str) -> TwoPass:
        if kind not in self.models:
            try:
                self.models[kind] = TwoPass.read(self.meta[kind], self.arrays_of, kind + ".")
            except Exception as error:  # a file vouched for, yet broken: no page can be cleaned
                raise ModelError(f"the {kind} model of the pair cannot be read ({error})"
                                 ) from error
        return self.models[kind]

    def load_all(self) -> None:
        """Read both models now: a benchmark's clock should not count it."""
        for kind in ("text", "html"):
            self.model(kind)

    def loaded(self) -> tuple[str, ...]:
        return tuple(kind for kind in ("text", "html") if kind in self.models)

    def predict_proba(self, X, *, page_of_row, copy_of_row=None, box_of_row=None):
        return route_by_kind(self.model, self.dom_column, X, page_of_row, copy_of_row,
                             box_of_row)


def route_by_kind(model_of: Callable[[str], object], dom_column: int, X, page_of_row,
                  copy_of_row=None, box_of_row=None) -> np.ndarray:
    """Each page's rows to the model of its kind (`model_of("text")` or "html"), whole
    pages at a time, the probabilities back in the batch's order."""
    X = np.asarray(X, dtype=np.float32)
    page_of_row = np.asarray(page_of_row)
    html = html_pages_rows(X, page_of_row, dom_column)
    if not html.any() or html.all():
        return model_of("html" if len(X) and html.all() else "text").predict_proba(
            X, page_of_row=page_of_row, copy_of_row=copy_of_row, box_of_row=box_of_row)
    probs = np.zeros((len(X), N_LABELS))
    for kind, rows in (("text", ~html), ("html", html)):
        copies = None if copy_of_row is None else np.asarray(copy_of_row)[rows]
        boxes = None if box_of_row is None else np.asarray(box_of_row)[rows]
        probs[rows] = model_of(kind).predict_proba(X[rows], page_of_row=page_of_row[rows],
                                                   copy_of_row=copies, box_of_row=boxes)
    return probs


def html_pages_rows(X: np.ndarray, page_of_row: np.ndarray, dom_column: int) -> np.ndarray:
    """Rows of the pages that have DOM cues on any line."""
    if not len(X):
        return np.zeros(0, dtype=bool)
    has_cues = ~np.isnan(X[:, dom_column])
    n_pages = int(page_of_row.max()) + 1
    page_has = np.bincount(page_of_row, weights=has_cues, minlength=n_pages) > 0
    return page_has[page_of_row]


class SitePredictor:
    """A site model (site.py): its ensemble over a line's features and the base model's
    probabilities, blended with the base's."""

    def __init__(self, base, forest: Trees, site_weight: float):
        self.base, self.forest, self.site_weight = base, forest, site_weight

    def load_all(self) -> None:
        if hasattr(self.base, "load_all"):
            self.base.load_all()

    def predict_proba(self, X, *, page_of_row, copy_of_row=None, box_of_row=None):
        base = self.base.predict_proba(X, page_of_row=page_of_row, copy_of_row=copy_of_row,
                                       box_of_row=box_of_row)
        if len(base) == 0:
            return base
        return blend(self.forest.predict_proba(site_features(X, base)), base, self.site_weight)


def site_features(X, base_probs: np.ndarray) -> np.ndarray:
    """A line's features and the base model's probabilities for it (NaN as -1)."""
    return np.nan_to_num(np.hstack([np.asarray(X, dtype=np.float32),
                                    base_probs.astype(np.float32)]), nan=-1.0)


def blend(site: np.ndarray, base: np.ndarray, site_weight: float) -> np.ndarray:
    return site_weight * site + (1 - site_weight) * base


__all__ = ["ARRAYS", "FORMAT", "ModelError", "Paired", "SitePredictor", "TwoPass", "predictor"]
