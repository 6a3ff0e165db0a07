"""Tree ensembles as packed node arrays: exported from scikit-learn, walked without it.

A fitted forest (extra trees) or gradient-boosting model becomes a handful of
numpy arrays, saved in the model's .npz (no pickle: loading runs no code) and
walked by the compiled `_treewalk` extension, or by numpy where it was not
built, to the same result bit for bit as scikit-learn's `predict_proba` (and,
read back from a file, whose leaf values are float32, within 1e-8 of it):

- internal nodes only, numbered over all trees in scikit-learn's depth-first
  order (a child after its parent): `feature` int16, `threshold` float32,
  `left`/`right` int32 (>= 0 an internal node, < 0 a leaf: ~row of `values`),
  `missing_left` uint8 (where a NaN goes), `roots` int32 (one per tree);
- `values` (leaves, labels): what a leaf adds to a row's scores, float32 in the file
  and float64 in memory;
- a forest averages its trees' class fractions (scikit-learn sums them in tree
  order from zero, then divides); boosting adds each tree's raw score to its
  label's column from a `baseline`, then takes the softmax.

Thresholds are rounded down to float32: for a float32 feature x, x <= t (float64)
exactly when x <= the largest float32 not above t, so the walk compares floats.
Export reads fitted attributes (duck typing): this module never imports
scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

try:
    from cleaner.model import _treewalk
except ImportError:  # built without a compiler: numpy walks the same arrays
    _treewalk = None

ARRAYS = ("feature", "threshold", "left", "right", "missing_left", "roots", "values")
# The numpy walk holds (rows x trees) node numbers: this many rows at a time bound it.
NUMPY_BLOCK_ROWS = 2048
FOREST, BOOSTING = "forest", "boosting"


@dataclass
class Ensemble:
    """One tree ensemble's packed arrays (see the module's docstring)."""

    kind: str  # FOREST or BOOSTING
    n_features: int
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    missing_left: np.ndarray
    roots: np.ndarray
    values: np.ndarray
    baseline: np.ndarray | None = None  # BOOSTING: the raw scores every row starts from

    @property
    def n_trees(self) -> int:
        return len(self.roots)

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays to save, by name. Leaf values are saved as float32: half the file,
        and a probability moves by less than 1e-8 (they are read back as float64, and
        summed as scikit-learn sums them)."""
        found = {name: getattr(self, name) for name in ARRAYS}
        found["values"] = self.values.astype(np.float32)
        if self.baseline is not None:
            found["baseline"] = self.baseline
        return found

    def meta(self) -> dict:
        return {"kind": self.kind, "n_features": self.n_features}

    @classmethod
    def of(cls, meta: dict, arrays: dict[str, np.ndarray]) -> Ensemble:
        """An ensemble from its saved meta and arrays, in the types the walks need."""
        types = {"feature": np.int16, "threshold": np.float32, "left": np.int32,
                 "right": np.int32, "missing_left": np.uint8, "roots": np.int32,
                 "values": np.float64}
        typed = {name: np.ascontiguousarray(arrays[name], dtype=types[name]) for name in ARRAYS}
        baseline = arrays.get("baseline")
        ensemble = cls(kind=str(meta["kind"]), n_features=int(meta["n_features"]), **typed,
                       baseline=None if baseline is None else np.asarray(baseline, np.float64))
        ensemble.check()
        return ensemble

    def check(self) -> None:
        """Refuse arrays whose walks could read past them or never end (a file cut or
        changed): every feature in range, every child after its parent and in range."""
        n, leaves = len(self.feature), len(self.values)
        if not all(len(getattr(self, name)) == n for name in ("threshold", "left", "right",
                                                              "missing_left")):
            raise ValueError("node arrays of different lengths")
        if n and (self.feature.min() < 0 or self.feature.max() >= self.n_features):
            raise ValueError("a node's feature is out of range")
        node = np.arange(n)
        for child in (self.left, self.right, self.roots):
            inner = child >= 0
            parent = node[inner] if child is not self.roots else -1
            if (child[inner] <= parent).any() or (child[inner] >= n).any() or (
                    ~child[~inner] >= leaves).any():
                raise ValueError("a child or root is out of range")


# --- export from a fitted scikit-learn model ----------------------------------------------

def export_forest(forest, n_labels: int) -> Ensemble:
    """A fitted ExtraTreesClassifier or RandomForestClassifier, packed."""
    classes = np.asarray(forest.classes_).astype(int)
    trees = []
    for estimator in forest.estimators_:
        tree = estimator.tree_
        value = np.zeros((tree.node_count, n_labels))
        value[:, classes] = tree.value[:, 0, :]
        missing = getattr(tree, "missing_go_to_left", np.zeros(tree.node_count, np.uint8))
        trees.append((tree.feature, tree.threshold, tree.children_left, tree.children_right,
                      np.asarray(missing), value))
    return _packed(FOREST, int(forest.n_features_in_), trees)


def export_boosting(model, n_labels: int) -> Ensemble:
    """A fitted HistGradientBoostingClassifier (numeric features, several classes), packed."""
    if model.n_trees_per_iteration_ == 1:
        raise ValueError("a binary boosting model (one tree per iteration) is not supported")
    classes = np.asarray(model.classes_).astype(int)
    trees = []
    for iteration in model._predictors:
        for column, predictor in enumerate(iteration):
            nodes = predictor.nodes
            if nodes["is_categorical"].any():
                raise ValueError("categorical splits are not supported")
            leaf = nodes["is_leaf"].astype(bool)
            value = np.zeros((len(nodes), n_labels))
            value[:, classes[column]] = nodes["value"]
            left, right = (np.where(leaf, -1, nodes[side].astype(np.int64))
                           for side in ("left", "right"))
            trees.append((nodes["feature_idx"], nodes["num_threshold"], left, right,
                          nodes["missing_go_to_left"], value))
    # A label the model never saw gets no share: -inf before the softmax, as
    # LineClassifier._full_proba gives it probability 0.
    baseline = np.full(n_labels, -np.inf)
    baseline[classes] = np.ravel(model._baseline_prediction)
    packed = _packed(BOOSTING, int(model.n_features_in_), trees)
    packed.baseline = baseline
    return packed


