"""The Train button: `cleaner train --base` on the labelled pages, then `cleaner eval
--compare` on the check pages, in a background thread the page polls.

Library calls, not the CLI: train_site_model writes the site model with its card
as `cleaner train LABELS --base MODEL -o DIR` does, and evaluate_models scores
it beside the base as `cleaner eval CHECK --model DIR --compare MODEL` does
(site stats on, as there by default).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from cleaner.labels import LABELS
from cleaner.review.pages import Workspace
from cleaner.training.report import side_by_side

log = logging.getLogger(__name__)


@dataclass
class TrainStatus:
    state: str = "idle"  # idle, running, done or failed
    message: str = ""
    seconds: float = 0.0
    table: dict = field(default_factory=dict)  # {model: figures} for the page
    text: str = ""  # the same as `cleaner eval --compare` prints it


class TrainJob:
    """One training at a time, over the workspace's saved label files."""

    def __init__(self, workspace: Workspace, base: str, site_model: Path,
                 hosts: list[str] | None = None) -> None:
        self.workspace = workspace
        self.base = base
        self.site_model = site_model
        self.hosts = hosts
        self.status = TrainStatus()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Start a training in the background; False if one is running already."""
        with self._lock:
            if self.status.state == "running":
                return False
            self.status = TrainStatus(state="running", message="training")
            self._thread = threading.Thread(target=self._run, name="review-train",
                                            daemon=True)
            self._thread.start()
            return True

    def wait(self, timeout: float | None = None) -> TrainStatus:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.status

    def _run(self) -> None:
        started = time.monotonic()
        try:
            status = self._train_and_compare()
        except Exception as error:  # shown on the page: the server goes on
            log.warning("training failed: %s", error, exc_info=True)
            status = TrainStatus(state="failed", message=f"{type(error).__name__}: {error}")
        status.seconds = round(time.monotonic() - started, 1)
        self.status = status

    def _train_and_compare(self) -> TrainStatus:
        from cleaner.training.train import (
            evaluate_models,
            load_label_files,
            train_site_model,
        )

        with self.workspace.lock:  # no save half-way through the files read
            train_files = load_label_files(self.workspace.label_files(check=False))
            check_files = load_label_files(self.workspace.label_files(check=True))
        if not train_files:
            return TrainStatus(state="failed", message="no labelled pages to train on: "
                               "every page is a check page")
        base, base_name = self._general_model()
        train_site_model(train_files, self.site_model, base, hosts=self.hosts,
                         command=f"cleaner review (Train) --base {base_name}")
        trained = (f"trained {self.site_model} on {len(train_files)} pages over {base_name}")
        if not check_files:
            return TrainStatus(state="done", message=trained + "; no check pages to "
                               "compare on (mark some with the check box)")
        # Beside --model, what the person started from (in a second round, the first
        # round's site model), as the page and `eval --compare MODEL` name it.
        site = str(self.site_model)
        reports = evaluate_models([site, self.base], check_files, site_stats=True)
        table = {"site": figures(reports[site]), "base": figures(reports[self.base])}
        return TrainStatus(state="done", table=table,
                           message=f"{trained}; compared on {len(check_files)} check pages",
                           text=side_by_side(reports) + f"\n({len(check_files)} pages)")


    def _general_model(self):
        """The model Train adapts, and its name: --model, or, where --model is a site
        model (a second round, its pages pre-labelled by the first round's model), the
        general model under it. A site model is fitted on all of a site's labelled
        pages over a general model, never over another site model."""
        from cleaner.model.files import base_folder, load_model

        model = self.workspace.cleaner.model
        folder = base_folder(model.card, model.path) if model.card.get("base") else None
        if folder is None:
            return model, self.base
        return load_model(folder), str(folder)


def figures(report: dict) -> dict:
    """The per-label figures of a `cleaner eval` report, and its summaries."""
    labels = {label: {metric: round(report["labels"][label][metric], 3)
                      for metric in ("precision", "recall", "f1")}
              | {"support": report["labels"][label]["support"]} for label in LABELS}
    body = report["text"]["body"]
    return {"labels": labels, "macro_f1": round(report["macro_f1"], 3),
            "body_text_f1": round(body["f1"], 3) if body.get("pages") else None}
