"""`cleaner review` without a browser: its API over real HTTP on a free port, the
label files it writes, and what it refuses (no token, paths out of its folders)."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import REPO, review_server, serving

from cleaner.clean import Cleaner
from cleaner.review import DEFAULT_HOST
from cleaner.review.pages import Workspace
from cleaner.review.server import SHOWN_POLICY, TOKEN_HEADER
from cleaner.training.labelfile import read_label_file
from cleaner.training.train import load_label_files

# Our own pages (no dataset page is committed): two HTML pages and a text dump.
PAGES = {"article.html": REPO / "examples" / "article.html",
         "news_article.html": REPO / "tests" / "data" / "news_article.html",
         "news_dump.txt": REPO / "examples" / "article.txt"}


@pytest.fixture(scope="module")
def cleaner():
    return Cleaner.load("default")


@pytest.fixture()
def folders(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    for name, page in PAGES.items():
        shutil.copy(page, pages / name)
    (tmp_path / "secret.tsv").write_text("body\tnot yours\n", encoding="utf-8")
    return pages, tmp_path / "labels"


@pytest.fixture()
def server(folders, cleaner):
    pages, labels = folders
    with review_server(pages, labels, cleaner) as running:
        yield running


def request(server, method, path, body=None, token=True, host=None):
    """One request with a raw path (no client-side normalising): (status, headers, body)."""
    address, port = server.server_address[:2]
    connection = http.client.HTTPConnection(address, port, timeout=30)
    headers = {"Host": host or f"{address}:{port}"}
    if token:
        headers[TOKEN_HEADER] = server.token if token is True else token
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        headers["Content-Type"] = "application/json"
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.putheader("Content-Length", str(len(data or b"")))
    connection.endheaders(data)
    answer = connection.getresponse()
    payload = answer.read()
    connection.close()
    return answer.status, dict(answer.getheaders()), payload


def get_json(server, path):
    status, _, payload = request(server, "GET", path, token=False)
    assert status == 200, payload
    return json.loads(payload)


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_it_prelabels_and_lists_the_pages(server, folders):
    pages = get_json(server, "/api/pages")
    names = [page["name"] for page in pages]
    assert names == ["article", "news_article", "news_dump"]
    assert [page["html"] for page in pages] == [True, True, False]
    for page in pages:
        labelled = read_label_file(folders[1] / f"{page['name']}.tsv")
        assert page["lines"] == sum(label is not None for label in labelled.labels) > 10
        assert page["unsure"] == len(get_unsure(folders[1] / f"{page['name']}.tsv"))


def get_unsure(path: Path) -> list[str]:
    return [row for row in path.read_text(encoding="utf-8").splitlines()
            if not row.startswith("#") and row.partition("\t")[0].endswith("?")]


def test_a_page_gives_its_lines_boxes_and_elements(server, folders):
    view = get_json(server, "/api/pages/1")  # news_article: an HTML page
    labelled = read_label_file(folders[1] / "news_article.tsv")
    assert [line["text"] for line in view["lines"]] == labelled.lines
    assert [line["label"] for line in view["lines"]] == labelled.labels
    text_lines = [line for line in view["lines"] if line["text"].strip()]
    assert all(line["element"] >= 0 and line["box"] >= 0 for line in text_lines)
    assert all(abs(sum(line["p"].values()) - 1) < 0.01 for line in text_lines)
    assert len({line["box"] for line in text_lines}) < len(text_lines)  # boxes hold lines
    dump = get_json(server, "/api/pages/2")  # a text dump: blocks between blank lines
    assert not dump["html"] and all(line["element"] == -1 for line in dump["lines"])
    boxes = [line["box"] for line in dump["lines"]]
    first_blank = boxes.index(-1)
    assert boxes[first_blank + 1] == boxes[0] + 1


def test_the_shown_html_runs_nothing_and_marks_elements(server):
    status, headers, payload = request(server, "GET", "/shown/1.html", token=False)
    assert status == 200
    assert headers["Content-Security-Policy"] == SHOWN_POLICY
    assert "script-src 'none'" in SHOWN_POLICY and "default-src 'none'" in SHOWN_POLICY
    html = payload.decode()
    assert "<script" not in html.lower() and 'data-cleaner-el="' in html
    assert "a, area" in html and "pointer-events: none" in html  # no click leaves the copy
    view = get_json(server, "/api/pages/1")
    element = next(line["element"] for line in view["lines"] if line["text"].strip())
    assert f'data-cleaner-el="{element}"' in html
    assert request(server, "GET", "/shown/2.html", token=False)[0] == 404  # a text dump


def test_save_writes_the_label_file_that_train_reads(server, folders):
    path = folders[1] / "news_article.tsv"
    view = get_json(server, "/api/pages/1")
    labels = [line["label"] for line in view["lines"]]
    unsure = [i for i, line in enumerate(view["lines"]) if line["unsure"]]
    first = next(i for i, label in enumerate(labels) if label)
    labels[first] = "comment"
    kept_unsure = [i for i in unsure if i != first][:1]
    status, _, payload = request(server, "POST", "/api/pages/1",
                                 {"labels": labels, "unsure": kept_unsure, "check": True})
    assert status == 200, payload
    saved = read_label_file(path)
    assert saved.labels == labels and saved.meta["check"] == "yes"
    rows = [row for row in path.read_text(encoding="utf-8").splitlines()
            if not row.startswith("#")]
    assert rows[first].startswith("comment\t")
    assert [i for i, row in enumerate(rows) if row.partition("\t")[0].endswith("?")] \
        == kept_unsure
    assert load_label_files([folders[1]])[1].labels[first] == "comment"
    assert not [p for p in folders[1].iterdir() if p.name.startswith(".")]  # no temp left
    assert get_json(server, "/api/pages")[1]["check"] is True


def test_a_change_without_the_token_is_refused_and_changes_nothing(server, folders):
    before = files_under(folders[1].parent)
    view = get_json(server, "/api/pages/1")
    labels = ["comment" if line["label"] else None for line in view["lines"]]
    for token in (False, "wrong-token", server.token[:-1]):
        status, _, _ = request(server, "POST", "/api/pages/1", {"labels": labels},
                               token=token)
        assert status == 403
    assert request(server, "POST", "/api/train", {}, token=False)[0] == 403
    assert server.job.status.state == "idle"
    assert files_under(folders[1].parent) == before


@pytest.mark.parametrize("path", [
    "/api/pages/../../etc/passwd", "/static/../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2fetc%2fpasswd", "//etc/passwd", "/etc/passwd", "/api/pages/3",
    "/api/pages/-1", "/api/pages/%2e%2e%2fsecret", "/shown/..%2f..%2fsecret.html",
    "/static/index.html", "/api/pages/1/../../../secret.tsv",
])
def test_paths_out_of_the_folders_are_not_found(server, folders, path):
    before = files_under(folders[1].parent)
    status, _, payload = request(server, "GET", path, token=False)
    assert status == 404 and b"not yours" not in payload and b"root:" not in payload
    status, _, _ = request(server, "POST", path, {"labels": []})
    assert status == 404
    assert files_under(folders[1].parent) == before


def test_a_label_file_symlinked_out_of_the_folder_is_neither_read_nor_written(
        folders, cleaner, tmp_path):
    pages, labels = folders
    labels.mkdir()
    outside = tmp_path / "secret.tsv"
    (labels / "linked.tsv").symlink_to(outside)
    workspace = Workspace([pages], labels, cleaner)
    workspace.prelabel()
    assert "linked" not in [page.name for page in workspace.pages]
    # A label file swapped for a symlink out after the list was made: refused too.
    target = labels / "article.tsv"
    target.unlink()
    target.symlink_to(outside)
    with serving(workspace) as running:
        assert request(running, "GET", "/api/pages/0", token=False)[0] == 404
        assert request(running, "POST", "/api/pages/0", {"labels": ["body"]})[0] == 404
    assert outside.read_text(encoding="utf-8") == "body\tnot yours\n"


def test_labels_that_do_not_fit_the_page_are_refused(server, folders):
    before = files_under(folders[1])
    labels = [line["label"] for line in get_json(server, "/api/pages/1")["lines"]]
    for body in ({"labels": ["body"]}, {"labels": "body"}, {"labels": None},
                 {"labels": ["bogus"] * len(labels)}, {"labels": labels, "unsure": 5},
                 {"labels": labels, "unsure": ["3"]}, {"labels": labels, "check": "false"}):
        assert request(server, "POST", "/api/pages/1", body)[0] == 400, body
    assert files_under(folders[1]) == before


def test_a_label_file_broken_by_hand_is_named_and_the_others_stay_listed(server, folders):
    broken = folders[1] / "news_article.tsv"
    broken.write_text("bodyy\tA typo made in an editor\n", encoding="utf-8")
    rows = get_json(server, "/api/pages")
    assert [row["error"] is not None for row in rows] == [False, True, False]
    assert "news_article.tsv:1: unknown label 'bodyy'" in rows[1]["error"]
    status, _, payload = request(server, "GET", "/api/pages/1", token=False)
    assert status == 500 and b"news_article.tsv" in payload  # named, not a dropped connection
    assert get_json(server, "/api/pages/0")["lines"]  # the other pages still open


def test_any_loopback_address_checks_the_host(folders, cleaner):
    """127.0.0.2 is this machine too: a DNS name pointing there must not reach it."""
    pages, labels = folders
    with review_server(pages, labels, cleaner, host="127.0.0.2") as running:
        assert request(running, "GET", "/", token=False, host="attacker.example")[0] == 400
        assert request(running, "GET", "/", token=False)[0] == 200


def test_a_request_for_another_host_is_refused(server):
    status, _, _ = request(server, "GET", "/api/pages", token=False, host="evil.example:80")
    assert status == 400
    address, port = server.server_address[:2]
    assert request(server, "GET", "/", token=False, host=f"localhost:{port}")[0] == 200


def test_the_index_page_carries_the_token_and_a_strict_policy(server):
    status, headers, payload = request(server, "GET", "/", token=False)
    assert status == 200 and server.token.encode() in payload
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    for name in ("review.js", "review.css"):
        assert request(server, "GET", f"/static/{name}", token=False)[0] == 200
    assert request(server, "GET", "/favicon.ico", token=False)[:3:2] == (204, b"")


def test_train_adapts_the_model_and_compares_on_the_check_pages(server, folders):
    view = get_json(server, "/api/pages/2")
    request(server, "POST", "/api/pages/2", {"labels": [line["label"] for line in
                                                          view["lines"]], "check": True})
    status, _, payload = request(server, "POST", "/api/train", {})
    assert status == 200 and json.loads(payload)["started"] is True
    deadline = time.monotonic() + 120
    while (state := get_json(server, "/api/train"))["state"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert state["state"] == "done", state["message"]
    assert set(state["table"]) == {"site", "base"}
    assert set(state["table"]["site"]["labels"]) == {"body", "nav", "related", "comment"}
    assert "body text F1" in state["text"]
    card = json.loads((folders[1] / "model" / "model.json").read_text(encoding="utf-8"))
    assert card["base"]["name"] == "default" and card["training_data"]["pages"] == 2


def test_the_command_listens_on_localhost_and_prints_its_url(folders):
    pages, labels = folders
    process = start_review(pages, labels)
    try:
        url = process.stdout.readline().strip()
        parts = urlsplit(url)
        assert parts.hostname == DEFAULT_HOST == "127.0.0.1" and parts.port
        assert pages_listed(url) == 3
        assert len(list(labels.glob("*.tsv"))) == 3
    finally:
        process.terminate()
        process.wait(timeout=30)


def start_review(pages, labels, *options, env=None):
    return subprocess.Popen(
        [sys.executable, "-m", "cleaner", "review", str(pages), "--labels", str(labels),
         "--port", "0", *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=REPO, env={**(env or os.environ), "PYTHONPATH": str(REPO)})


def pages_listed(url: str) -> int:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", "/api/pages")
    return len(json.loads(connection.getresponse().read()))


def fake_browser(folder: Path, name: str) -> Path:
    """A browser program that notes the URL it was given, then waits like w3m does."""
    folder.mkdir(exist_ok=True)
    program = folder / name
    program.write_text(f"#!/bin/sh\necho \"$1\" > {folder / 'opened'}\nsleep 30\n")
    program.chmod(0o755)
    return program


def test_open_without_a_display_serves_and_says_to_open_the_url(folders, tmp_path):
    """With no display, webbrowser's choice is a text browser such as w3m: run in the
    foreground it took the terminal and the server never served."""
    pages, labels = folders
    fake_browser(tmp_path / "bin", "w3m")
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER")}
    env["PATH"] = f"{tmp_path / 'bin'}:{env['PATH']}"
    process = start_review(pages, labels, "--open", env=env)
    try:
        url = process.stdout.readline().strip()
        assert pages_listed(url) == 3
        assert not (tmp_path / "bin" / "opened").exists()
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert f"no graphical web browser found: open {url} in one" in stderr


def test_open_with_browser_set_opens_the_url_while_the_server_serves(folders, tmp_path):
    pages, labels = folders
    program = fake_browser(tmp_path / "bin", "my-browser")
    process = start_review(pages, labels, "--open", env={**os.environ, "BROWSER": str(program)})
    try:
        url = process.stdout.readline().strip()
        assert pages_listed(url) == 3
        opened = tmp_path / "bin" / "opened"
        for _ in range(100):
            if opened.exists() and opened.read_text().strip():
                break
            time.sleep(0.1)
        assert opened.read_text().strip() == url
    finally:
        process.terminate()
        process.wait(timeout=30)


def first_round(pages: Path, labels: Path, cleaner) -> Path:
    """A first round's site model, trained by Train on the pre-labelled pages."""
    from cleaner.review.training import TrainJob

    workspace = Workspace([pages], labels, cleaner)
    workspace.prelabel()
    job = TrainJob(workspace, "default", labels / "model")
    job.start()
    assert job.wait(120).state == "done"
    return labels / "model"


