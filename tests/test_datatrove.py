"""cleaner as a datatrove step: datatrove's real LocalPipelineExecutor reads a WARC of
real pages, CleanerExtractor cleans them, and every page's text equals what
`cleaner clean --no-site-stats --format jsonl` writes for it."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys

import pytest
from conftest import REPO, real_pages_warc, records

try:
    import datatrove  # noqa: F401
except ImportError:
    if os.environ.get("CI"):
        raise  # CI installs the extra: the integration must be tested there
    pytest.skip("datatrove is not installed (pip install 'cleaner[datatrove]')",
                allow_module_level=True)

from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.readers import WarcReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

from cleaner.integrations.datatrove import METADATA_KEYS, CleanerExtractor  # noqa: E402

SCRATCH = REPO / "data" / "build" / "test-datatrove"  # git-ignored: dataset pages


@pytest.fixture(scope="module")
def warc():
    return real_pages_warc(SCRATCH / "pages.warc.gz")


def test_pipeline_text_equals_cleaner_clean(warc, tmp_path):
    LocalPipelineExecutor(pipeline=[
        WarcReader(str(warc.parent), glob_pattern=warc.name),
        CleanerExtractor(),
        JsonlWriter(str(tmp_path / "out")),
    ], tasks=1, logging_dir=str(tmp_path / "logs")).run()
    docs = [json.loads(line) for path in sorted((tmp_path / "out").glob("*.jsonl.gz"))
            for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()]
    expected = tmp_path / "clean.jsonl"
    subprocess.run([sys.executable, "-m", "cleaner", "clean", str(warc), "--no-site-stats",
                    "--format", "jsonl", "-o", str(expected)], check=True, cwd=REPO)
    wanted = {record["url"]: record for record in records(expected) if record["text"]}
    assert len(wanted) == 6
    got = {doc["metadata"]["url"]: doc for doc in docs}
    assert sorted(got) == sorted(wanted)
    for url, record in wanted.items():
        assert got[url]["text"] == record["text"], url
        for field, key in METADATA_KEYS.items():
            assert got[url]["metadata"].get(key) == record[field], (url, field)


def test_model_loads_once_per_process():
    from cleaner.integrations import datatrove as step

    step._CLEANERS.clear()
    extractor = CleanerExtractor()
    page = (REPO / "examples" / "article.html").read_text(encoding="utf-8")
    first = extractor.extract(page)
    loaded = step._CLEANERS[("default", extractor.keep)]
    assert extractor.extract(page) == first
    assert step._CLEANERS[("default", extractor.keep)] is loaded and len(step._CLEANERS) == 1
