"""`cleaner spark`: WARC/WET files cleaned on Apache Spark into Parquet (the
`cleaner[spark]` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cleaner.batch.summary import counted
from cleaner.cli.base import Command, app
from cleaner.cli.common import fail, keep_labels, os_error
from cleaner.cli.options import KeepOption, LinesOption, ModelOption, SiteStatsOption, option
from cleaner.model.files import ModelError


@app.command(cls=Command)
def spark(
    paths_file: Annotated[Path, typer.Argument(
        metavar="PATHS", help="A file of WARC/WET paths or http(s) URLs, one a line (as "
                              "Common Crawl's warc.paths).")],
    output: Annotated[str, typer.Argument(metavar="OUTPUT",
                                          help="The Parquet folder to write.")],
    master: Annotated[str | None, option(
        "--master", metavar="URL", help="Spark master, e.g. local[2] (default: Spark's "
                                        "own, local[*] outside spark-submit).")] = None,
    lines: LinesOption = False, keep: KeepOption = "body", model: ModelOption = "default",
    site_stats: SiteStatsOption = True,
    partitions: Annotated[int | None, option(
        "--partitions", metavar="N", min=1,
        help="Tasks reading the files (default: one per file).")] = None,
    partition_by: Annotated[list[str] | None, option(
        "--partition-by", metavar="COLUMN",
        help="Partition the Parquet output by this column (repeatable).")] = None,
    overwrite: Annotated[bool, option("--overwrite",
                                       help="Replace OUTPUT if it exists.")] = False,
) -> None:
    """Clean WARC/WET files on Apache Spark into Parquet: one row per page (id, url,
    source, metadata, text, error; lines with --lines). Needs `pip install
    'cleaner[spark]'` and Java 17; on a cluster, spark-submit the driver file
    cleaner/integrations/spark_job.py (docs/spark.md). The text equals `cleaner
    clean`'s for the same files.

    Example: cleaner spark warc-paths.txt out.parquet --master local[2]
    """
    try:
        from cleaner.integrations.spark import SparkOptions, read_paths, run_job, session
    except ImportError as error:
        raise fail(f"{error.name or error}: not installed (pip install 'cleaner[spark]')"
                   ) from None
    options = SparkOptions(model=model, keep=keep_labels(keep), lines=lines,
                           site_stats=site_stats, partitions=partitions,
                           partition_by=tuple(partition_by or ()))
    try:
        paths = read_paths(paths_file)
    except OSError as error:
        raise fail(os_error(error)) from None
    spark_session = session(master)
    try:
        pages = run_job(spark_session, paths, output, options,
                        mode="overwrite" if overwrite else "error")
    except ModelError as error:
        raise fail(str(error)) from None
    finally:
        spark_session.stop()
    typer.echo(f"cleaner: {counted(pages, 'page')} written to {output}", err=True)
