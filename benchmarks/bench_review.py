"""`cleaner review` tried as a person would: two pages of a held-out site labelled in
the real page, in headless Chromium, by key presses; then Train, and its table.

    python -m benchmarks.bench_review                 # canada.com, the tutorial's site
    python -m benchmarks.bench_review --site canada.com --json review.json

It builds the site as the tutorial does (`python -m cleaner.training.corpus site
SITE --train 2`, into data/build/bench-review/), puts the check pages' human gold
into the labels folder as the check pages' labels, starts the review server, and
drives the page with Selenium as a person would: down each page's lines with `j`;
at each run of lines whose label the human gold says is wrong, Shift+`j` to
select the run and the gold label's key (Shift+letter where the gold gives a
whole box one label); each unsure line that was right confirmed with its key;
`s`. Then it ticks the check pages' boxes, presses Train and reads the table.

The person here is the gold: the lines of a page as cleaner renders it are matched
to the gold's lines by their text (difflib), and lines the gold does not have keep
the model's label (those of a stretch the two render differently take the label of
the most alike gold line: gold_labels). It counts the keys and times the script; a person's time is
the reading, which no script measures. Needs chromium, chromium-driver and
selenium (the test extra), and ../shared/datasets.
"""

from __future__ import annotations

import argparse
import difflib
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from cleaner.clean import Cleaner
from cleaner.review.pages import Workspace
from cleaner.review.server import ReviewServer
from cleaner.review.training import TrainJob
from cleaner.training.labelfile import LabelledPage, read_label_file

REPO = Path(__file__).resolve().parent.parent
KEYS = {"body": "b", "nav": "n", "related": "r", "comment": "c"}
MIN_LIKENESS = 0.5  # difflib ratio: "canada.com, Newspapers, TV" against "canada.com, Newspapers"


def build_site(site: str, out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "cleaner.training.corpus", "site", site, "--train",
                    "2", "--out", str(out)], cwd=REPO, check=True, capture_output=True)
    labels = out / "labels"
    shutil.rmtree(labels, ignore_errors=True)
    (labels / "check").mkdir(parents=True)
    for gold in (out / "gold" / "check").iterdir():
        shutil.copy(gold, labels / "check" / gold.name)
    return labels


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-background-networking", "--window-size=1500,950"):
        options.add_argument(flag)
    return webdriver.Chrome(service=webdriver.ChromeService("/usr/bin/chromedriver"),
                            options=options)


