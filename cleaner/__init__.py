"""cleaner: strip navigation, related links and reader comments from news pages.

    from cleaner import Cleaner
    result = Cleaner.load().clean(page_text_or_html)
    print(result.text)
"""

__version__ = "0.2.0"  # before the imports below: modules read it at import time

from cleaner.clean import Cleaner  # noqa: E402
from cleaner.document import Page, Result  # noqa: E402

__all__ = ["Cleaner", "Page", "Result", "__version__"]
