"""cleaner on Apache Spark (`pip install 'cleaner[spark]'`): WARC files to Parquet, and
a column of any DataFrame.

    cleaner spark warc-paths.txt out.parquet --master local[2]     # the job, from the CLI
    spark-submit cleaner/integrations/spark_job.py warc-paths.txt out.parquet  # a cluster

The job, as `cleaner clean` does it in one process (cleaner/batch/site_pass.py):

    paths ─► tasks: FastWARC reads each file, pages classified once  ─► persisted (disk)
                         │ each page's sketch (site, signature, line hashes)
                         ▼
             site stats: one copy per (site, signature), reduceByKey over (site, line hash),
                         the CLI's rule (MIN_PAGES, MIN_SHARE) ─► templates, broadcast
                         ▼
             rows: each page's lines labelled with its site's templates ─► Parquet

Pages are read and classified once (stage one keeps them on the executors' disks),
as the CLI's one pass does; only sketches travel to the counting. The model is loaded
once per executor Python process (cleaner.batch.workers.worker_cleaner's cache;
PySpark reuses its Python workers between tasks). A page that cannot be read or
cleaned gives a row with `error` set, and a file that cannot be read one row for the
file: a task never fails on data. A page over its time budget (page_timeout) gives an
error row, as in the CLI; the CLI's watchdog, which also kills a worker stuck in C
code, has no counterpart here.

Site stats count exactly: the CLI counts in bounded memory per site (Lossy Counting,
MAX_COUNTED_LINES), a lower bound that is exact for a site of fewer than 16 distinct
pages, and Spark counts with reduceByKey. On such sites, and in every test, the text
equals `cleaner clean`'s; on a large site Spark may find a template line the CLI's
bounded count missed.
"""

from __future__ import annotations

import logging
import math
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from pyspark import StorageLevel, TaskContext
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from cleaner.batch.options import CHUNK_PAGES, DEFAULT_PAGE_TIMEOUT
from cleaner.batch.site_pass import Classified
from cleaner.batch.workers import Settings, classify_chunk, worker_cleaner
from cleaner.batched import batched
from cleaner.clean import labelled_or_failed
from cleaner.document import METADATA_FIELDS, Result
from cleaner.labels import DEFAULT_KEEP
from cleaner.model.files import resolve_model_dir
from cleaner.readers.pages import DEFAULT_MAX_BYTES, DEFAULT_MAX_LINES
from cleaner.readers.sources import InputOptions, Source, _container_sources, iter_sources
from cleaner.site_stats import MIN_PAGES, MIN_SHARE

log = logging.getLogger(__name__)

LINE = T.StructType([T.StructField("text", T.StringType()),
                     T.StructField("label", T.StringType()),
                     T.StructField("p", T.DoubleType())])
FIELDS = ("id", "url", "source", *(name for name in METADATA_FIELDS if name != "url"),
          "text", "error")


def row_schema(lines: bool = False) -> T.StructType:
    """The job's rows: id, url, source, the metadata fields, text, error (and lines)."""
    schema = T.StructType([T.StructField(name, T.StringType()) for name in FIELDS])
    return schema.add("lines", T.ArrayType(LINE)) if lines else schema


@dataclass(frozen=True)
class SparkOptions:
    """How the job cleans: `cleaner clean`'s options that make sense on a cluster."""

    model: str = "default"  # a model name or folder (on every executor)
    keep: frozenset[str] = DEFAULT_KEEP
    lines: bool = False  # a `lines` column: every line with its label and probability
    site_stats: bool = True
    input_format: str = "auto"
    max_bytes: int = DEFAULT_MAX_BYTES
    max_lines: int = DEFAULT_MAX_LINES
    page_timeout: float = DEFAULT_PAGE_TIMEOUT
    partitions: int | None = None  # tasks reading the files; None: one per file
    partition_by: tuple[str, ...] = ()  # Parquet output partitioned by these columns
    # Tests only: the first attempt of the task reading the file at this index fails
    # after this many pages (Spark then runs the task again).
    fail_first_attempt: tuple[int, int] | None = None
    model_path: str | None = None  # the model's folder as the driver found it

    def settings(self) -> Settings:
        # The driver's model folder where this machine has it (local mode, a shared
        # file system), else the name, found in the executor's own install.
        model = self.model_path if self.model_path and Path(self.model_path).is_dir() else (
            self.model)
        return Settings(model=model, keep=frozenset(self.keep),
                        input_format=self.input_format, max_bytes=self.max_bytes,
                        max_lines=self.max_lines, page_timeout=self.page_timeout)


