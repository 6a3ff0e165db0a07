"""Model folders: `model.npz` (the trees as arrays) and `model.json` (its card).

A model file holds numpy arrays and a JSON description (predictor.py), read
without pickle: loading runs no code, needs no scikit-learn, and reads the
same on every numpy and scikit-learn version. The card says what made the
model and how well it scored; a model loads only when its card matches this
code (feature schema, labels, file format) and carries the file's SHA-256, so
a file changed after training is refused. A site model's card names its base
model by name and SHA-256; the base loads once per process, whatever number
of site models stand on it. Anything else fails with a `ModelError` that says
what to do.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from cleaner import __version__
from cleaner.atomic import atomic_write_text, atomic_writer
from cleaner.features import FEATURE_SCHEMA, feature_names
from cleaner.labels import LABELS
from cleaner.model.predictor import FORMAT, ModelError, predictor, read_npz, write_npz

MODEL_FILE = "model.npz"
CARD_FILE = "model.json"
# What cleaner 0.1 wrote: a pickle, which this cleaner never loads.
OLD_MODEL_FILE = "model.joblib"
DEFAULT_MODEL = "default"
# Where a shipped model lives: inside the installed package (wheels), or at
# the top of a source checkout.
PACKAGED_MODELS = Path(__file__).parents[1] / "_models"
CHECKOUT_MODELS = Path(__file__).parents[2] / "models"


@dataclass(frozen=True)
class LoadedModel:
    estimator: object  # a predictor (predictor.py): predict_proba(X, page_of_row=...)
    card: dict
    path: Path

    @property
    def name(self) -> str:
        return self.card.get("name", self.path.name)

    @property
    def hosts(self) -> list[str]:
        return list(self.card.get("hosts", []))

    def load_all(self) -> None:
        """Read now what the predictor would read on first use (a pair's two models):
        a benchmark's clock should not count it."""
        if hasattr(self.estimator, "load_all"):
            self.estimator.load_all()


def resolve_model_dir(name_or_path: str | os.PathLike | None) -> Path:
    """A model folder from a path, or a name looked up in ./models and the shipped models."""
    name = str(name_or_path or DEFAULT_MODEL)
    candidates = [Path(name)]
    if os.sep not in name and "/" not in name:
        candidates += [Path("models") / name, PACKAGED_MODELS / name, CHECKOUT_MODELS / name]
    for candidate in candidates:
        if any((candidate / file).is_file() for file in (CARD_FILE, MODEL_FILE, OLD_MODEL_FILE)):
            return candidate.resolve()
    raise ModelError(f"model {name!r} not found (looked in: "
                     f"{', '.join(str(c) for c in candidates)})")


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return stream_sha256(handle)


def stream_sha256(handle: BinaryIO) -> str:
    """The SHA-256 of an open binary file, read from its start; it is left at its start."""
    digest = hashlib.sha256()
    handle.seek(0)
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def schema_fingerprint() -> str:
    """Hash of the feature names in order: any change to the columns changes it."""
    return hashlib.sha256("\n".join(feature_names()).encode()).hexdigest()[:16]


def read_card(model_dir: Path, model: BinaryIO | None = None) -> dict:
    """The card of a model folder, checked against this code and its model file (or
    `model`, that file already open)."""
    card_path, model_file = model_dir / CARD_FILE, model_dir / MODEL_FILE
    if not model_file.is_file() and (model_dir / OLD_MODEL_FILE).is_file():
        raise ModelError(f"{model_dir}: {OLD_MODEL_FILE} is a pickled model of cleaner 0.1, "
                         f"which this cleaner does not load: retrain it with `cleaner train`")
    if not card_path.is_file():
        raise ModelError(f"{model_dir}: no {CARD_FILE} card beside the model")
    if not model_file.is_file():
        raise ModelError(f"{model_dir}: no {MODEL_FILE}")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelError(f"{card_path}: unreadable card ({error})") from error
    check_card(card, model_file, model)
    return card


def check_card(card: dict, model_file: Path, model: BinaryIO | None = None) -> None:
    where = model_file.parent
    if card.get("feature_schema") != FEATURE_SCHEMA or card.get(
        "feature_fingerprint"
    ) != schema_fingerprint():
        raise ModelError(
            f"{where}: model built for feature schema {card.get('feature_schema')!r} "
            f"({card.get('feature_fingerprint')}), this cleaner computes {FEATURE_SCHEMA!r} "
            f"({schema_fingerprint()}): retrain it with `cleaner train`"
        )
    if tuple(card.get("labels", ())) != LABELS:
        raise ModelError(f"{where}: model labels {card.get('labels')} differ from {list(LABELS)}")
    if card.get("model_format") != FORMAT:
        raise ModelError(f"{where}: model file format {card.get('model_format')!r}, this "
                         f"cleaner reads {FORMAT!r}: retrain it with `cleaner train`")
    if card.get("model_sha256") != (file_sha256(model_file) if model is None
                                    else stream_sha256(model)):
        raise ModelError(f"{where}: {MODEL_FILE} does not match the SHA-256 in {CARD_FILE}: "
                         "the file changed after it was trained")


@lru_cache(maxsize=16)
def _load_verified(model_dir: Path) -> LoadedModel:
    # One open file for the check and every later read: what is checked is what is used.
    model = (model_dir / MODEL_FILE).open("rb") if (model_dir / MODEL_FILE).is_file() else None
    try:
        card = read_card(model_dir, model)
        base = _base_of(card, model_dir)
        estimator = _predictor_of(model, model_dir, base)
    except BaseException:
        if model is not None:
            model.close()
        raise
    return LoadedModel(estimator=estimator, card=card, path=model_dir)


def _predictor_of(model: BinaryIO, model_dir: Path, base: LoadedModel | None):
    try:
        meta, arrays_of = read_npz(model)
        return predictor(meta, arrays_of, base=base.estimator if base else None)
    except Exception as error:  # a verified file that still fails: say so, don't crash
        raise ModelError(f"{model_dir / MODEL_FILE}: cannot be loaded ({error})") from error


def _base_of(card: dict, model_dir: Path) -> LoadedModel | None:
    """A site model's base, loaded (once per process)."""
    folder = base_folder(card, model_dir)
    return load_model(folder) if folder is not None else None


def base_folder(card: dict, model_dir: Path) -> Path | None:
    """The folder of the base model a site model's card names (None for a model of its
    own): found by its name, else where it was when the site model was trained, and
    only if it is the same model (SHA-256) as then."""
    named = card.get("base")
    if not named:
        return None
    for where in dict.fromkeys(filter(None, (named.get("name"), named.get("path")))):
        try:
            folder = resolve_model_dir(where)
            if read_card(folder).get("model_sha256") == named.get("model_sha256"):
                return folder
        except ModelError:
            continue
    raise ModelError(f"{model_dir}: its base model {named.get('name')!r} is not found as it "
                     "was when it was trained: retrain it with `cleaner train --base`")


def load_model(name_or_path: str | os.PathLike | None = None) -> LoadedModel:
    """Load (once per process) and verify a model by name or folder."""
    return _load_verified(resolve_model_dir(name_or_path))


def base_card(estimator, *, name: str) -> dict:
    return {
        "name": name,
        "cleaner_version": __version__,
        "trained_with": {"scikit-learn": _installed("scikit-learn"), "numpy": _installed("numpy")},
        "model_format": FORMAT,
        "feature_schema": FEATURE_SCHEMA,
        "feature_fingerprint": schema_fingerprint(),
        "n_features": len(feature_names()),
        "labels": list(LABELS),
        "estimator": {"class": type(estimator).__name__, "params": _jsonable(
            estimator.get_params())},
    }


def _installed(package: str) -> str | None:
    # importlib.metadata loads the email package: only training, which writes cards, pays.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


def save_model(estimator, card: dict, model_dir: Path) -> Path:
    """Write model.npz (the estimator's `export()`) and model.json atomically; the card
    gets the file's SHA-256."""
    model_dir.mkdir(parents=True, exist_ok=True)
    model_file = model_dir / MODEL_FILE
    meta, arrays = estimator.export()
    with atomic_writer(model_file, "wb") as handle:
        write_npz(handle, meta, arrays)
    card = {**card, "model_sha256": file_sha256(model_file)}
    text = json.dumps(card, indent=2, sort_keys=False) + "\n"
    atomic_write_text(model_dir / CARD_FILE, text)
    _load_verified.cache_clear()
    return model_dir


def _jsonable(params: dict) -> dict:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()
            if isinstance(v, (int, float, str, bool, tuple, type(None)))}


def verified_model_dir(name: str) -> tuple[Path, str]:
    """The folder and SHA-256 of a model whose card vouches for it, without reading
    its trees: the main process of a batch whose workers clean needs no model."""
    folder = resolve_model_dir(name)
    card = read_card(folder)
    base_folder(card, folder)  # a site model's base must be there too, before any work
    return folder, card["model_sha256"]
