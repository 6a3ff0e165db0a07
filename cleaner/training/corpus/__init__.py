"""Training-corpus builders: public boilerplate datasets turned into line-label files.

    python -m cleaner.training.corpus build      # everything, into data/build/corpus
    python -m cleaner.training.corpus split      # the held-out split, per dataset

See data/README.md (the data card) for what is built and how it was checked.
"""

from cleaner.training.corpus.records import DATASETS, PageRecord, page_records
from cleaner.training.corpus.split import split_of

__all__ = ["DATASETS", "PageRecord", "page_records", "split_of"]
