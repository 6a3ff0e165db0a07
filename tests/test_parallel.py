"""--jobs: the same output as one process, in input order; the model loaded once per worker."""

import os

from conftest import seed_copies
from joblib import Parallel, delayed

from cleaner.batch import BatchOptions, run
from cleaner.batch.runner import clean_sources
from cleaner.batch.sinks import Sink
from cleaner.batch.workers import Settings, worker_cleaner
from cleaner.clean import Cleaner
from cleaner.model.files import verified_model_dir
from cleaner.readers.sources import iter_sources


class Collect(Sink):
    def __init__(self):
        self.outcomes = []

    def write(self, outcome):
        self.outcomes.append(outcome)


def test_two_workers_give_what_one_process_gives_in_order(seed_files, tmp_path):
    folder = seed_copies(seed_files, tmp_path / "pages", 40)
    model, _ = verified_model_dir("default")
    one, two = Collect(), Collect()
    settings = Settings(model=str(model), keep=frozenset({"body"}))
    summary_one = clean_sources(iter_sources([str(folder)]), one, settings,
                                cleaner=Cleaner.load())
    summary_two = clean_sources(iter_sources([str(folder)]), two, settings, jobs=2,
                                chunk_pages=3)
    assert [o.source for o in two.outcomes] == sorted(str(p) for p in folder.iterdir())
    assert two.outcomes == one.outcomes
    assert (summary_two.pages, summary_two.errors) == (summary_one.pages, 1) == (41, 1)
    assert summary_two.kept_lines == summary_one.kept_lines > 0


def _cleaner_in_worker(model: str) -> tuple[int, int]:
    return os.getpid(), id(worker_cleaner(model))


def test_each_worker_loads_the_model_once():
    model = str(verified_model_dir("default")[0])
    seen = Parallel(n_jobs=2)(delayed(_cleaner_in_worker)(model) for _ in range(12))
    cleaners_per_worker = {}
    for pid, cleaner in seen:
        cleaners_per_worker.setdefault(pid, set()).add(cleaner)
    assert all(len(cleaners) == 1 for cleaners in cleaners_per_worker.values())


def test_jsonl_records_keep_their_fields_with_workers(seed_files, tmp_path):
    folder = seed_copies(seed_files, tmp_path / "pages", 12)
    out = tmp_path / "out.jsonl"
    summary = run([folder], out, BatchOptions(format="jsonl", lines=True, jobs=2, chunk=4,
                                              site_stats=False))
    assert (summary.pages, summary.errors) == (13, 1)
    lines = out.read_text().splitlines()
    assert len(lines) == 13 and '"error": "binary content' in lines[12]  # 013_broken.txt
    assert lines[0].startswith('{"id": "000_000_970c2c25a4bcd944", "url": null, "source": ')
    assert '"lines": [{"text": ' in lines[0]
