"""Atomic file writes: a temporary file in the target's folder, renamed into place.

A reader (or a resumed run) sees either the old file or the whole new one,
never a half-written file, even if the process is killed mid-write.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates files readable by their owner only; output files should get
# the permissions any other new file gets (0666 minus the umask).
FILE_MODE = 0o666 & ~_umask()


# Temporary files end so: a run resumed after a kill -9 removes those the kill left behind.
TEMP_SUFFIX = ".cleaner-tmp"
_TEMP_NUMBERS = itertools.count()
TEMP_NAME_TRIES = 8


def _new_temporary(path: Path) -> tuple[Path, int]:
    """A new temporary file beside `path`, opened for writing: a name of this process's
    own (pid, a count and random bytes: a run killed with kill -9 may have left a file of
    the same pid behind), created with O_EXCL, so never another's file, with the
    permissions of any new file (0o666 minus the umask)."""
    for _ in range(TEMP_NAME_TRIES):
        name = f".{path.name}.{os.getpid()}-{next(_TEMP_NUMBERS)}-{os.urandom(4).hex()}"
        temp = path.parent / (name + TEMP_SUFFIX)
        try:
            return temp, os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC,
                                 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path))


def make_folder(folder: Path) -> None:
    """`mkdir -p`, saying so plainly when a file stands where a folder should be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as error:
        in_the_way = next((f for f in (folder, *folder.parents)
                           if f.exists() and not f.is_dir()), folder)
        raise NotADirectoryError(errno.ENOTDIR, "a file is in the way, not a folder",
                                 str(in_the_way)) from error


def temporary_beside(path: Path) -> tuple[int, str]:
    """A new temporary file in `path`'s folder, with normal file permissions."""
    make_folder(path.parent)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    os.fchmod(fd, FILE_MODE)
    return fd, temp


def remove_stale_temporaries(folder: Path) -> int:
    """Delete the temporary files an interrupted run left under `folder`; how many."""
    removed = 0
    for parent, _, names in os.walk(folder):
        for name in names:
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                os.unlink(os.path.join(parent, name))
                removed += 1
    return removed


@contextmanager
def naming(path: Path) -> Iterator[None]:
    """Give the OSErrors raised inside the name of the file being written: a
    failed write says only "No space left on device", not where."""
    try:
        yield
    except OSError as error:
        if error.filename is not None or error.errno is None:
            raise
        raise type(error)(error.errno, error.strerror, str(path)) from error


@contextmanager
def atomic_writer(path: Path, mode: str = "w") -> Iterator[IO]:
    """A file written in full or not at all: the temporary file is removed on any error."""
    encoding = None if "b" in mode else "utf-8"
    with naming(path):
        fd, temp = temporary_beside(path)
        try:
            with os.fdopen(fd, mode, encoding=encoding) as handle:
                yield handle
            os.replace(temp, path)
        except BaseException:
            _remove(temp)
            raise


def atomic_write_text(path: Path, text: str, *, folder_made: bool = False) -> None:
    """`path` holds `text` (UTF-8) in full or not at all. The short way, as a batch writes
    a file per page: a temporary name of this process's own, no text wrapper, and no
    mkdir when the caller knows the folder is there (`folder_made`)."""
    if not folder_made:
        make_folder(path.parent)
    data = text.encode("utf-8")
    with naming(path):
        temp, fd = _new_temporary(path)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.close(fd)
            fd = -1
            os.replace(temp, path)
        except BaseException:
            if fd >= 0:
                os.close(fd)
            _remove(temp)
            raise


def _remove(temp: str | Path) -> None:
    """Remove a temporary file after an error, or after a Ctrl-C, which may come
    just after the rename that took it away."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp)
