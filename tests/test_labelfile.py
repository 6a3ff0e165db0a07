"""The line-label format of ../shared/LABELING.md."""

import pytest

from cleaner.readers.decode import decode_bytes, split_lines
from cleaner.training.labelfile import (
    LabelFileError,
    format_label_file,
    parse_label_file,
    read_label_file,
)


def test_header_rows_blank_lines_and_labels():
    page = parse_label_file("# url: https://example.com/a\n# host: example.com\n"
                            "body\tFirst paragraph.\n\t\nnav\tShare this\n\t   \n")
    assert page.meta == {"url": "https://example.com/a", "host": "example.com"}
    assert page.lines == ["First paragraph.", "", "Share this", "   "]
    assert page.labels == ["body", None, "nav", None]


def test_unknown_label_names_file_and_row():
    with pytest.raises(LabelFileError, match=r"x\.tsv:2: unknown label 'boody'"):
        parse_label_file("body\tok\nboody\ttypo\n", "x.tsv")


def test_row_without_tab_is_an_error():
    with pytest.raises(LabelFileError, match="expected 'label<TAB>text'"):
        parse_label_file("body\tok\njust text\n", "y.tsv")


def test_unsure_marks_round_trip_and_are_ignored_by_readers():
    text = format_label_file(["Headline", "", "Menu"], ["body", None, "nav"],
                             {"model": "default"}, unsure={2})
    assert text == "# model: default\nbody\tHeadline\n\t\nnav?\tMenu\n"
    assert parse_label_file(text).labels == ["body", None, "nav"]


def test_a_line_that_starts_with_hash_after_the_header_is_page_text():
    page = parse_label_file("# id: a\nnav\t# not a header\n")
    assert page.meta == {"id": "a"}
    assert page.lines == ["# not a header"]


def test_seed_gold_has_one_row_per_dump_line(seed_files, seeds_dir):
    for dump in seed_files:
        gold = read_label_file(seeds_dir / "labeled" / (dump.stem + ".tsv"))
        lines = split_lines(decode_bytes(dump.read_bytes())[0])
        assert gold.lines == lines
        assert all(label is None for line, label in zip(gold.lines, gold.labels, strict=True)
                   if not line.strip())
