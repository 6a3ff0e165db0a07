"""Site binding: pick, for each page, the model trained for its host.

A site model's card names the URL hosts it is for (`cleaner train --base …
--hosts …`). `cleaner clean --models DIR` loads every model in DIR that names
hosts; a page whose host (its URL, else the canonical URL the page states) is
one of them, or a subdomain of one, is cleaned by that model, and every other
page by the default. Pages of a batch are grouped by model, so each model
still classifies many pages in one call.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from cleaner.clean import Cleaner
from cleaner.document import Page
from cleaner.labels import DEFAULT_KEEP
from cleaner.model.files import (
    CARD_FILE,
    LoadedModel,
    ModelError,
    base_folder,
    load_model,
    read_card,
)
from cleaner.sites import page_host


def bound_cards(models_dir: str | Path) -> dict[Path, dict]:
    """{folder: card} of the models in `models_dir` (one folder each) whose cards name
    hosts, checked against their files; no model is read (the main process of a batch
    needs none: its workers load them)."""
    folder = Path(models_dir)
    if not folder.is_dir():
        raise ModelError(f"{folder}: not a folder of models")
    cards = {card.parent.resolve(): read_card(card.parent)
             for card in sorted(folder.glob(f"*/{CARD_FILE}"))}
    bound = {path: card for path, card in cards.items() if card.get("hosts")}
    for path, card in bound.items():
        base_folder(card, path)  # its base must be there, as it was: before any work
    return bound


def bound_models(models_dir: str | Path) -> list[LoadedModel]:
    """The models in `models_dir` whose cards name hosts, loaded (their base once)."""
    return [load_model(path) for path in bound_cards(models_dir)]


class RoutedCleaner(Cleaner):
    """A Cleaner that sends each page to the model bound to its host."""

    def __init__(self, default: LoadedModel, site_models: Iterable[LoadedModel],
                 keep: Iterable[str] = DEFAULT_KEEP):
        super().__init__(default, keep)
        self.by_host = {host.lower(): model for model in site_models for host in model.hosts}

    def model_for(self, page: Page) -> LoadedModel:
        host = page_host(page)
        while host:
            if host in self.by_host:
                return self.by_host[host]
            host = host.partition(".")[2] if host.count(".") > 1 else ""
        return self.model

    def probabilities(self, pages: Sequence[Page]) -> list[np.ndarray]:
        groups: dict[int, tuple[LoadedModel, list[int]]] = {}
        for index, page in enumerate(pages):
            model = self.model_for(page)
            groups.setdefault(id(model), (model, []))[1].append(index)
        probs: list[np.ndarray] = [np.zeros(0)] * len(pages)
        for model, indices in groups.values():
            found = Cleaner(model).probabilities([pages[i] for i in indices])
            for index, page_probs in zip(indices, found, strict=True):
                probs[index] = page_probs
        return probs


def routed_cleaner(default: str, models_dir: str | Path,
                   keep: Iterable[str] = DEFAULT_KEEP) -> RoutedCleaner:
    return RoutedCleaner(load_model(default), bound_models(models_dir), keep)
