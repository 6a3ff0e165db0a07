"""Did a change that should change no result change one? Clean the held-out
sets and the seeds with the checkout's CLI, then compare two such runs byte
for byte.

    python benchmarks/same_outputs.py run /tmp/before      # in the old checkout
    python benchmarks/same_outputs.py run /tmp/after       # in the new one
    python benchmarks/same_outputs.py compare /tmp/before /tmp/after

A run writes, for the seeds and for every held-out set of the built corpus
(`python -m cleaner.training.corpus build`), HTML pages and w3m dumps apart:
`cleaner clean --format jsonl --lines` as a batch (site stats on) and page by
page (`--no-site-stats`), and `cleaner eval --json` on the held-out label files.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import subprocess
import sys
from pathlib import Path

CORPUS = Path("data/build/corpus")
SEEDS = Path("../shared/seeds")
DATASETS = Path("../shared/datasets")
SETS = ("l3s-gn1", "dragnet", "cleaneval", "readability")


def heldout_inputs(work: Path) -> dict[str, Path]:
    """{name: folder of pages}: the seeds, and each held-out set's HTML and w3m dumps,
    laid out under `work` (the same folder for both runs: a record names its source)."""
    inputs = {"seeds": SEEDS.resolve()}
    for dataset in SETS:
        labels = sorted((CORPUS / dataset / "cleaner" / "heldout").glob("*.tsv"))
        html = work / f"{dataset}-html"
        html.mkdir(parents=True, exist_ok=True)
        for label_file in labels:
            source = _header(label_file).get("source")
            if source:
                link = html / (label_file.stem + ".html")
                if not link.exists():
                    link.symlink_to((DATASETS / source).resolve())
        inputs[f"{dataset}-html"] = html
        dumps = work / f"{dataset}-w3m"
        dumps.mkdir(parents=True, exist_ok=True)
        for label_file in sorted((CORPUS / dataset / "w3m" / "heldout").glob("*.tsv")):
            text = [row.partition("\t")[2] for row in _rows(label_file)]
            (dumps / (label_file.stem + ".txt")).write_text("\n".join(text) + "\n")
        inputs[f"{dataset}-w3m"] = dumps
    return inputs


def _rows(label_file: Path) -> list[str]:
    return [row for row in label_file.read_text(encoding="utf-8").split("\n")[:-1]
            if not row.startswith("# ")]


def _header(label_file: Path) -> dict[str, str]:
    header = {}
    for row in label_file.read_text(encoding="utf-8").split("\n"):
        if not row.startswith("# "):
            break
        key, _, value = row[2:].partition(": ")
        header[key] = value
    return header


def cleaner(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cleaner", *args], capture_output=True,
                          text=True, check=False)


def run(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, folder in heldout_inputs(out.parent / "pages").items():
        for mode, extra in (("batch", []), ("alone", ["--no-site-stats"])):
            target = out / f"{name}.{mode}.jsonl"
            done = cleaner("clean", str(folder), "--format", "jsonl", "--lines", "-q",
                           "--jobs", "2", "-o", str(target), *extra)
            print(f"{name:22} {mode:6} exit {done.returncode}", flush=True)
    for dataset in SETS:
        for renderer in ("cleaner", "w3m"):
            folder = CORPUS / dataset / renderer / "heldout"
            done = cleaner("eval", str(folder), "--json")
            (out / f"{dataset}-{renderer}.eval.json").write_text(done.stdout)
            print(f"eval {dataset}/{renderer} exit {done.returncode}", flush=True)


def compare(before: Path, after: Path) -> int:
    names = sorted(p.name for p in before.iterdir() if p.is_file())
    differ = [name for name in names
              if not (after / name).is_file() or not filecmp.cmp(before / name, after / name,
                                                                 shallow=False)]
    for name in names:
        state = "DIFFERS" if name in differ else "identical"
        lines = sum(1 for _ in (before / name).open(encoding="utf-8"))
        print(f"{name:40} {lines:>6} lines  {state}")
    print(json.dumps({"files": len(names), "differ": len(differ)}))
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run").add_argument("out", type=Path)
    both = sub.add_parser("compare")
    both.add_argument("before", type=Path)
    both.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "run":
        run(args.out)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