def read_paths(paths_file: str | os.PathLike) -> list[str]:
    """The WARC paths of a paths file (as Common Crawl's warc.paths lists them), one a
    line; blank lines and lines starting with # are skipped."""
    text = Path(paths_file).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def session(master: str | None = None, app_name: str = "cleaner",
            conf: dict[str, str] | None = None) -> SparkSession:
    """A SparkSession (the running one under spark-submit). Executors run this Python,
    unless PYSPARK_PYTHON says otherwise."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    for key, value in {"spark.sql.execution.arrow.pyspark.enabled": "true",
                       **(conf or {})}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def clean_warcs(spark: SparkSession, paths: list[str], options: SparkOptions) -> DataFrame:
    """One row per page of the WARC/WET files at `paths` (local or shared file system
    paths, or http(s) URLs), as a DataFrame (lazy: write it, count it...)."""
    options = _resolved(options)
    files = spark.sparkContext.parallelize(list(enumerate(paths)),
                                           options.partitions or max(len(paths), 1))
    classified = files.flatMap(lambda item: _classified_pages(item, options))
    templates = None
    if options.site_stats:
        classified = classified.persist(StorageLevel.DISK_ONLY)
        templates = spark.sparkContext.broadcast(_templates(classified))
    rows = classified.map(lambda item: _row(item[1], options, templates))
    return spark.createDataFrame(rows, row_schema(options.lines))


def run_job(spark: SparkSession, paths: list[str], output: str, options: SparkOptions,
            mode: str = "error") -> int:
    """Clean `paths` into the Parquet folder `output`; the number of pages. `mode`:
    Spark's save mode (error: refuse an existing output; overwrite)."""
    frame = clean_warcs(spark, paths, options)
    writer = frame.write.mode(mode)
    if options.partition_by:
        writer = writer.partitionBy(*options.partition_by)
    writer.parquet(output)
    return spark.read.parquet(output).count()


def _resolved(options: SparkOptions) -> SparkOptions:
    """The options with the model's folder as the driver finds it (a model that does not
    load fails here, once, not in every task)."""
    return replace(options, model_path=str(resolve_model_dir(options.model).resolve()))


# --- stage one: read and classify every page once ------------------------------------

def _classified_pages(item: tuple[int, str], options: SparkOptions
                      ) -> Iterator[tuple[tuple[int, int], Classified]]:
    """((file index, page index), Classified) for every page of one file; a file that
    cannot be read, or breaks the reader, gives an error entry and the task goes on."""
    index, path = item
    settings = options.settings()
    cleaner = worker_cleaner(settings.model)  # loaded once per executor Python process
    position = 0
    fail_at = _failure_point(options, index)
    try:
        for chunk in batched(_sources(path, options), max_items=CHUNK_PAGES):
            for classified in classify_chunk(settings, chunk, cleaner):
                if position == fail_at:
                    raise _InjectedFailure(f"injected failure in {path} at page {position}")
                yield (index, position), classified
                position += 1
    except _InjectedFailure:
        raise
    except Exception as error:  # noqa: BLE001 - a file's fault costs that file's rest only
        log.warning("reading %s failed after %d pages: %s", path, position, error)
        failed = Result.failed(f"{Path(path).name}@{position}", path, None,
                               f"cannot read: {type(error).__name__}: {error}")
        yield (index, position), Classified(path, None, failed=failed)


