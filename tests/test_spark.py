"""`cleaner spark` in local mode with a real JVM: every page's row equals what
`cleaner clean --format jsonl` writes for the same WARC (site stats included), and a
task that fails on its first attempt is run again by Spark to the same rows.
One SparkSession for the module (local[2,2]: two cores, a task tried twice)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from conftest import REPO, invoke, real_pages_warc, records

try:
    import pyspark  # noqa: F401
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise ImportError("no java on PATH (PySpark needs Java 17)")
except ImportError as missing:
    if os.environ.get("CI"):
        raise  # .ci/run installs the JVM and the extra: the job must be tested there
    pytest.skip(f"cleaner[spark] cannot run here: {missing}", allow_module_level=True)

from cleaner.integrations.spark import SparkOptions, run_job, session  # noqa: E402

SCRATCH = REPO / "data" / "build" / "test-spark"  # git-ignored: dataset pages
FIELDS = ("id", "url", "source", "title", "author", "date", "sitename", "language",
          "canonical_url", "text", "error")


@pytest.fixture(scope="module")
def spark():
    spark = session("local[2,2]", "cleaner-tests", {"spark.ui.enabled": "false",
                                                     "spark.sql.shuffle.partitions": "2"})
    spark.sparkContext.setLogLevel("ERROR")
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def warcs():
    """Two WARC files of real pages; the first has a record whose body cannot be decoded."""
    return [str(real_pages_warc(SCRATCH / "broken.warc.gz", broken=True)),
            str(real_pages_warc(SCRATCH / "pages.warc.gz", per_host=2))]


@pytest.fixture(scope="module")
def expected(warcs, tmp_path_factory):
    """`cleaner clean --format jsonl --lines` on the same files, by source."""
    out = tmp_path_factory.mktemp("cli") / "clean.jsonl"
    subprocess.run([sys.executable, "-m", "cleaner", "clean", *warcs, "--format", "jsonl",
                    "--lines", "-o", str(out)], cwd=REPO, capture_output=True)
    return {record["source"]: record for record in records(out)}


def failed_tasks(spark, group: str) -> int:
    tracker = spark.sparkContext.statusTracker()
    stages = {stage for job in tracker.getJobIdsForGroup(group)
              for stage in tracker.getJobInfo(job).stageIds}
    return sum(tracker.getStageInfo(stage).numFailedTasks for stage in stages)


def rows(spark, path) -> dict[str, dict]:
    return {row["source"]: row.asDict(recursive=True) for row in spark.read.parquet(str(path))
            .collect()}


def assert_same(got: dict[str, dict], expected: dict[str, dict]) -> None:
    assert sorted(got) == sorted(expected)
    for source, record in expected.items():
        row = got[source]
        assert {name: row[name] for name in FIELDS} == {
            name: record.get(name) for name in FIELDS}, source
        if "lines" in row and record.get("error") is None:
            # Text and label of every line; not its probability, which moves in the
            # 3rd decimal with the other pages of the model call (the CLI's own chunks
            # too: `--jobs 2 --chunk 2` changes it), a property of the core's batches.
            assert [(line["text"], line["label"]) for line in row["lines"]] == [
                (line["text"], line["label"]) for line in record["lines"]], source


def test_rows_equal_cleaner_clean(spark, warcs, expected, tmp_path):
    assert run_job(spark, warcs, str(tmp_path / "out.parquet"), SparkOptions(lines=True)) == 10
    got = rows(spark, tmp_path / "out.parquet")
    assert sum(row["error"] is not None for row in got.values()) == 1
    assert_same(got, expected)


def test_a_task_failing_on_its_first_attempt_is_retried_to_the_same_rows(
        spark, warcs, expected, tmp_path):
    options = SparkOptions(lines=True, fail_first_attempt=(1, 2))
    missing = str(tmp_path / "gone.warc.gz")
    spark.sparkContext.setJobGroup("retried", "a task fails on its first attempt")
    run_job(spark, [*warcs, missing], str(tmp_path / "out.parquet"), options)
    assert failed_tasks(spark, "retried") == 1
    got = rows(spark, tmp_path / "out.parquet")
    assert got.pop(missing)["error"] == "cannot read: no such file"  # a row, not a failure
    assert_same(got, expected)


def test_warc_files_over_http_give_the_same_rows(spark, warcs, expected, tmp_path):
    """http(s) paths (Common Crawl's server) are read as streams, as stdin is."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SCRATCH))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        urls = [base + os.path.basename(path) for path in warcs]
        run_job(spark, urls, str(tmp_path / "out.parquet"), SparkOptions())
    finally:
        server.shutdown()
    got = {source.replace(base, str(SCRATCH) + "/"): {**row, "source": source.replace(
        base, str(SCRATCH) + "/")} for source, row in rows(spark, tmp_path / "out.parquet").items()}
    assert_same(got, expected)


def test_the_model_loads_once_per_executor_process(spark):
    def loaded(_):
        import os

        from cleaner.batch.workers import worker_cleaner
        from cleaner.model.files import resolve_model_dir

        return os.getpid(), id(worker_cleaner(str(resolve_model_dir("default"))))

    found = spark.sparkContext.parallelize(range(8), 8).map(loaded).distinct().collect()
    processes = {pid for pid, _ in found}
    assert len(found) == len(processes) <= 2  # one Cleaner per Python worker, 8 tasks


@pytest.mark.parametrize("method", ["mapInPandas", "udf"])
def test_clean_column_equals_cleaner_clean(spark, method):
    from cleaner.clean import Cleaner
    from cleaner.integrations.spark import clean_column

    html = (REPO / "examples" / "article.html").read_text(encoding="utf-8")
    text = (REPO / "examples" / "article.txt").read_text(encoding="utf-8")
    frame = spark.createDataFrame([(1, html, "https://example.com/a"), (2, text, None),
                                   (3, None, None)], "n int, page string, url string")
    got = {row["n"]: row for row in clean_column(frame, "page", url_column="url",
                                                 metadata=True, lines=True,
                                                 method=method).collect()}
    cleaner = Cleaner.load()
    for n, page, url in [(1, html, "https://example.com/a"), (2, text, None)]:
        result = cleaner.clean(page, url)
        assert got[n]["clean_text"] == result.text and got[n]["clean_error"] is None
        assert got[n]["clean_title"] == result.title
        assert [line["label"] for line in got[n]["clean_lines"]] == result.labels
    assert got[3]["clean_text"] is None and got[3]["page"] is None


def test_the_command(spark, warcs, tmp_path):
    """Last: the command stops the session when it is done."""
    paths = tmp_path / "warc-paths.txt"
    paths.write_text("# two files\n" + "\n".join(warcs) + "\n", encoding="utf-8")
    done = invoke("spark", paths, tmp_path / "out.parquet", "--master", "local[2]",
                  "--no-site-stats")
    assert done.exit_code == 0, done.output
    assert "10 pages written" in done.output
