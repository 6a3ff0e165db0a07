"""The shipped model travels inside the wheel: an installed cleaner finds it
without a checkout around it; so do the compiled extensions where they build."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cleaner.readers.html import cwalk

ROOT = Path(__file__).resolve().parent.parent

LOAD_AND_CLEAN = """
import sys, cleaner
from cleaner import Cleaner
from cleaner.readers.html import render
c = Cleaner.load()
r = c.clean(open(sys.argv[1], encoding="utf-8").read())
print(c.model.path)
print(cleaner.__file__)
print(len(r.text))
print(render.USE_COMPILED)
"""


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory):
    pytest.importorskip("setuptools", reason="building the wheel needs setuptools (the test extra)")
    wheels = tmp_path_factory.mktemp("wheels")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheels), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = wheels.glob("cleaner-*.whl")
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def test_wheel_carries_the_default_model(unpacked_wheel):
    model_dir = unpacked_wheel / "cleaner" / "_models" / "default"
    assert (model_dir / "model.npz").stat().st_size > 0
    assert (model_dir / "model.json").is_file()


def test_default_model_loads_from_the_installed_wheel(unpacked_wheel, seed_files, tmp_path):
    # Run from an empty folder with only the unpacked wheel on the path, so
    # neither ./models nor the checkout's models/ can be what gets loaded.
    done = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(unpacked_wheel)!r})\n"
         + LOAD_AND_CLEAN, str(seed_files[0])],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    model_dir, package, text_chars, compiled_walk = done.stdout.split("\n")[:4]
    assert Path(package).is_relative_to(unpacked_wheel)
    assert Path(model_dir).is_relative_to(unpacked_wheel / "cleaner" / "_models")
    assert int(text_chars) > 200
    # Where this checkout's render walk built and checked out, the wheel's does too.
    assert compiled_walk == str(cwalk.AVAILABLE)


def test_wheel_carries_the_review_page(unpacked_wheel):
    """`cleaner review` serves its page from the package: no build step, no checkout."""
    static = unpacked_wheel / "cleaner" / "review" / "static"
    for name in ("index.html", "review.js", "review.css"):
        assert (static / name).stat().st_size > 0
    assert "{{token}}" in (static / "index.html").read_text(encoding="utf-8")