class _InjectedFailure(RuntimeError):
    pass


def _failure_point(options: SparkOptions, index: int) -> int | None:
    """Where the test's injected failure stops this task's first attempt, if here."""
    if options.fail_first_attempt is None or options.fail_first_attempt[0] != index:
        return None
    context = TaskContext.get()
    return options.fail_first_attempt[1] if context and context.attemptNumber() == 0 else None


def _sources(path: str, options: SparkOptions) -> Iterator[Source]:
    """The page records of one WARC/WET file: a local path, or an http(s) URL read as a
    stream (as Common Crawl serves https://data.commoncrawl.org/crawl-data/...)."""
    input_options = InputOptions(max_bytes=options.max_bytes)
    if not path.startswith(("http://", "https://")):
        if not Path(path).is_file():
            yield Source(id=Path(path).name, source=path, relative=PurePosixPath(path),
                         path=None, error="cannot read: no such file")
            return
        yield from iter_sources([path], input_options)
        return
    from urllib.request import urlopen

    with urlopen(path) as stream:  # noqa: S310 - the user's own paths file
        yield from _container_sources(stream, "warc", path, PurePosixPath("warc"),
                                      input_options, gzipped=False, seekable=False)


# --- site stats: distinct pages per site, lines counted with reduceByKey ------------

def _templates(classified) -> dict[str, frozenset[int]]:
    """{site: hashes of its template lines}: the CLI's rule (site_stats.py) over exact
    counts. Copies of a page (one site, one signature) count once: the first in input
    order, as in the CLI."""
    pages = (classified.filter(lambda item: item[1].sketch is not None)
             .map(lambda item: ((item[1].sketch.site, item[1].sketch.signature),
                                (item[0], item[1].sketch.lines)))
             .reduceByKey(lambda a, b: a if a[0] <= b[0] else b)
             .map(lambda item: (item[0][0], item[1][1])))
    pages.persist(StorageLevel.DISK_ONLY)
    try:
        site_pages = pages.context.broadcast(
            {site: count for site, count in pages.countByKey().items() if count >= MIN_PAGES})
        lines = (pages.filter(lambda item: item[0] in site_pages.value)
                 .flatMap(lambda item: (((item[0], int(h)), 1) for h in item[1]))
                 .reduceByKey(lambda a, b: a + b)
                 .filter(lambda item: item[1] >= _needed(site_pages.value[item[0][0]]))
                 .keys().groupByKey().collect())
    finally:
        pages.unpersist()
    return {site: frozenset(hashes) for site, hashes in lines}


def _needed(pages: int) -> int:
    """On how many of a site's `pages` distinct pages a line must be to be template."""
    return max(MIN_PAGES, math.ceil(MIN_SHARE * pages))


# --- stage two: rows ----------------------------------------------------------------

def _row(classified: Classified, options: SparkOptions, templates) -> tuple:
    templates = templates.value if templates is not None else {}
    result = classified.failed or labelled_or_failed(classified.page, classified.probs,
                                                     frozenset(options.keep), templates)
    return result_row(result, options.lines)


def result_row(result: Result, lines: bool = False) -> tuple:
    """A Result as a row of `row_schema(lines)`."""
    values = tuple(getattr(result, name) for name in FIELDS)
    if not lines:
        return values
    return (*values, [(text, label, p) for text, label, p in
                      zip(result.line_texts, result.labels, result.probabilities, strict=True)])


def rows_of(results: Iterable[Result], lines: bool = False) -> list[tuple]:
    return [result_row(result, lines) for result in results]


# --- a column of any DataFrame --------------------------------------------------------

PREFIX = "clean_"


