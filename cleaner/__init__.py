"""cleaner: strip navigation, related links and reader comments from news pages.

    from cleaner import Cleaner
    result = Cleaner.load().clean(page_text_or_html)
    print(result.text)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.2.0"

__all__ = ["Cleaner", "Page", "Result", "__version__"]

if TYPE_CHECKING:
    from cleaner.clean import Cleaner
    from cleaner.document import Page, Result


def __getattr__(name: str):
    # Imported on first use: the command line installs its Ctrl-C handler
    # (cleaner/__main__.py) before numpy and the rest are imported.
    if name == "Cleaner":
        from cleaner.clean import Cleaner

        return Cleaner
    if name in ("Page", "Result"):
        from cleaner import document

        return getattr(document, name)
    raise AttributeError(f"module 'cleaner' has no attribute {name!r}")
