"""Model folders: `model.joblib` (the estimator) and `model.json` (its card).

A model file is a pickle, and unpickling runs code, so a model is only loaded
when its card vouches for it: the card must carry the SHA-256 of the joblib
file, the feature schema and label set this code computes, and the
scikit-learn minor version the estimator was pickled with. Anything else fails
with a `ModelError` that says what to do. Load only models you trust.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import joblib

from cleaner import __version__
from cleaner.atomic import atomic_write_text, atomic_writer
from cleaner.features import FEATURE_SCHEMA, feature_names
from cleaner.labels import LABELS

MODEL_FILE = "model.joblib"
CARD_FILE = "model.json"
DEFAULT_MODEL = "default"
# Where a shipped model lives: inside the installed package (wheels), or at
# the top of a source checkout.
PACKAGED_MODELS = Path(__file__).parents[1] / "_models"
CHECKOUT_MODELS = Path(__file__).parents[2] / "models"


# Pickles name classes by module: model files written before model/ was a package
# name these (and `cleaner.model.LineClassifier`, which model/__init__.py answers).
MOVED_MODULES = {"cleaner.paired_model": "cleaner.model.paired",
                 "cleaner.site_model": "cleaner.model.site"}


class ModelError(RuntimeError):
    """A model that cannot be found or does not match this code; the message says why."""


@dataclass(frozen=True)
class LoadedModel:
    estimator: object
    card: dict
    path: Path

    @property
    def name(self) -> str:
        return self.card.get("name", self.path.name)

    @property
    def hosts(self) -> list[str]:
        return list(self.card.get("hosts", []))

    def load_all(self) -> None:
        """Unpickle now what the estimator would unpickle on first use (a PairedModel's
        halves): a benchmark's clock should not count it."""
        if hasattr(self.estimator, "load_all"):
            self.estimator.load_all()


def resolve_model_dir(name_or_path: str | os.PathLike | None) -> Path:
    """A model folder from a path, or a name looked up in ./models and the shipped models."""
    name = str(name_or_path or DEFAULT_MODEL)
    candidates = [Path(name)]
    if os.sep not in name and "/" not in name:
        candidates += [Path("models") / name, PACKAGED_MODELS / name, CHECKOUT_MODELS / name]
    for candidate in candidates:
        if (candidate / CARD_FILE).is_file() or (candidate / MODEL_FILE).is_file():
            return candidate.resolve()
    raise ModelError(f"model {name!r} not found (looked in: "
                     f"{', '.join(str(c) for c in candidates)})")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def schema_fingerprint() -> str:
    """Hash of the feature names in order: any change to the columns changes it."""
    return hashlib.sha256("\n".join(feature_names()).encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def installed_sklearn() -> str:
    """The installed scikit-learn's version, read from its metadata: importing
    sklearn takes a second, which a process that only checks a card (the main
    process of a batch, whose workers load the model) need not pay."""
    from importlib.metadata import version

    return version("scikit-learn")


def sklearn_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def check_card(card: dict, model_file: Path) -> None:
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
    built_with = card.get("sklearn_version", "?")
    if sklearn_minor(built_with) != sklearn_minor(installed_sklearn()):
        raise ModelError(
            f"{where}: model pickled with scikit-learn {built_with}, this environment has "
            f"{installed_sklearn()}: install scikit-learn=={sklearn_minor(built_with)}.* "
            "or retrain the model"
        )
    if card.get("model_sha256") != file_sha256(model_file):
        raise ModelError(
            f"{where}: {MODEL_FILE} does not match the SHA-256 in {CARD_FILE}; "
            "refusing to unpickle an unverified file"
        )


@lru_cache(maxsize=8)
def _load_verified(model_dir: Path) -> LoadedModel:
    card_path, model_file = model_dir / CARD_FILE, model_dir / MODEL_FILE
    if not card_path.is_file():
        raise ModelError(f"{model_dir}: no {CARD_FILE} card beside the model")
    if not model_file.is_file():
        raise ModelError(f"{model_dir}: no {MODEL_FILE}")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelError(f"{card_path}: unreadable card ({error})") from error
    check_card(card, model_file)
    _answer_moved_modules()
    try:
        estimator = joblib.load(model_file)
    except Exception as error:  # a verified file that still fails: say so, don't crash
        raise ModelError(f"{model_file}: cannot be loaded ({error})") from error
    return LoadedModel(estimator=estimator, card=card, path=model_dir)


def _answer_moved_modules() -> None:
    for old, new in MOVED_MODULES.items():
        sys.modules.setdefault(old, importlib.import_module(new))


def load_model(name_or_path: str | os.PathLike | None = None) -> LoadedModel:
    """Load (once per process) and verify a model by name or folder."""
    return _load_verified(resolve_model_dir(name_or_path))


def base_card(estimator, *, name: str) -> dict:
    return {
        "name": name,
        "cleaner_version": __version__,
        "sklearn_version": installed_sklearn(),
        "feature_schema": FEATURE_SCHEMA,
        "feature_fingerprint": schema_fingerprint(),
        "n_features": len(feature_names()),
        "labels": list(LABELS),
        "estimator": {"class": type(estimator).__name__, "params": _jsonable(
            estimator.get_params())},
    }


def save_model(estimator, card: dict, model_dir: Path) -> Path:
    """Write model.joblib and model.json atomically; the card gets the file's SHA-256."""
    model_dir.mkdir(parents=True, exist_ok=True)
    model_file = model_dir / MODEL_FILE
    with atomic_writer(model_file, "wb") as handle:
        # A model that compresses its own pickle (PairedModel) gains nothing from a
        # second pass, and a worker would spend 0.3 s inflating 52 MB for nothing.
        compress = 0 if getattr(estimator, "compresses_itself", False) else 3
        joblib.dump(estimator, handle, compress=compress)
    card = {**card, "model_sha256": file_sha256(model_file)}
    text = json.dumps(card, indent=2, sort_keys=False) + "\n"
    atomic_write_text(model_dir / CARD_FILE, text)
    _load_verified.cache_clear()
    return model_dir


def _jsonable(params: dict) -> dict:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()
            if isinstance(v, (int, float, str, bool, tuple, type(None)))}


def verified_model_dir(name: str) -> tuple[Path, str]:
    """The folder and SHA-256 of a model whose card vouches for it, without unpickling it.

    The main process needs no model when workers clean: this fails early, with
    the same message as loading would, and the workers load it.
    """
    folder = resolve_model_dir(name)
    card_path, model_file = folder / CARD_FILE, folder / MODEL_FILE
    if not card_path.is_file() or not model_file.is_file():
        load_model(folder)  # raises the loader's own message for what is missing
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelError(f"{card_path}: unreadable card ({error})") from error
    check_card(card, model_file)
    return folder, card["model_sha256"]
