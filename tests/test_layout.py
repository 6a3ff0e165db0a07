"""The package's layout holds: cleaning never loads training code or scikit-learn,
features never load the HTML parser, and no function in cleaner/ grows past what a
person reads at once."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "cleaner"
# No function in cleaner/ over this many lines (its def to its last line).
MAX_FUNCTION_LINES = 50
# The renderer's walk is one loop on purpose: it runs for every node of every page
# and keeps its state in local variables (its docstring says why).
LONG_ON_PURPOSE = {("cleaner/readers/html/walk.py", "walk")}


def imported_modules(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running `code`."""
    done = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\nprint(*sys.modules)"],
                          capture_output=True, text=True, check=True, cwd=REPO)
    return set(done.stdout.split())


def test_cleaning_never_imports_the_training_code():
    modules = imported_modules("import cleaner.clean, cleaner.batch, cleaner.cli")
    assert "cleaner.clean" in modules and "cleaner.batch.runner" in modules
    assert not {m for m in modules if m.startswith("cleaner.training")}


def test_a_clean_run_never_imports_the_training_code_nor_scikit_learn(seed_files, tmp_path):
    code = ("import sys\nfrom cleaner.cli import app\n"
            f"try:\n    app([{str(seed_files[0])!r}, '-o', {str(tmp_path / 'out')!r}])\n"
            "except SystemExit as done:\n    assert done.code == 0, done.code\n")
    modules = imported_modules(code.replace("app([", "app(['clean', "))
    assert (tmp_path / "out" / f"{seed_files[0].stem}.txt").is_file()
    assert "cleaner.model.predictor" in modules
    assert not {m for m in modules if m.startswith(("cleaner.training", "sklearn", "scipy"))}


def test_cleaning_never_imports_the_engines():
    """The optional engines (cleaner[spark], cleaner[datatrove]) stay out of `import
    cleaner`, the batch and the CLI, installed or not."""
    modules = imported_modules("import cleaner, cleaner.clean, cleaner.batch, cleaner.cli")
    assert not {m for m in modules if m.startswith(("cleaner.integrations", "pyspark",
                                                      "datatrove", "py4j", "pandas",
                                                      "pyarrow"))}


def test_features_never_import_the_html_parser():
    modules = imported_modules("import cleaner.features, cleaner.features.dom")
    assert "cleaner.features.dom" in modules and "selectolax" not in modules


def long_functions(root: Path, limit: int) -> list[str]:
    """`path:line name (N lines)` of every function of `root` longer than `limit` lines."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = node.end_lineno - node.lineno + 1
            if length > limit and (relative, node.name) not in LONG_ON_PURPOSE:
                found.append(f"{relative}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_is_longer_than_a_person_reads_at_once():
    assert long_functions(PACKAGE, MAX_FUNCTION_LINES) == []


def test_the_length_check_finds_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "long.py").write_text(f"def too_long():\n{body}\n")
    (tmp_path / "short.py").write_text("def short():\n    return 1\n")
    assert [row.split(" ", 1)[1] for row in long_functions(tmp_path, MAX_FUNCTION_LINES)] == [
        f"too_long ({MAX_FUNCTION_LINES + 1} lines)"]