def _packed(kind: str, n_features: int, trees: list[tuple]) -> Ensemble:
    """Trees given as scikit-learn's node arrays (leaves have children -1), renumbered
    into one table of internal nodes and one of leaf values."""
    parts, n_nodes, n_leaves = [], 0, 0
    for feature, threshold, left, right, missing, value in trees:
        part = _pack_tree(np.asarray(feature), np.asarray(threshold, np.float64),
                          np.asarray(left), np.asarray(right), np.asarray(missing),
                          np.asarray(value), n_nodes, n_leaves)
        parts.append(part)
        n_nodes += len(part[0])
        n_leaves += len(part[5])
    joined = [np.concatenate([part[i] for part in parts]) for i in range(6)]
    roots = np.array([part[6] for part in parts], dtype=np.int32)
    return Ensemble(kind, n_features, joined[0].astype(np.int16), joined[1],
                    joined[2], joined[3], joined[4].astype(np.uint8), roots, joined[5])


def _pack_tree(feature, threshold, left, right, missing, value, node_base: int,
               leaf_base: int) -> tuple:
    internal = left >= 0
    internal_id = np.cumsum(internal) - 1 + node_base
    leaf_id = np.cumsum(~internal) - 1 + leaf_base

    def renumbered(child: np.ndarray) -> np.ndarray:
        child = np.where(child >= 0, child, 0)
        return np.where(internal[child], internal_id[child], ~leaf_id[child]).astype(np.int32)

    root = int(internal_id[0]) if internal[0] else ~int(leaf_id[0])
    return (feature[internal], _float32_at_most(threshold[internal]), renumbered(left[internal]),
            renumbered(right[internal]), missing[internal], value[~internal], root)


def _float32_at_most(threshold: np.ndarray) -> np.ndarray:
    """The largest float32 not above each float64 threshold."""
    rounded = threshold.astype(np.float32)
    above = rounded.astype(np.float64) > threshold
    rounded[above] = np.nextafter(rounded[above], np.float32(-np.inf))
    return rounded


# --- the walk -------------------------------------------------------------------------------

class Trees:
    """An ensemble ready to predict: `predict_proba(X)` as scikit-learn's estimator's."""

    def __init__(self, ensemble: Ensemble, compiled: bool | None = None):
        self.ensemble = ensemble
        compiled = _treewalk is not None if compiled is None else compiled
        if compiled and _treewalk is None:
            raise RuntimeError("cleaner.model._treewalk was not built (no C compiler?)")
        self.forest = (_treewalk.Forest(*(getattr(ensemble, name) for name in ARRAYS),
                                        ensemble.n_features) if compiled else None)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        X = np.ascontiguousarray(X, dtype=np.float32)
        ensemble = self.ensemble
        if X.ndim != 2 or X.shape[1] < ensemble.n_features:
            raise ValueError(f"X has {X.shape[-1]} columns, the trees read {ensemble.n_features}")
        n_labels = ensemble.values.shape[1]
        if ensemble.kind == FOREST:
            out = np.zeros((len(X), n_labels))
            self._accumulate(X, out)
            return out / ensemble.n_trees
        out = np.tile(ensemble.baseline, (len(X), 1))
        self._accumulate(X, out)
        out -= out.max(axis=1, keepdims=True)
        np.exp(out, out=out)
        return out / out.sum(axis=1, keepdims=True)

    def _accumulate(self, X: np.ndarray, out: np.ndarray) -> None:
        if self.forest is not None:
            self.forest.accumulate(X, out)
            return
        for start in range(0, len(X), NUMPY_BLOCK_ROWS):  # (rows x trees) walks, a block
            rows = slice(start, start + NUMPY_BLOCK_ROWS)
            leaves = numpy_leaves(self.ensemble, X[rows])
            for tree in range(self.ensemble.n_trees):  # in tree order, as scikit-learn sums
                out[rows] += self.ensemble.values[leaves[:, tree]]


def numpy_leaves(ensemble: Ensemble, X: np.ndarray) -> np.ndarray:
    """The leaf (row of `values`) each row of X reaches in each tree, (rows, trees):
    all (row, tree) walks advanced one level at a time."""
    n_rows, n_trees = len(X), ensemble.n_trees
    flat = X.ravel()
    node = np.repeat(ensemble.roots[None, :], n_rows, axis=0).astype(np.intp).ravel()
    row_start = np.repeat(np.arange(n_rows, dtype=np.intp) * X.shape[1], n_trees)
    feature = ensemble.feature.astype(np.intp)
    walking = np.flatnonzero(node >= 0)
    while len(walking):
        at = node[walking]
        x = flat[row_start[walking] + feature[at]]
        left = (x <= ensemble.threshold[at]) | (np.isnan(x) & (ensemble.missing_left[at] > 0))
        node[walking] = np.where(left, ensemble.left[at], ensemble.right[at])
        walking = walking[node[walking] >= 0]
    return ~node.reshape(n_rows, n_trees)
