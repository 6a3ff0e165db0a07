"""A built corpus kept for reuse, keyed by what it is built from.

The evaluation gate needs held-out pages rendered by w3m and by cleaner; a
build takes about a minute and a half of two cores. `cached_corpus` builds it
once into a folder named by a fingerprint of the datasets (every file's path,
size and modification time), of the code that builds it (the corpus builders,
the readers and the value types) and of w3m's version, and hands back that
folder while none of them changes. A folder is used only once its build is
complete, so an interrupted build is redone, never read half-made.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from cleaner.training.corpus.build import build_corpus

PACKAGE = Path(__file__).resolve().parents[2]
# The code whose changes change a built corpus.
BUILDER_CODE = ("training/corpus", "readers", "document.py", "sites.py", "labels.py")
COMPLETE = ".complete"
# What to build: (datasets, renderers) pairs.
Parts = Sequence[tuple[tuple[str, ...], tuple[str, ...]]]


def cached_corpus(datasets_dir: Path, cache_root: Path, parts: Parts, *, jobs: int = 2) -> Path:
    """The folder of a corpus built from `datasets_dir` for `parts`, built now if the
    cache holds none for the current datasets, code and w3m."""
    folder = cache_root / fingerprint(datasets_dir, parts)
    if (folder / COMPLETE).is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    for datasets, renderers in parts:
        build_corpus(datasets_dir, folder, datasets=tuple(datasets),
                     renderers=list(renderers), jobs=jobs)
    (folder / COMPLETE).write_text("")
    return folder


def fingerprint(datasets_dir: Path, parts: Parts) -> str:
    digest = hashlib.sha256(repr(sorted(map(repr, parts))).encode())
    for path in _files(datasets_dir, [datasets for datasets, _ in parts]):
        stat = path.stat()
        digest.update(f"{path.relative_to(datasets_dir)}\0{stat.st_size}\0"
                      f"{stat.st_mtime_ns}\n".encode())
    for code in BUILDER_CODE:
        for path in _files(PACKAGE, [[code]]):
            if path.suffix == ".py":
                digest.update(path.read_bytes())
    digest.update(_w3m_version().encode())
    return digest.hexdigest()[:16]


def _files(root: Path, groups) -> list[Path]:
    names = sorted({name for group in groups for name in group})
    found = []
    for name in names:
        top = root / name
        if top.is_file():
            found.append(top)
        for folder, _, files in sorted(os.walk(top)):
            found.extend(Path(folder) / file for file in sorted(files))
    return found


def _w3m_version() -> str:
    try:
        return subprocess.run(["w3m", "-version"], capture_output=True, text=True,
                              check=False).stdout
    except OSError:
        return "no w3m"
