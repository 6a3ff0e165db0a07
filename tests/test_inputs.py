"""Walking inputs: directories in sorted order, --glob, gzip, containers beside pages, stdin."""

import gzip
import json
from pathlib import Path, PurePosixPath

from conftest import invoke

from cleaner.readers.sources import (
    InputOptions,
    UniqueNames,
    container_kind,
    container_stem,
    iter_sources,
)


def crawl_folder(root: Path, seed_files) -> Path:
    """A crawl folder: dumps in nested folders, a gzipped one, a JSONL export, junk."""
    (root / "site-b" / "2024").mkdir(parents=True)
    (root / "site-a").mkdir()
    (root / "site-a" / "p1.txt").write_bytes(seed_files[0].read_bytes())
    (root / "site-a" / "p2.txt.gz").write_bytes(gzip.compress(seed_files[1].read_bytes()))
    (root / "site-b" / "2024" / "p3.txt").write_bytes(seed_files[2].read_bytes())
    (root / "site-b" / "export.jsonl").write_text(
        json.dumps({"id": "j1", "text": seed_files[3].read_text()}) + "\n")
    (root / "site-b" / "notes.md").write_text("not a page")
    (root / "site-a" / ".hidden.txt").write_text("editor swap file")
    return root


def test_directory_walk_is_sorted_and_streams_containers(seed_files, tmp_path):
    root = crawl_folder(tmp_path / "crawl", seed_files)
    sources = list(iter_sources([str(root)]))
    assert [s.source for s in sources] == [
        str(root / "site-a" / "p1.txt"), str(root / "site-a" / "p2.txt.gz"),
        str(root / "site-b" / "2024" / "p3.txt"), f"{root / 'site-b' / 'export.jsonl'}:1"]
    assert [str(s.relative) for s in sources] == [
        "site-a/p1", "site-a/p2", "site-b/2024/p3", "site-b/export/j1"]


def test_glob_filters_the_walk(seed_files, tmp_path):
    root = crawl_folder(tmp_path / "crawl", seed_files)
    only_2024 = list(iter_sources([str(root)], InputOptions(globs=("2024/*.txt",))))
    assert [s.id for s in only_2024] == ["p3"]
    gzipped = list(iter_sources([str(root)], InputOptions(globs=("*.gz", "*.jsonl"))))
    assert [s.id for s in gzipped] == ["p2", "j1"]


def test_cli_mirrors_pages_and_container_records(seed_files, tmp_path):
    root = crawl_folder(tmp_path / "crawl", seed_files)
    result = invoke("clean", root, "-o", tmp_path / "out", "--glob", "*.gz", "--glob", "*.jsonl")
    assert result.exit_code == 0, result.output
    written = sorted(str(p.relative_to(tmp_path / "out")) for p in
                     (tmp_path / "out").rglob("*.txt"))
    assert written == ["site-a/p2.txt", "site-b/export/j1.txt"]
    direct = invoke("clean", seed_files[1]).stdout
    assert (tmp_path / "out" / "site-a" / "p2.txt").read_text() == direct


def test_container_names():
    assert container_kind("CC-MAIN-x.warc.wet.gz") == "warc"
    assert container_kind("export.ndjson.gz") == "jsonl"
    assert container_kind("page.html.gz") is None
    assert container_stem("CC-MAIN-x.warc.wet.gz") == "CC-MAIN-x"
    assert container_stem("export.jsonl") == "export"


def test_record_ids_become_distinct_safe_file_names():
    names = UniqueNames()
    assert names.get("https://a.example/x?y=1") == "https_a.example_x_y_1"
    assert names.get("../../etc/passwd") == "_.._etc_passwd"
    assert names.get("a") == "a" and names.get("a") == "a~2"
    assert PurePosixPath("out") / names.get("") == PurePosixPath("out/record")


def test_stdin_page_and_gzipped_page(seed_files, tmp_path):
    page = seed_files[2].read_bytes()
    from_stdin = invoke("clean", "-", input=page)
    (tmp_path / "p.txt.gz").write_bytes(gzip.compress(page))
    from_gzip = invoke("clean", tmp_path / "p.txt.gz")
    assert from_stdin.exit_code == from_gzip.exit_code == 0
    assert from_stdin.stdout == from_gzip.stdout == invoke("clean", seed_files[2]).stdout