def test_the_command_refuses_to_write_the_site_model_over_its_model(folders, cleaner):
    """A second round with --model labels/model and no --site-model: Train would write
    over the model it compares with."""
    from conftest import invoke

    pages, labels = folders
    result = invoke("review", pages, "--labels", labels, "--model",
                    first_round(pages, labels, cleaner))
    assert result.exit_code == 2 and "--site-model" in result.output


def test_the_command_refuses_a_missing_folder(tmp_path):
    from conftest import invoke

    result = invoke("review", tmp_path / "nope", "--labels", tmp_path / "labels")
    assert result.exit_code == 2 and "no such file" in result.output
    assert not (tmp_path / "labels").exists()


@pytest.mark.parametrize("page", [REPO / "examples" / "article.html",
                                  REPO / "tests" / "data" / "news_article.html",
                                  *sorted((REPO / "tests" / "data" / "markdown").glob("*.html"))])
def test_each_line_is_in_the_element_it_is_numbered_by(page):
    """The numbers the shown copy carries are the renderer's: the element numbered as a
    line's block holds the line's text (the layout's bullets and spaces aside; an
    image's alt text and a button's value are text to the renderer)."""
    from selectolax.lexbor import LexborHTMLParser

    from cleaner.readers.html.render import read_html
    from cleaner.review.html_view import ELEMENT_ATTRIBUTE, marked_page

    data = page.read_bytes()
    marked = marked_page(data)
    assert marked.lines == read_html(data).lines
    tree = LexborHTMLParser(marked.html)
    texts = {node.attributes[ELEMENT_ATTRIBUTE]: " ".join(
        [node.text(deep=True), *(shown.attributes.get("alt") or shown.attributes.get("value")
                                 or "" for shown in node.css("img, input"))]).split()
        for node in tree.css(f"[{ELEMENT_ATTRIBUTE}]")}
    texts = {number: " ".join(text) for number, text in texts.items()}
    shown = [(line, element) for line, element in zip(marked.lines, marked.elements,
                                                      strict=True) if line.strip()]
    assert shown and all(element >= 0 for _, element in shown)
    for line, element in shown:
        words = " ".join(line.replace("•", " ").split())
        assert words[:40] in texts[str(element)], (line, element)


