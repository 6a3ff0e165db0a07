"""Training-corpus builders: public boilerplate datasets turned into line-label files.

    python -m cleaner.corpus build      # everything, into data/build/corpus
    python -m cleaner.corpus split      # the held-out split, per dataset

See data/README.md (the data card) for what is built and how it was checked.
"""

from cleaner.corpus.records import DATASETS, PageRecord, page_records
from cleaner.corpus.split import host_of, site_of, split_of

__all__ = ["DATASETS", "PageRecord", "host_of", "page_records", "site_of", "split_of"]
