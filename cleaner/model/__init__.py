"""The line classifier and its files: estimators, model folders and cards, routing.

- classifier.py: `LineClassifier`, two stacked passes of randomised trees;
- paired.py: `PairedModel`, one classifier for text dumps and one for HTML;
- site.py: `SiteModel`, a base model refitted on a few pages of one site;
- files.py: model folders (`model.joblib` + the `model.json` card), loaded once per process;
- routing.py: each page to the site model bound to its host (`cleaner clean --models`).
"""


def __getattr__(name: str):
    # Model files pickled before model/ was a package name `cleaner.model.LineClassifier`.
    if name == "LineClassifier":
        from cleaner.model.classifier import LineClassifier

        return LineClassifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