def clean_column(frame: DataFrame, column: str = "html", *, url_column: str | None = None,
                 input_format: str = "auto", lines: bool = False, metadata: bool = False,
                 model: str = "default", keep: Iterable[str] = DEFAULT_KEEP,
                 method: str = "mapInPandas") -> DataFrame:
    """`frame` with the clean text of its `column` (HTML or text dumps) as new columns:
    clean_text and clean_error; clean_lines (text, label, p) with `lines`; clean_title,
    clean_author, clean_date, clean_sitename, clean_language, clean_canonical_url with
    `metadata`. `url_column` gives each page's URL. A null page gives null columns.

    `method`: "mapInPandas" (Arrow batches of whole rows) or "udf" (a pandas UDF over
    the columns it needs); benchmarks/bench_spark.py measures both. No site stats: a
    column has no order nor files to count over (the `cleaner spark` job has them)."""
    settings = _ColumnSettings(column, url_column, input_format, lines, metadata,
                               str(resolve_model_dir(model)), frozenset(keep))
    added = _added_schema(lines, metadata)
    if method == "mapInPandas":
        schema = T.StructType(frame.schema.fields + added.fields)
        return frame.mapInPandas(lambda batches: (batch.assign(**_cleaned(batch, settings))
                                                  for batch in batches), schema)
    if method != "udf":
        raise ValueError(f"method {method!r}: expected one of: mapInPandas, udf")
    from pyspark.sql import functions as F

    @F.pandas_udf(added)
    def cleaned(texts, urls):
        import pandas as pd

        batch = pd.DataFrame({column: texts, "__url": urls})
        return pd.DataFrame(_cleaned(batch, replace(settings, url_column="__url")))

    urls = F.col(url_column) if url_column else F.lit(None).cast("string")
    struct = "__cleaned"
    return (frame.withColumn(struct, cleaned(F.col(column), urls))
            .select("*", *(F.col(f"{struct}.{name}").alias(name) for name in added.names))
            .drop(struct))


@dataclass(frozen=True)
class _ColumnSettings:
    column: str
    url_column: str | None
    input_format: str
    lines: bool
    metadata: bool
    model: str
    keep: frozenset[str]


def _added_schema(lines: bool, metadata: bool) -> T.StructType:
    schema = T.StructType([T.StructField(PREFIX + "text", T.StringType()),
                           T.StructField(PREFIX + "error", T.StringType())])
    if lines:
        schema = schema.add(PREFIX + "lines", T.ArrayType(LINE))
    for name in METADATA_FIELDS if metadata else ():
        if name != "url":
            schema = schema.add(PREFIX + name, T.StringType())
    return schema


def _null(value) -> bool:
    """A null cell as pandas gives it (None, NaN, pd.NA): no page."""
    return not isinstance(value, str | bytes)


def _cleaned(batch, settings: _ColumnSettings) -> dict[str, list]:
    """The added columns of one pandas batch, in one model call per batch of lines."""
    from cleaner.clean import as_page

    cleaner = worker_cleaner(settings.model)
    texts = batch[settings.column].tolist()
    urls = batch[settings.url_column].tolist() if settings.url_column else [None] * len(texts)
    items = []
    for number, (text, url) in enumerate(zip(texts, urls, strict=True)):
        try:
            items.append(Result.failed(str(number), "", None, "") if _null(text) else
                         as_page(text, url if isinstance(url, str) else None,
                                 settings.input_format))
        except Exception as error:  # noqa: BLE001 - too large, too many lines: that row only
            items.append(Result.failed(str(number), "", None, str(error)))
    results = list(cleaner.clean_many(items, keep=settings.keep))
    columns: dict[str, list] = {
        PREFIX + "text": [None if _null(t) else r.text
                          for t, r in zip(texts, results, strict=True)],
        PREFIX + "error": [r.error or None for r in results]}
    if settings.lines:
        columns[PREFIX + "lines"] = [
            [{"text": t, "label": label, "p": p} for t, label, p in
             zip(r.line_texts, r.labels, r.probabilities, strict=True)] for r in results]
    for name in METADATA_FIELDS if settings.metadata else ():
        if name != "url":
            columns[PREFIX + name] = [getattr(r, name) for r in results]
    return columns
