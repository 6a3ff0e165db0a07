"""`CleanerExtractor`: cleaner as a datatrove extractor step (`pip install 'cleaner[datatrove]'`).

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import JsonlWriter
    from cleaner.integrations.datatrove import CleanerExtractor

    LocalPipelineExecutor(pipeline=[WarcReader("crawl/"), CleanerExtractor(),
                                    JsonlWriter("out/")], tasks=4).run()

It stands where FineWeb's pipeline has `Trafilatura(...)`: each document's `text`
(the page's HTML, as datatrove's reader decoded it) becomes the clean text, and the
page's metadata (title, author, sitename, language, canonical_url, and its day of
publication as `publication_date`: datatrove's WarcReader already keeps the crawl
day as `date`) goes into the document's metadata; a field cleaner does not find is
left out. The text equals `cleaner clean --no-site-stats`'s for the
page: site stats need the whole crawl, which one document at a time does not see.

datatrove runs every extraction in a child process with a time budget per document
(`timeout`, its `ExtractorSandbox`): a page over it is dropped and counted as
"timeout", and the child is started again. The model is loaded once per child
process (a module-level cache, filled by the sandbox's warm-up call), not per document.
"""

from __future__ import annotations

from collections.abc import Iterable

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.extractors.base import BaseExtractor, ExtractorSandbox
from datatrove.utils.logging import logger
from datatrove.utils.typeshelper import StatHints

from cleaner.clean import Cleaner
from cleaner.document import METADATA_FIELDS
from cleaner.labels import DEFAULT_KEEP

# Seconds per document. datatrove's Trafilatura takes 1 s; cleaner reads and
# classifies a news page in tens of milliseconds, but a large page on a busy core
# can take a few hundred, and the first document of a child also waits for the
# model to load (the warm-up call does it before the clock starts, see run()).
DEFAULT_TIMEOUT = 5.0
# cleaner's metadata fields under the names they take in a document's metadata
METADATA_KEYS = {name: "publication_date" if name == "date" else name
                 for name in METADATA_FIELDS if name != "url"}
# per process: (model, keep) -> loaded Cleaner
_CLEANERS: dict[tuple[str, frozenset[str]], Cleaner] = {}


def process_cleaner(model: str, keep: frozenset[str]) -> Cleaner:
    """This process's Cleaner for `model`, loaded on first use only."""
    key = (model, keep)
    if key not in _CLEANERS:
        _CLEANERS[key] = Cleaner.load(model, keep)
    return _CLEANERS[key]


class CleanerExtractor(BaseExtractor):
    """Keep the body lines of each document's HTML (or text dump), as `cleaner clean` does.

    Args:
        model: a model name or folder (default: the shipped model).
        keep: the labels whose lines make the text (default: body).
        input_format: "auto" sniffs each document; "html" or "text" says.
        metadata: put the page's metadata fields into the document's metadata.
        timeout: seconds per document, as datatrove's extractors take it.
    """

    name = "🧹 cleaner"
    _requires_dependencies = []

    def __init__(self, model: str = "default", keep: Iterable[str] = DEFAULT_KEEP,
                 input_format: str = "auto", metadata: bool = True,
                 timeout: float = DEFAULT_TIMEOUT):
        super().__init__(timeout)
        self.model = model
        self.keep = frozenset(keep)
        self.input_format = input_format
        self.metadata = metadata

    def extract(self, text: str, url: str | None = None) -> str:
        """The clean text of one page (datatrove's extractor interface)."""
        return self.clean(text, url)[0]

    def clean(self, text: str, url: str | None = None) -> tuple[str, dict]:
        """(clean text, metadata fields) of one page; a page cleaner cannot read gives
        its error as an exception, which run() counts as "clean_error"."""
        cleaner = process_cleaner(self.model, self.keep)
        if not text:  # the sandbox's warm-up call: the model is loaded now
            return "", {}
        result = cleaner.clean(text, url, input_format=self.input_format)
        if result.error is not None:
            raise ValueError(result.error)
        fields = {key: value for name, key in METADATA_KEYS.items()
                  if (value := getattr(result, name)) is not None}
        return result.text, fields

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1
            ) -> DocumentsPipeline:
        """BaseExtractor.run, with the page's URL sent along and its metadata brought
        back: the sandbox passes a tuple as arguments and returns what the call does."""
        with ExtractorSandbox(timeout=self.timeout, warmup_text=("", None)) as sandbox:
            for doc in data:
                self.stat_update(StatHints.total)
                with self.track_time():
                    try:
                        text, fields = sandbox.process_document(
                            (doc.text, doc.metadata.get("url")), self.clean)
                        self.stat_update("extracted")
                    except TimeoutError:
                        self.stat_update("timeout")
                        logger.warning("⏰ Timeout while cleaning record text. Skipping record.")
                        continue
                    except EOFError:
                        self.stat_update("broken_process")
                        logger.warning("Process died unexpectedly, will create new process "
                                       "for next document")
                        continue
                    except Exception as error:
                        self.stat_update("clean_error")
                        if not self._warned_error:
                            logger.warning(f'❌ Error "{error}" while cleaning record text. '
                                           "Skipping record. This message will only appear once.")
                            self._warned_error = True
                        continue
                doc.text = text
                if self.metadata:
                    doc.metadata.update(fields)
                if doc.text:
                    self.stat_update(StatHints.forwarded)
                    self.update_doc_stats(doc)
                    yield doc
                else:
                    self.stat_update(StatHints.dropped)
