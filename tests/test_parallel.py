"""--jobs: the same output as one process, in input order; the model loaded once per worker."""

import os
from pathlib import Path

from joblib import Parallel, delayed

from cleaner.batch.run import run
from cleaner.batch.sinks import JsonlSink, Sink
from cleaner.batch.workers import check_model, worker_cleaner
from cleaner.clean import Cleaner
from cleaner.readers.sources import iter_sources


def copies(seed_files, folder: Path, count: int) -> Path:
    """A crawl-like folder: `count` dumps, the seeds over and over, one of them broken."""
    folder.mkdir()
    for index in range(count):
        source = seed_files[index % len(seed_files)]
        (folder / f"{index:03d}_{source.name}").write_bytes(source.read_bytes())
    (folder / "013_broken.txt").write_bytes(bytes(range(256)) * 16)
    return folder


class Collect(Sink):
    def __init__(self):
        self.outcomes = []

    def write(self, outcome):
        self.outcomes.append(outcome)


def test_two_workers_give_what_one_process_gives_in_order(seed_files, tmp_path):
    folder = copies(seed_files, tmp_path / "pages", 40)
    model, _ = check_model("default")
    one, two = Collect(), Collect()
    keep = frozenset({"body"})
    summary_one = run(Cleaner.load(), iter_sources([str(folder)]), one, keep=keep)
    summary_two = run(str(model), iter_sources([str(folder)]), two, keep=keep, jobs=2,
                      chunk_pages=3)
    assert [o.source for o in two.outcomes] == sorted(str(p) for p in folder.iterdir())
    assert two.outcomes == one.outcomes
    assert (summary_two.pages, summary_two.errors) == (summary_one.pages, 1) == (41, 1)
    assert summary_two.kept_lines == summary_one.kept_lines > 0


def _cleaner_in_worker(model: str) -> tuple[int, int]:
    return os.getpid(), id(worker_cleaner(model))


def test_each_worker_loads_the_model_once():
    model = str(check_model("default")[0])
    seen = Parallel(n_jobs=2)(delayed(_cleaner_in_worker)(model) for _ in range(12))
    cleaners_per_worker = {}
    for pid, cleaner in seen:
        cleaners_per_worker.setdefault(pid, set()).add(cleaner)
    assert all(len(cleaners) == 1 for cleaners in cleaners_per_worker.values())


def test_jsonl_records_keep_their_fields_with_workers(seed_files, tmp_path):
    folder = copies(seed_files, tmp_path / "pages", 12)
    out = tmp_path / "out.jsonl"
    run(str(check_model("default")[0]), iter_sources([str(folder)]),
        JsonlSink(out, with_lines=True), keep=frozenset({"body"}), jobs=2, chunk_pages=4)
    lines = out.read_text().splitlines()
    assert len(lines) == 13 and '"error": "binary content' in lines[12]  # 013_broken.txt
    assert lines[0].startswith('{"id": "000_000_970c2c25a4bcd944", "url": null, "source": ')
    assert '"lines": [{"text": ' in lines[0]