def test_a_server_opened_with_host_answers_other_machines_names(folders, cleaner):
    pages, labels = folders
    with review_server(pages, labels, cleaner, host="0.0.0.0") as running:
        port = running.server_address[1]
        status, _, _ = request(running, "GET", "/api/pages", token=False,
                               host=f"review-box.lan:{port}")
        assert status == 200
        assert request(running, "POST", "/api/pages/0", {"labels": []}, token=False)[0] == 403


def test_the_records_of_a_jsonl_file_are_pages_to_review(tmp_path, cleaner):
    """As `cleaner label` does: each record a label file, named container/id, its URL
    in the file; an HTML record shown beside its lines, a text record alone."""
    crawl = tmp_path / "crawl.jsonl"
    html = PAGES["article.html"].read_text(encoding="utf-8")
    dump = PAGES["news_dump.txt"].read_text(encoding="utf-8")
    crawl.write_text(json.dumps({"id": "a1", "url": "https://www.wexhamherald.example/a1",
                                 "html": html}) + "\n" + json.dumps({"id": "d1", "text": dump})
                     + "\n", encoding="utf-8")
    labels = tmp_path / "labels"
    with review_server(crawl, labels, cleaner) as running:
        listed = get_json(running, "/api/pages")
        assert [(row["name"], row["html"]) for row in listed] == [("crawl/a1", True),
                                                                  ("crawl/d1", False)]
        view = get_json(running, "/api/pages/0")
        assert view["html"] and sum(line["element"] >= 0 for line in view["lines"]) > 20
        status, _, shown = request(running, "GET", "/shown/0.html", token=False)
        assert status == 200 and b"data-cleaner-el" in shown and b"<script" not in shown
        assert request(running, "GET", "/shown/1.html", token=False)[0] == 404
        new = [line["label"] and "body" for line in view["lines"]]
        assert request(running, "POST", "/api/pages/0", {"labels": new})[0] == 200
    saved = read_label_file(labels / "crawl" / "a1.tsv")
    assert saved.meta["url"] == "https://www.wexhamherald.example/a1"
    assert {label for label in saved.labels if label} == {"body"}
    assert (labels / "crawl" / "d1.tsv").exists()


