"""HTML pages through the real CLI: detection, `lines --cues`, clean, label, train and eval."""

import gzip
import json
import shutil
from pathlib import Path

from conftest import invoke

from cleaner.training.labelfile import read_label_file

ARTICLE = Path(__file__).parent / "data" / "news_article.html"
BODY_SENTENCE = "Councillors in Port Averley voted on Thursday night"
COMMENT_SENTENCE = "Four million for a wall and they still can't fix the potholes"


def test_lines_prints_the_rendered_page():
    result = invoke("lines", ARTICLE)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "Harbour town votes to rebuild its flooded sea wall" in lines
    assert "  • Sport" in lines  # list items get the text browser's bullet
    assert not any("dataLayer" in line or "Subscribe for" in line for line in lines)


def test_lines_with_cues_shows_tags_regions_and_class_tokens():
    result = invoke("lines", ARTICLE, "--cues")
    assert result.exit_code == 0
    by_text = {line.split(" | ", 1)[1]: line.split(" | ", 1)[0]
               for line in result.stdout.splitlines() if " | " in line}
    assert by_text["  • Sport"].startswith("li@")
    assert "in=a,header,li,nav" in by_text["  • Sport"]
    assert "link=1.00" in by_text["  • Sport"]
    assert by_text["Harbour town votes to rebuild its flooded sea wall"].startswith("h1@4 h1 ")
    related = "  • Families face months in temporary housing after floods"
    assert "cls=related" in by_text[related]
    comment = next(text for text in by_text if text.startswith(COMMENT_SENTENCE))
    assert "comment" in by_text[comment].split("cls=")[1]
    # The Readability-style pick: the story is the best container, the related list is not in it.
    paragraph = next(text for text in by_text if text.startswith("Councillors in Port Averley"))
    assert by_text[paragraph].endswith(" content=1.00 top")
    assert not by_text[related].endswith(" top")


def test_lines_of_a_text_dump_says_it_has_no_cues(seed_files):
    result = invoke("lines", seed_files[0], "--cues")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == seed_files[0].read_text().splitlines()
    assert "no DOM cues" in result.stderr


def test_clean_html_keeps_the_article_and_drops_chrome_and_comments():
    result = invoke("clean", ARTICLE)
    assert result.exit_code == 0
    assert BODY_SENTENCE in result.stdout
    assert "Not everyone was convinced." in result.stdout
    assert COMMENT_SENTENCE not in result.stdout
    assert "Privacy" not in result.stdout


def test_keep_comment_on_html_gives_the_comments():
    result = invoke("clean", ARTICLE, "--keep", "comment")
    assert result.exit_code == 0
    assert COMMENT_SENTENCE in result.stdout
    assert BODY_SENTENCE not in result.stdout


def test_html_is_detected_in_a_mixed_gzipped_folder(tmp_path, seed_files):
    folder = tmp_path / "dump"
    folder.mkdir()
    (folder / "story.htm.gz").write_bytes(gzip.compress(ARTICLE.read_bytes()))
    (folder / "story-saved-as.txt").write_bytes(ARTICLE.read_bytes())
    shutil.copy(seed_files[0], folder / "seed.txt")
    out = tmp_path / "out.jsonl"
    result = invoke("clean", folder, "--format", "jsonl", "--lines", "-o", out)
    assert result.exit_code == 0
    records = {r["source"].rsplit("/", 1)[1]: r for r in map(json.loads, out.read_text()
                                                             .splitlines())}
    assert set(records) == {"story.htm.gz", "story-saved-as.txt", "seed.txt"}
    for name in ("story.htm.gz", "story-saved-as.txt"):
        assert BODY_SENTENCE in records[name]["text"]
        assert not any("<p" in line["text"] for line in records[name]["lines"])
    assert "Putin" in records["seed.txt"]["text"]


def test_input_format_text_overrides_detection():
    result = invoke("lines", ARTICLE, "--input-format", "text")
    assert result.exit_code == 0
    assert "<!DOCTYPE html>" in result.stdout.splitlines()


def test_stdin_html_fragment_is_detected():
    result = invoke("lines", "-", "--cues", input=b"<p>Hi <a href=x>there</a></p>")
    assert result.exit_code == 0
    assert result.stdout.strip().startswith("p@")
    assert result.stdout.strip().endswith("| Hi there")


def test_label_train_eval_on_html(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(3):
        shutil.copy(ARTICLE, pages / f"page{i}.html")
    labels = tmp_path / "labels"
    assert invoke("label", pages, "-o", labels).exit_code == 0
    label_files = sorted(labels.glob("*.tsv"))
    assert len(label_files) == 3
    assert all(p.with_name(p.name[:-4] + ".cues.json").exists() for p in label_files)
    labelled = read_label_file(label_files[0])
    assert "Harbour town votes to rebuild its flooded sea wall" in labelled.lines
    assert len(labelled.lines) == len(labelled.labels)
    model = tmp_path / "model"
    trained = invoke("train", labels, "-o", model)
    assert trained.exit_code == 0, trained.output
    result = invoke("eval", labels, "--model", model, "--format", "json")
    assert result.exit_code == 0
    figures = json.loads(result.stdout)
    assert figures["labels"]["body"]["support"] > 0


def test_cues_written_before_boxes_still_load_and_say_so(tmp_path, caplog):
    from cleaner.training.train import load_label_files, page_of

    labels = tmp_path / "labels"
    assert invoke("label", ARTICLE, "-o", labels).exit_code == 0
    sidecar = next(labels.glob("*.cues.json"))
    entries = json.loads(sidecar.read_text(encoding="utf-8"))
    assert all("box" in entry for entry in entries if entry)
    sidecar.write_text(json.dumps([{k: v for k, v in entry.items() if k != "box"} if entry
                                   else None for entry in entries]), encoding="utf-8")
    with caplog.at_level("WARNING"):
        page = page_of(load_label_files([labels])[0])
    assert page.kind == "html" and all(c.box == -1 for c in page.cues if c is not None)
    assert "without the lines' boxes" in caplog.text and sidecar.name in caplog.text
