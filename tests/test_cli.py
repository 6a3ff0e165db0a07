"""The `cleaner` command, through Typer's CliRunner and as a real subprocess."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import invoke

from cleaner.cli import app
from cleaner.training.labelfile import read_label_file


def test_every_command_has_help_with_an_example():
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert {"clean", "show", "label", "train", "eval"} <= set(commands)
    for command in commands:
        result = invoke(command, "--help")
        assert result.exit_code == 0, command
        assert "Example: cleaner " in result.output, command


def test_clean_directory_mirrors_the_inputs(seeds_dir, seed_files, tmp_path):
    result = invoke("clean", seeds_dir, "-o", tmp_path / "out")
    assert result.exit_code == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == [p.stem + ".txt" for p in seed_files]  # README.md and labeled/ skipped
    assert "Putin" in (tmp_path / "out" / "000_970c2c25a4bcd944.txt").read_text()


def test_clean_one_page_to_stdout_and_from_stdin(seed_files):
    page = seed_files[4]
    from_file = invoke("clean", page)
    from_stdin = invoke("clean", "-", input=page.read_bytes())
    assert from_file.exit_code == from_stdin.exit_code == 0
    assert from_file.stdout == from_stdin.stdout
    assert "Putin" in from_file.stdout


def test_jsonl_with_lines_has_one_entry_per_input_line(seeds_dir, tmp_path):
    out = tmp_path / "out.jsonl"
    assert invoke("clean", seeds_dir, "--format", "jsonl", "--lines", "-o", out).exit_code == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 5
    for record in records:
        assert list(record) == ["id", "url", "source", "title", "author", "date", "sitename",
                                "language", "canonical_url", "text", "lines"]
        gold = read_label_file(seeds_dir / "labeled" / (record["id"] + ".tsv"))
        assert [line["text"] for line in record["lines"]] == gold.lines
        blank = [line["label"] is None for line in record["lines"]]
        assert blank == [not text.strip() for text in gold.lines]


def test_jsonl_without_lines_carries_text_only(seed_files):
    result = invoke("clean", seed_files[0], "--format", "jsonl")
    record = json.loads(result.stdout)
    assert "lines" not in record and record["text"]


def test_keep_rejects_unknown_labels(seed_files):
    result = invoke("clean", seed_files[0], "--keep", "body,ads")
    assert result.exit_code == 2
    assert "--keep" in result.output


def test_bad_pages_give_error_records_and_the_batch_goes_on(tmp_path, seed_files):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a_empty.txt").write_bytes(b"")
    (pages / "b_binary.txt").write_bytes(bytes(range(256)) * 64)
    (pages / "c_latin1.txt").write_bytes("Caf\xe9 owners said the new rules hurt trade.".encode(
        "latin-1"))
    (pages / "d_huge_line.txt").write_bytes(b"word " * 2_000_000)  # one 10 MB line
    (pages / "e_seed.txt").write_bytes(seed_files[0].read_bytes())
    out = tmp_path / "out.jsonl"
    result = invoke("clean", pages, "--format", "jsonl", "-o", out)
    assert result.exit_code == 1  # one page failed
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert list(records) == ["a_empty", "b_binary", "c_latin1", "d_huge_line", "e_seed"]
    assert records["a_empty"]["text"] == "" and "error" not in records["a_empty"]
    assert "binary" in records["b_binary"]["error"]
    assert "error" not in records["c_latin1"]
    assert "error" not in records["d_huge_line"]
    assert records["e_seed"]["text"]
    assert "b_binary.txt: binary content" in result.stderr


def test_missing_input_is_one_line_and_exit_2(tmp_path):
    result = invoke("clean", tmp_path / "nope.txt")
    assert result.exit_code == 2
    missing = tmp_path / "nope.txt"
    assert result.stderr.strip() == f"cleaner: error: {missing}: no such file or directory"


def test_unloadable_model_is_one_line(seed_files, tmp_path):
    result = invoke("clean", seed_files[0], "--model", "no-such-model")
    assert result.exit_code == 2
    assert result.stderr.startswith("cleaner: error: model 'no-such-model' not found")
    assert len(result.stderr.strip().splitlines()) == 1


def test_show_prints_every_line_with_label_and_probability(seed_files):
    result = invoke("show", seed_files[3], "--no-color")
    assert result.exit_code == 0
    rows = result.stdout.splitlines()
    assert len(rows) == len(seed_files[3].read_bytes().decode().split("\n"))
    labelled = [row for row in rows if not row.startswith(" ")]
    assert labelled and all(row.split()[0] in {"body", "nav", "related", "comment"}
                            for row in labelled)
    assert "\x1b[" not in result.stdout


def test_label_then_train_then_eval(seeds_dir, tmp_path):
    labels = tmp_path / "labels"
    result = invoke("label", seeds_dir, "-o", labels)
    assert result.exit_code == 0
    files = sorted(labels.glob("*.tsv"))
    assert len(files) == 5
    first = read_label_file(files[0])
    assert first.meta["model"] == "default" and "unsure" in first.meta
    model = tmp_path / "models" / "seeds"
    result = invoke("train", seeds_dir / "labeled", "-o", model)
    assert result.exit_code == 0
    card = json.loads((model / "model.json").read_text())
    assert card["training_data"]["pages"] == 5
    result = invoke("eval", seeds_dir / "labeled", "--model", model, "--json")
    report = json.loads(result.stdout)
    assert set(report["labels"]) == {"body", "nav", "related", "comment"}
    assert len(report["confusion"]) == 4


def test_eval_prints_per_label_figures_and_confusion(seeds_dir):
    result = invoke("eval", seeds_dir / "labeled")
    assert result.exit_code == 0
    for word in ("precision", "recall", "macro-F1", "confusion", "body text shingle F1"):
        assert word in result.stdout


@pytest.mark.parametrize("args", [["clean", "--format", "xml", "x"], ["nonsense"], []])
def test_bad_usage_exits_2(args):
    assert invoke(*args).exit_code == 2


def test_real_subprocess(seeds_dir, tmp_path):
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "cleaner", "clean", str(seeds_dir), "-o",
                           str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(list(out.glob("*.txt"))) == 5
    assert "5 pages, 0 errors" in done.stderr
    assert "Traceback" not in done.stderr


def test_installed_entry_point_runs():
    script = Path(sys.executable).with_name("cleaner")
    if not script.exists():
        pytest.skip("package not installed as a console script")
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("cleaner ")


def test_a_batch_on_workers_spares_the_main_process_the_sklearn_import(seed_files, tmp_path):
    """Workers load the model; the main process only walks, sends and writes, so it
    must not pay scikit-learn's second-long import (a batch's start-up time)."""
    from cleaner.batch.options import CHUNK_PAGES

    pages = tmp_path / "pages"
    pages.mkdir()
    for copy in range(CHUNK_PAGES // len(seed_files) + 2):  # over one chunk: workers start
        for path in seed_files:
            (pages / f"{copy:03d}_{path.name}").write_bytes(path.read_bytes())
    out = tmp_path / "out"
    code = ("import sys\nfrom cleaner.cli import run_app\n"
            f"sys.argv = ['cleaner', 'clean', {str(pages)!r}, '-o', {str(out)!r}, '--jobs', '2']\n"
            "try:\n    run_app()\nexcept SystemExit as done:\n    assert not done.code, done.code\n"
            "print('sklearn imported:', 'sklearn' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(list(out.glob("*.txt"))) == len(list(pages.iterdir()))
    assert done.stdout.strip() == "sklearn imported: False"