def test_the_records_of_a_warc_file_are_shown_beside_their_lines(cleaner, tmp_path):
    from conftest import real_pages_warc

    warc = real_pages_warc(REPO / "data" / "build" / "test-review" / "pages.warc.gz")
    with review_server(warc, tmp_path / "labels", cleaner) as running:
        listed = get_json(running, "/api/pages")
        assert len(listed) == 6 and all(row["html"] for row in listed)
        for row in listed:
            view = get_json(running, f"/api/pages/{row['index']}")
            assert view["html"], row["name"]
    urls = {read_label_file(path).meta["url"].split("/")[2]
            for path in (tmp_path / "labels").rglob("*.tsv")}
    assert urls == {"www.reuters.com", "www.earthtimes.org"}


def test_a_second_round_pre_labels_with_the_site_model_and_trains_over_the_general_one(
        folders, cleaner):
    """Round two: `--model labels/model` pre-labels new pages with the first round's site
    model; Train fits the new site model over the general model, not over that one."""
    from cleaner.review.training import TrainJob

    pages, labels = folders
    round_two = Workspace([pages], labels, Cleaner.load(first_round(pages, labels, cleaner)))
    round_two.prelabel()
    job = TrainJob(round_two, str(labels / "model"), labels / "model2")
    job.start()
    state = job.wait(120)
    assert state.state == "done", state.message
    card = json.loads((labels / "model2" / "model.json").read_text(encoding="utf-8"))
    assert card["base"]["name"] == "default"


