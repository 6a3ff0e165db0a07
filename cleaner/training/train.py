"""Train and evaluate line classifiers from line-label files.

A label file may say which labels its gold really gives (`# gold: body,comment`
for pages aligned to a gold text that only separates article and comments).
Its other lines are "nav or related", so they carry no target unless
`partial_weight` says to count them as nav with that weight.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cleaner.document import DomCues, Page
from cleaner.favor import NEUTRAL, Decision, model_decision
from cleaner.features import LineBatch, batch_features, feature_names
from cleaner.headline import one_headline
from cleaner.labels import LABEL_INDEX, LABELS, floored, join_kept, line_labels
from cleaner.model.classifier import UNLABELLED, LineClassifier
from cleaner.model.files import load_model
from cleaner.sites import host_of, registrable_domain
from cleaner.training.labelfile import LabelledPage, cues_sidecar, find_label_files, read_label_file
from cleaner.training.metrics import leak_share, line_report, match_text, text_scores

log = logging.getLogger(__name__)
MEDIA_CUE = feature_names().index("cue_media")
# Lines inside an element named as reader comments (class, id, role, itemprop).
COMMENT_BOXES = [feature_names().index(name) for name in ("dom_cls_comment", "dom_cls_reply")]
ALL_GOLD = frozenset(LABELS)


@dataclass
class LabelledBatch:
    """Label files turned into feature rows with targets."""

    files: list[LabelledPage]
    pages: list[Page]
    batch: LineBatch
    y: np.ndarray  # label index per row, UNLABELLED where no target
    groups: np.ndarray  # site of each row, for grouped folds
    weight: np.ndarray


def load_label_files(paths: Sequence[Path]) -> list[LabelledPage]:
    return [read_label_file(path) for path in find_label_files(list(paths))]


def gold_labels(page: LabelledPage) -> frozenset[str]:
    spec = page.meta.get("gold")
    return frozenset(spec.split(",")) & ALL_GOLD if spec else ALL_GOLD


def page_of(labelled: LabelledPage) -> Page:
    """The page a label file describes, with DOM cues if a sidecar file holds them."""
    cues = _sidecar_cues(Path(labelled.path)) if labelled.path else None
    if cues is not None and len(cues) != len(labelled.lines):
        log.warning("%s: cues sidecar has %d entries for %d lines; ignored",
                    labelled.path, len(cues), len(labelled.lines))
        cues = None
    return Page(lines=labelled.lines, id=labelled.meta.get("id", Path(labelled.path).stem),
                source=labelled.path, url=labelled.meta.get("url"),
                kind="html" if cues is not None else "text", cues=cues, meta=labelled.meta)


def _sidecar_cues(path: Path) -> list[DomCues | None] | None:
    sidecar = cues_sidecar(path)
    if not sidecar.is_file():
        return None
    entries = json.loads(sidecar.read_text(encoding="utf-8"))
    if any(entry and "box" not in entry for entry in entries):
        # Written before feature schema lines-v10: the lines train and score
        # without their boxes, which cleaning a page always has.
        log.warning("%s: cues written by an older cleaner, without the lines' boxes: "
                    "its lines train and score without them (`cleaner label` writes "
                    "them)", sidecar)
    return [DomCues.from_dict(entry) if entry else None for entry in entries]


def site_of(labelled: LabelledPage) -> str:
    """The site a labelled page belongs to, for folds grouped by site.

    Hosts reduce to their registrable domain, as in the held-out split, so
    subdomains of one site never land on both sides of a fold.
    """
    host = labelled.meta.get("host")
    if host:
        return registrable_domain(host)
    return labelled.meta.get("dataset", "") + ":" + labelled.path


def labelled_batch(
    files: list[LabelledPage],
    *,
    partial_weight: float = 0.0,
    weight: float = 1.0,
    min_partial_body_chars: int = 0,
    untarget_partial_captions: bool = False,
    untarget_partial_comments: bool = False,
) -> LabelledBatch:
    """Feature rows and targets for label files.

    `weight` scales every row (to balance datasets). Gold texts aligned to
    pages (partial gold) keep bylines, datelines and photo captions that
    LABELING.md calls nav; in such files, body lines shorter than
    `min_partial_body_chars`, and (if asked) body lines with photo or credit
    cues, carry no target; and (if asked) so do lines the gold leaves out inside
    an element named as comments or replies: a gold main text without the reader
    comments does not make them nav. (Where the gold gives the comments, as a
    forum thread's does, the rest of a comment box is nav: names, dates, buttons.)
    """
    pages = [page_of(f) for f in files]
    batch = batch_features(pages)
    y = np.full(len(batch.X), UNLABELLED, dtype=np.int64)
    weights = np.ones(len(batch.X))
    sites = np.empty(len(batch.X), dtype=object)
    for page_index, labelled in enumerate(files):
        rows = batch.rows_of(page_index)
        labels = [labelled.labels[i] for i in batch.line_of_row[rows]]
        gold = gold_labels(labelled)
        y[rows] = [_target(label, gold, partial_weight) for label in labels]
        weights[rows] = [weight if label in gold else weight * partial_weight
                         for label in labels]
        if gold != ALL_GOLD:
            doubtful = np.fromiter((len(labelled.lines[i].strip()) < min_partial_body_chars
                                    for i in batch.line_of_row[rows]), dtype=bool)
            if untarget_partial_captions:
                doubtful |= batch.X[rows, MEDIA_CUE] > 0
            targets = y[rows]  # a view: rows is a slice
            targets[doubtful & (targets == LABEL_INDEX["body"])] = UNLABELLED
            if untarget_partial_comments and "comment" not in gold:
                in_comments = np.nan_to_num(batch.X[rows][:, COMMENT_BOXES]).max(axis=1) > 0
                targets[in_comments & (targets == LABEL_INDEX["nav"])] = UNLABELLED
        sites[rows] = site_of(labelled)
    return LabelledBatch(files=files, pages=pages, batch=batch, y=y,
                         groups=sites.astype(str), weight=weights)


def combine_batches(parts: Sequence[LabelledBatch]) -> LabelledBatch:
    """One batch of several, pages renumbered, rows in order."""
    page_offsets = np.cumsum([0] + [len(p.pages) for p in parts])
    row_offsets = np.cumsum([0] + [len(p.y) for p in parts])
    batch = LineBatch(
        X=np.vstack([p.batch.X for p in parts]),
        page_of_row=np.concatenate([p.batch.page_of_row + off
                                    for p, off in zip(parts, page_offsets, strict=False)]),
        line_of_row=np.concatenate([p.batch.line_of_row for p in parts]),
        page_starts=np.concatenate([[0]] + [p.batch.page_starts[1:] + off
                                            for p, off in zip(parts, row_offsets, strict=False)]),
        copy_of_row=_renumbered_copies([p.batch.copy_of_row for p in parts]),
        box_of_row=_renumbered_boxes([p.batch for p in parts]),
    )
    return LabelledBatch(files=[f for p in parts for f in p.files],
                         pages=[page for p in parts for page in p.pages], batch=batch,
                         y=np.concatenate([p.y for p in parts]),
                         groups=np.concatenate([p.groups for p in parts]),
                         weight=np.concatenate([p.weight for p in parts]))


def _renumbered_copies(parts: list[np.ndarray | None]) -> np.ndarray | None:
    if any(part is None for part in parts):
        return None
    return _ids_apart(parts, [len(part) for part in parts])


def _renumbered_boxes(batches: list[LineBatch]) -> np.ndarray | None:
    """None when no batch has boxes (text dumps only)."""
    if all(batch.box_of_row is None for batch in batches):
        return None
    return _ids_apart([batch.box_of_row for batch in batches],
                      [len(batch.X) for batch in batches])


def _ids_apart(parts: list[np.ndarray | None], sizes: list[int]) -> np.ndarray:
    """Each part's ids (-1: none; a missing part: all none), offset past the ids of
    the parts before it, so that no two parts share one."""
    out, offset = [], 0
    for part, size in zip(parts, sizes, strict=True):
        ids = np.full(size, -1, dtype=np.int64) if part is None else np.asarray(part)
        out.append(np.where(ids >= 0, ids + offset, -1))
        offset += int(ids.max()) + 1 if len(ids) else 0
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def _target(label: str | None, gold: frozenset[str], partial_weight: float) -> int:
    if label is None:
        return UNLABELLED
    if label in gold:
        return LABEL_INDEX[label]
    return LABEL_INDEX["nav"] if partial_weight > 0 else UNLABELLED


def fit_classifier(data: LabelledBatch, **params) -> LineClassifier:
    clf = LineClassifier(**params)
    return clf.fit(data.batch.X, data.y, page_of_row=data.batch.page_of_row,
                   copy_of_row=data.batch.copy_of_row, box_of_row=data.batch.box_of_row,
                   groups=data.groups,
                   sample_weight=data.weight)


def data_fingerprint(files: Sequence[LabelledPage]) -> str:
    """SHA-256 over the label files' names and contents, in a fixed order."""
    digest = hashlib.sha256()
    for labelled in sorted(files, key=lambda f: Path(f.path).name):
        digest.update(Path(labelled.path).name.encode())
        digest.update(Path(labelled.path).read_bytes())
    return digest.hexdigest()


def corpus_summary(files: Sequence[LabelledPage]) -> dict:
    counts = {label: 0 for label in LABELS}
    for labelled in files:
        for label in labelled.labels:
            if label:
                counts[label] += 1
    return {"pages": len(files), "sites": len({site_of(f) for f in files}),
            "lines": counts, "fingerprint": data_fingerprint(files)}


def evaluate(estimator, files: list[LabelledPage], *, site_stats: bool = False,
             decision: Decision = NEUTRAL) -> dict:
    """Line figures over fully labelled lines, and body-text figures per page.

    With `site_stats`, the files are one batch as `cleaner clean` sees it: the
    lines that recur on the pages of a site (its URL or labelled host, else its
    folder) are barred from body (cleaner/site_stats.py). A `decision` (favor and
    floor, cleaner/favor.py) labels them as `cleaner clean` would with it.
    """
    data, probs = predicted(estimator, files, site_stats=site_stats, decision=decision)
    return score_probabilities(data, probs, decision.min_p)


def predicted(estimator, files: list[LabelledPage], *, site_stats: bool = False,
              decision: Decision = NEUTRAL) -> tuple[LabelledBatch, np.ndarray]:
    """The label files' rows and the estimator's probabilities for them (with
    `site_stats`, as one batch that bars a site's recurring lines from body; with a
    `decision`, body's weight moved as it says)."""
    data = labelled_batch(files)
    probs = estimator.predict_proba(data.batch.X, page_of_row=data.batch.page_of_row,
                                    copy_of_row=data.batch.copy_of_row,
                                    box_of_row=data.batch.box_of_row)
    if not decision.neutral:
        probs = probs.copy()
        for index, page in enumerate(data.pages):
            rows = data.batch.rows_of(index)
            probs[rows] = decision.favoured(page.kind, probs[rows])
    if site_stats:
        probs = without_site_templates(data, probs)
    return data, with_one_headline(data, probs)


def with_one_headline(data: LabelledBatch, probs: np.ndarray) -> np.ndarray:
    """What `cleaner clean` does after the model: each dump's headline kept once."""
    probs = probs.copy()
    for index, page in enumerate(data.pages):
        rows = data.batch.rows_of(index)
        probs[rows] = one_headline(page, probs[rows])
    return probs


def evaluate_models(models: list[str], files: list[LabelledPage], *,
                    site_stats: bool = False, favor: str = "balanced",
                    min_p: float | None = None) -> dict[str, dict]:
    """{model name or folder: its figures on `files`}, as `cleaner eval --compare` prints
    (each model with its own factors for `favor`)."""
    reports = {}
    for name in dict.fromkeys(models):
        model = load_model(name)
        decision = model_decision(model.card, model.path, favor, min_p)
        reports[name] = evaluate(model.estimator, files, site_stats=site_stats,
                                 decision=decision)
    return reports


def without_site_templates(data: LabelledBatch, probs: np.ndarray) -> np.ndarray:
    from cleaner.site_stats import SiteStats, without_template_body

    templates = SiteStats.of(data.pages).templates()
    probs = probs.copy()
    for index, page in enumerate(data.pages):
        rows = data.batch.rows_of(index)
        probs[rows] = without_template_body(page, probs[rows], templates)
    return probs


def score_probabilities(data: LabelledBatch, probs: np.ndarray,
                        min_body: float | None = None) -> dict:
    """Figures for predicted probabilities of the rows of `data` (`min_body`: the floor
    on body of --min-p)."""
    predicted = probs.argmax(axis=1)
    if min_body is not None:
        predicted = floored(probs, predicted, min_body)
    # Line figures only on pages whose gold gives all four labels: on partial
    # gold the other lines have no label, so precision would mean nothing.
    full_gold = np.array([gold_labels(f) == ALL_GOLD for f in data.files], dtype=bool)
    known = (data.y != UNLABELLED) & full_gold[data.batch.page_of_row]
    report = line_report(data.y[known], predicted[known])
    report["text"] = _text_figures(data, probs, min_body)
    return report


def _text_figures(data: LabelledBatch, probs: np.ndarray,
                  min_body: float | None = None) -> dict:
    body, comment_keep, leaks = [], [], []
    for page_index, labelled in enumerate(data.files):
        rows = data.batch.rows_of(page_index)
        predicted_labels, _ = line_labels(len(labelled.lines),
                                          data.batch.line_of_row[rows].tolist(), probs[rows],
                                          min_body=min_body)
        gold = gold_labels(labelled)
        texts = {k: join_kept(labelled.lines, labelled.labels, frozenset({k}))
                 for k in ("body", "comment")}
        predicted_body = join_kept(labelled.lines, predicted_labels, frozenset({"body"}))
        if "body" in gold:
            body.append(match_text(predicted_body, texts["body"]))
        if "comment" in gold and texts["comment"]:
            predicted_comment = join_kept(labelled.lines, predicted_labels,
                                          frozenset({"comment"}))
            comment_keep.append(match_text(predicted_comment, texts["comment"]))
            leaks.append(leak_share(predicted_body, texts["comment"]))
    return {
        "body": text_scores(body),
        "comment": text_scores(comment_keep),
        "comment_leak": float(np.mean(leaks)) if leaks else None,
        "pages_with_comments": len(leaks),
    }


def train_model(
    train_files: list[LabelledPage],
    out_dir: Path,
    *,
    heldout_files: list[LabelledPage] | None = None,
    partial_weight: float = 0.0,
    command: str = "",
    params: dict | None = None,
) -> dict:
    """Fit a classifier on `train_files`, score it on `heldout_files`, save it with its card."""
    from cleaner.model.files import base_card

    data = labelled_batch(train_files, partial_weight=partial_weight)
    clf = fit_classifier(data, **(params or {}))
    clf.n_jobs = 1  # predict in the calling thread: batches are long, threads only add overhead
    return _save_with_card(clf, base_card(clf, name=out_dir.name), out_dir, train_files,
                           heldout_files, partial_weight, command)


def _save_with_card(model, card: dict, out_dir: Path, train_files, heldout_files,
                    partial_weight: float, command: str) -> dict:
    """Add the training data, command and held-out figures to `card`; save both."""
    from cleaner.model.files import save_model

    card["training_data"] = {**corpus_summary(train_files), "partial_weight": partial_weight}
    card["command"] = command
    if heldout_files:
        card["metrics"] = {"heldout": {**evaluate(model, heldout_files),
                                       "data": corpus_summary(heldout_files)}}
    save_model(model, card, out_dir)
    return card


def hosts_of(files: Sequence[LabelledPage]) -> list[str]:
    """The URL hosts of labelled pages (their `# host:` or `# url:` header rows)."""
    hosts = {labelled.meta.get("host") or host_of(labelled.meta.get("url")) for labelled in files}
    return sorted(host for host in hosts if host)


def train_site_model(
    train_files: list[LabelledPage],
    out_dir: Path,
    base,
    *,
    hosts: list[str] | None = None,
    heldout_files: list[LabelledPage] | None = None,
    partial_weight: float = 0.0,
    command: str = "",
) -> dict:
    """Fit a SiteModel on `train_files` over the `base` LoadedModel and save it.

    The card names the base model (and its file's SHA-256) and the hosts the
    model is bound to: the labelled pages' hosts unless `hosts` says otherwise.
    """
    from cleaner.model.files import base_card
    from cleaner.model.site import SiteModel

    data = labelled_batch(train_files, partial_weight=partial_weight)
    model = SiteModel(base.estimator).fit(
        data.batch.X, data.y, page_of_row=data.batch.page_of_row,
        copy_of_row=data.batch.copy_of_row, box_of_row=data.batch.box_of_row,
        sample_weight=data.weight)
    card = base_card(model, name=out_dir.name)
    card["base"] = {"name": base.name, "path": str(base.path),
                    "model_sha256": base.card.get("model_sha256")}
    card["hosts"] = hosts if hosts is not None else hosts_of(train_files)
    return _save_with_card(model, card, out_dir, train_files, heldout_files, partial_weight,
                           command)