def gold_labels(lines: list[str], gold: LabelledPage) -> list[str | None]:
    """The gold label of each line of the page: lines matched to the gold's by their
    text (difflib); where the two renderings differ (the gold's page is the annotated
    copy), a line takes the label of a gold line of the same text elsewhere (a
    caption rendered twice, once as the image's alt text), else of the most alike
    gold line of the stretch, if any is alike at all (ratio over MIN_LIKENESS), else
    None (the model's stays)."""
    mine, theirs = [line.strip() for line in lines], [line.strip() for line in gold.lines]
    out: list[str | None] = [None] * len(lines)
    same_text = {line: label for line, label in zip(theirs, gold.labels, strict=True)
                 if line and label}
    matcher = difflib.SequenceMatcher(None, mine, theirs, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(i1, i2):
            if tag == "equal":
                out[k] = gold.labels[j1 + k - i1]
            elif mine[k] in same_text:
                out[k] = same_text[mine[k]]
            elif mine[k] and j2 > j1:
                likeness, j = max((difflib.SequenceMatcher(None, mine[k], theirs[j]).ratio(), j)
                                  for j in range(j1, j2) if gold.labels[j])  \
                    if any(gold.labels[j1:j2]) else (0.0, -1)
                out[k] = gold.labels[j] if likeness > MIN_LIKENESS else None
    return out


class Person:
    """Key presses on the review page, counted."""

    def __init__(self, driver) -> None:
        self.driver = driver
        self.keys = {"move": 0, "label": 0, "confirm": 0, "block": 0, "extend": 0, "save": 0}

    def press(self, kind: str, keys: str, count: int = 1) -> None:
        self.driver.find_element(By.TAG_NAME, "body").send_keys(keys)
        self.keys[kind] += count

    def state(self):
        return self.driver.execute_script(
            "return [state.labels, [...state.unsure], state.cursor]")

    def fix_page(self, view: dict, want: list[str | None]) -> None:
        text = [i for i, line in enumerate(view["lines"]) if line["text"].strip()]
        boxes = [line["box"] for line in view["lines"]]
        for position, i in enumerate(text):
            labels, unsure, cursor = self.state()
            target = want[i] or labels[i]
            if labels[i] == target and i not in unsure:
                continue
            steps = text.index(i) - text.index(cursor)
            if steps:
                self.press("move", ("j" if steps > 0 else "k") * abs(steps), abs(steps))
            box = [k for k in text if boxes[k] == boxes[i] >= 0]
            if (len(box) > 1 and all((want[k] or labels[k]) == target for k in box)
                    and sum(labels[k] != target for k in box) > 1):
                self.press("block", Keys.SHIFT + KEYS[target] + Keys.NULL)
                continue
            run = 1
            while (position + run < len(text)
                   and (want[text[position + run]] or labels[text[position + run]]) == target
                   and labels[text[position + run]] != target):
                run += 1
            if run > 1:
                self.press("extend", Keys.SHIFT + "j" * (run - 1) + Keys.NULL, run - 1)
            self.press("label" if labels[i] != target else "confirm", KEYS[target])
            if run > 1:  # back to the run's first line: a plain move ends the selection
                self.press("move", "k" * (run - 1), run - 1)
        self.press("save", "s")


def wait(driver, condition, seconds: float = 120):
    return WebDriverWait(driver, seconds, poll_frequency=0.05).until(lambda _: condition())


def run(site: str) -> dict:
    out = REPO / "data" / "build" / "bench-review" / site
    labels = build_site(site, out)
    workspace = Workspace([out / "pages" / "train"], labels, Cleaner.load("default"))
    workspace.prelabel()
    server = ReviewServer(workspace, TrainJob(workspace, "default", labels / "model"), port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    driver = browser()
    person = Person(driver)
    pages = []
    try:
        started = time.monotonic()
        driver.get(server.url)
        wait(driver, lambda: driver.find_elements(By.CSS_SELECTOR, "#lines li"))
        for index, review in enumerate(workspace.pages):
            if review.page_file is None:
                continue
            driver.find_elements(By.CSS_SELECTOR, "#pages td.name")[index].click()
            wait(driver, lambda name=review.name:
                 driver.find_element(By.ID, "page-name").text == name)
            view = workspace.view(index)
            want = gold_labels([line["text"] for line in view["lines"]],
                               read_label_file(out / "gold" / "train" / f"{review.name}.tsv"))
            wrong = sum(1 for line, label in zip(view["lines"], want, strict=True)
                        if label and line["label"] != label)
            person.fix_page(view, want)
            wait(driver, lambda: "saved" in driver.find_element(By.ID, "saved").text)
            pages.append({"page": review.name, "lines": sum(1 for w in view["lines"]
                                                            if w["text"].strip()),
                          "unsure": sum(w["unsure"] for w in view["lines"]), "wrong": wrong})
        labelled = time.monotonic() - started
        for index, review in enumerate(workspace.pages):
            if review.page_file is None:
                row = driver.find_elements(By.CSS_SELECTOR, "#pages tbody tr")[index]
                row.find_element(By.CSS_SELECTOR, "input.check").click()
                wait(driver, lambda index=index: workspace.summary()[index]["check"])
        driver.find_element(By.ID, "train").click()
        wait(driver, lambda: driver.find_elements(By.ID, "comparison"))
    finally:
        driver.quit()
        server.shutdown()
    status = server.job.status
    return {"site": site, "pages": pages, "keys": person.keys,
            "script_seconds": round(labelled, 1), "train_seconds": status.seconds,
            "message": status.message, "table": status.table, "text": status.text}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", default="canada.com")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    result = run(args.site)
    for page in result["pages"]:
        print(f"{page['page']}: {page['lines']} lines, {page['unsure']} unsure, "
              f"{page['wrong']} wrong by the gold")
    print("keys:", ", ".join(f"{kind} {count}" for kind, count in result["keys"].items()))
    print(f"script: {result['script_seconds']} s to label; Train: {result['train_seconds']} s")
    print(result["message"])
    print(result["text"])
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