def test_pages_named_shtml_or_gzipped_are_shown_as_html(tmp_path, cleaner):
    """HTML by what the page holds, as the reader decides, not by its file name."""
    import gzip

    pages = tmp_path / "pages"
    pages.mkdir()
    html = PAGES["article.html"].read_bytes()
    (pages / "a.shtml").write_bytes(html)
    (pages / "b.html.gz").write_bytes(gzip.compress(html, mtime=0))
    with review_server(pages, tmp_path / "labels", cleaner) as running:
        rows = get_json(running, "/api/pages")
        assert [row["html"] for row in rows] == [True, True]
        for row in rows:
            view = get_json(running, f"/api/pages/{row['index']}")
            assert view["html"] and sum(line["element"] >= 0 for line in view["lines"]) > 20


def test_the_shown_copy_has_nothing_that_loads_or_navigates(tmp_path, cleaner):
    from cleaner.review.html_view import marked_page

    hostile = (b'<html><head><link rel="preconnect" href="http://tracker.example/">'
               b'<link rel="stylesheet" href="http://tracker.example/s.css"></head><body>'
               b'<p>A paragraph of the story that is long enough to be a line of text.</p>'
               b'<a href="http://crawled.example/next" style="pointer-events:auto">next</a>'
               b'<form action="http://crawled.example/post"><button formaction="/x">Go'
               b'</button></form><a ping="http://tracker.example/p" href="/a">a</a>'
               b'<svg><a xlink:href="http://crawled.example/svg">s</a></svg></body></html>')
    shown = marked_page(hostile).html.lower()
    for needle in ("<link", "href=", "action=", "ping=", "tracker.example", "crawled.example"):
        assert needle not in shown, needle
    assert "a paragraph of the story" in shown and "<a" in shown
