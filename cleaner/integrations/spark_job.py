"""The `cleaner spark` job as a driver file for spark-submit (docs/spark.md):

    spark-submit --master yarn --deploy-mode cluster \\
        "$(python -c 'import cleaner.integrations.spark_job as j; print(j.__file__)')" \\
        warc-paths.txt hdfs:///clean/out.parquet --lines

The session is spark-submit's (its --master, --conf); the options are those of
`cleaner spark`, less --master.
"""

from __future__ import annotations

import argparse
import sys

from cleaner.labels import DEFAULT_KEEP, parse_keep


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="spark_job.py", description=__doc__.splitlines()[0])
    parser.add_argument("paths_file", help="WARC/WET paths or URLs, one a line")
    parser.add_argument("output", help="the Parquet folder to write")
    parser.add_argument("--lines", action="store_true", help="a lines column")
    parser.add_argument("--no-site-stats", dest="site_stats", action="store_false")
    parser.add_argument("--model", default="default")
    parser.add_argument("--keep", default=",".join(sorted(DEFAULT_KEEP)))
    parser.add_argument("--partitions", type=int, default=None,
                        help="tasks reading the files (default: one per file)")
    parser.add_argument("--partition-by", action="append", default=[],
                        help="a column to partition the Parquet output by")
    parser.add_argument("--overwrite", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from cleaner.integrations.spark import SparkOptions, read_paths, run_job, session

    args = arguments(sys.argv[1:] if argv is None else argv)
    options = SparkOptions(model=args.model, keep=frozenset(parse_keep(args.keep)),
                           lines=args.lines, site_stats=args.site_stats,
                           partitions=args.partitions, partition_by=tuple(args.partition_by))
    spark = session()
    pages = run_job(spark, read_paths(args.paths_file), args.output, options,
                    mode="overwrite" if args.overwrite else "error")
    print(f"cleaner: {pages} pages written to {args.output}", file=sys.stderr)
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
