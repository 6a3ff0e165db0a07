"""One site's pages from the datasets, for the site-training tutorial.

    python -m cleaner.training.corpus site canada.com --train 2 --out data/build/site/canada.com

writes, under OUT:
- `pages/train/` and `pages/check/`: the host's pages as crawled (raw HTML),
  `--train` of them (a seeded draw) to label, the rest to check on;
- `gold/train/` and `gold/check/`: their human gold as line-label files (with
  DOM cues), standing in for the corrections a person would make in an editor;
- `crawl.jsonl`: every page as a crawl export would hold it, `{"id", "url",
  "html"}`, so that `cleaner clean --models` can bind pages to the site's model
  by their URL host.

The folder is derived from ../shared/datasets: keep it out of git (data/build/).
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from cleaner.readers.decode import decode_bytes
from cleaner.training.corpus.build import DroppedPage, label_page, write_label_files
from cleaner.training.corpus.records import PageRecord, read_page
from cleaner.training.corpus.render import RenderError, available_renderers


@dataclass
class SitePages:
    train: list[str]
    check: list[str]
    skipped: list[str]


def write_site(records: list[PageRecord], out: Path, *, train: int,
               seed: int = 0) -> SitePages:
    """Copy the pages of one host and write their gold, split into train and check."""
    renderer = available_renderers(["cleaner"])[0]
    records = sorted(records, key=lambda r: (r.dataset, r.id))
    chosen = set(random.Random(seed).sample(range(len(records)), min(train, len(records))))
    shutil.rmtree(out / "pages", ignore_errors=True)
    shutil.rmtree(out / "gold", ignore_errors=True)
    done = SitePages([], [], [])
    crawl: list[str] = []
    for index, record in enumerate(records):
        part = "train" if index in chosen else "check"
        try:
            page = label_page(record, renderer)
        except (RenderError, DroppedPage) as reason:
            done.skipped.append(f"{record.id}: {reason}")
            continue
        write_label_files(out / "gold" / part, record, renderer.name, page, relative_to=out)
        target = out / "pages" / part / f"{record.id}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(read_page(record.crawled_html))  # wcxb's pages are gzipped
        getattr(done, part).append(record.id)
        html, _ = decode_bytes(target.read_bytes(), html=True)
        crawl.append(json.dumps({"id": record.id, "url": record.url, "html": html}))
    (out / "crawl.jsonl").write_text("\n".join(crawl) + "\n", encoding="utf-8")
    return done
