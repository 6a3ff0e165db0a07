"""What pyproject.toml cannot say: the optional C extensions (the tree walk and the
render walk), and the shipped model copied into the wheel's package
(cleaner/_models/default)."""

import shutil
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent


class BuildPyWithModel(build_py):
    """Also put models/default into the built package: an installed cleaner finds the
    shipped model without a checkout around it. An editable install reads it in place."""

    def run(self):
        super().run()
        if self.editable_mode:
            return
        model = ROOT / "models" / "default"
        if not (model / "model.npz").is_file():  # a wheel without its model is no cleaner
            raise FileNotFoundError(f"{model}: the shipped model is missing")
        target = Path(self.build_lib) / "cleaner" / "_models" / "default"
        shutil.copytree(model, target, dirs_exist_ok=True)


setup(
    cmdclass={"build_py": BuildPyWithModel},
    ext_modules=[Extension(
        "cleaner.model._treewalk", ["cleaner/model/_treewalk.c"],
        # A failed compile (no compiler, no Python headers) warns and installs the rest;
        # cleaner then walks the same trees with numpy, to the same result.
        optional=True,
        # Nothing machine-specific (no -march): a wheel must run on any x86-64.
        extra_compile_args=["-O3", "-std=c11"],
    ), Extension(
        # The render walk in C (cleaner/readers/html/cwalk.py): optional the same way;
        # without it (or without dlfcn.h, as on Windows), or where its import-time check
        # fails, the Python walk renders the same lines.
        "cleaner.readers.html._cwalk", ["cleaner/readers/html/_cwalk.c"],
        optional=True,
        extra_compile_args=["-O3", "-std=c11"],
    )],
)
