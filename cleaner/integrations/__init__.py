"""Optional engines, each behind an extra, never imported by `import cleaner`.

datatrove.py (`cleaner[datatrove]`): `CleanerExtractor`, a datatrove extractor step.
spark.py (`cleaner[spark]`): the `cleaner spark` job over WARC files and `clean_column`.
"""
