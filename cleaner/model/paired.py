"""One model for text dumps and one for HTML, picked page by page.

A page rendered from HTML carries DOM cues on its lines; a text dump has
none (its DOM columns are unknown, NaN). Both models read the same feature
schema; each page's rows go to the model for its kind, whole pages at a time
(the second pass looks at neighbouring lines), and the probabilities come back
in the batch's order.

Pickled, each model of the pair is its own compressed blob, unpickled the
first time a page of its kind comes: a batch of text dumps never pays for
unpickling the HTML model (about 0.3 s and 75 MB in every worker; it keeps
only its 31 MB blob), nor a batch of HTML for the text model.
"""

from __future__ import annotations

import gzip
import io
import pickle

import numpy as np

from cleaner.features import feature_names
from cleaner.model.files import ModelError

DOM_COLUMN = feature_names().index("dom_link_share")


KINDS = ("text", "html")
BLOB_COMPRESSION = 3  # gzip level, as joblib's compress=3 of the whole file


class PairedModel:
    """`text` scores pages without DOM cues, `html` pages with them."""

    compresses_itself = True  # its pickle holds gzip blobs: save_model stores it as is

    def __init__(self, text, html):
        self._models = {"text": text, "html": html}
        self._blobs: dict[str, bytes] = {}
        self._n_jobs = None  # set on a model when it is unpickled, if set before

    @property
    def text(self):
        return self._model("text")

    @property
    def html(self):
        return self._model("html")

    def _model(self, kind: str):
        if kind in self._blobs:  # the file is verified before it is read (model/files.py)
            self._models[kind] = _unblob(self._blobs[kind], kind)
            del self._blobs[kind]
            if self._n_jobs is not None:
                self._models[kind].n_jobs = self._n_jobs
        return self._models[kind]

    def __getstate__(self) -> dict:
        # A model never unpickled keeps its blob as it came; only loaded ones are pickled.
        return {"blobs": {kind: self._blobs.get(kind) or _blob(self._models[kind])
                          for kind in KINDS}}

    def __setstate__(self, state: dict) -> None:
        self._n_jobs = None
        if "blobs" in state:
            self._models, self._blobs = {}, dict(state["blobs"])
        else:  # a pair pickled before the blobs: both models as attributes
            self._models, self._blobs = {kind: state[kind] for kind in KINDS}, {}

    def load_all(self) -> None:
        """Unpickle both models now: a benchmark's clock should not count it."""
        for kind in KINDS:
            self._model(kind)

    def loaded(self) -> tuple[str, ...]:
        """The kinds whose model has been unpickled so far."""
        return tuple(kind for kind in KINDS if kind not in self._blobs)

    def get_params(self, deep: bool = False) -> dict:
        return {"text": type(self.text).__name__, "html": type(self.html).__name__}

    @property
    def n_jobs(self):
        return self._n_jobs if self._n_jobs is not None else self.text.n_jobs

    @n_jobs.setter
    def n_jobs(self, value) -> None:
        """For the models loaded now and those loaded later: setting it loads none."""
        self._n_jobs = value
        for model in self._models.values():
            model.n_jobs = value

    def predict_proba(self, X, *, page_of_row, copy_of_row=None, box_of_row=None):
        X = np.asarray(X, dtype=np.float32)
        page_of_row = np.asarray(page_of_row)
        html_rows = html_pages_rows(X, page_of_row)
        if not html_rows.any():
            return self.text.predict_proba(X, page_of_row=page_of_row, copy_of_row=copy_of_row,
                                           box_of_row=box_of_row)
        if html_rows.all():
            return self.html.predict_proba(X, page_of_row=page_of_row, copy_of_row=copy_of_row,
                                           box_of_row=box_of_row)
        probs = np.zeros((len(X), len(self.text.classes_)))
        for model, rows in ((self.text, ~html_rows), (self.html, html_rows)):
            copies = None if copy_of_row is None else np.asarray(copy_of_row)[rows]
            boxes = None if box_of_row is None else np.asarray(box_of_row)[rows]
            probs[rows] = model.predict_proba(X[rows], page_of_row=page_of_row[rows],
                                              copy_of_row=copies, box_of_row=boxes)
        return probs

    def predict(self, X, *, page_of_row, copy_of_row=None, box_of_row=None):
        return self.predict_proba(X, page_of_row=page_of_row, copy_of_row=copy_of_row,
                                  box_of_row=box_of_row).argmax(axis=1)


def _unblob(blob: bytes, kind: str):
    """The model in a blob, unpickled as a stream: never a second copy of it as bytes."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(blob)) as stream:
            return pickle.load(stream)
    except Exception as error:  # e.g. a numpy or scikit-learn too different to read it
        raise ModelError(f"the {kind} model of the pair cannot be loaded ({error})") from error


def _blob(model) -> bytes:
    """The model pickled into gzip bytes (mtime 0: no timestamp in the blob)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=BLOB_COMPRESSION,
                       mtime=0) as stream:
        pickle.dump(model, stream, protocol=5)
    return buffer.getvalue()


def html_pages_rows(X: np.ndarray, page_of_row: np.ndarray) -> np.ndarray:
    """Rows of the pages that have DOM cues on any line."""
    if not len(X):
        return np.zeros(0, dtype=bool)
    has_cues = ~np.isnan(X[:, DOM_COLUMN])
    n_pages = int(page_of_row.max()) + 1
    page_has = np.bincount(page_of_row, weights=has_cues, minlength=n_pages) > 0
    return page_has[page_of_row]
