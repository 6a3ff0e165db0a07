"""The headline once (cleaner/headline.py): the copy next to the text is body."""

import numpy as np
import pytest

from cleaner import Cleaner
from cleaner.document import Page
from cleaner.headline import one_headline
from cleaner.labels import LABELS
from cleaner.training.labelfile import read_label_file

BODY, NAV = LABELS.index("body"), LABELS.index("nav")
HEADLINE = "Rates hold as the bank waits for spring"
LINES = ["Home  News  Business", HEADLINE, "Share this", HEADLINE,
         "The central bank kept its rates on Thursday, as expected.",
         "Its governor said the spring figures would decide."]


def probs_for(labels: list[int], body_elsewhere: float = 0.2) -> np.ndarray:
    """0.6 for each line's label; `body_elsewhere` for body where that is not it."""
    probs = np.zeros((len(labels), len(LABELS)))
    for row, label in enumerate(labels):
        probs[row, label] = 0.6
        if label != BODY:
            probs[row, BODY] = body_elsewhere
        rest = probs[row] == 0
        probs[row, rest] = (1 - probs[row].sum()) / rest.sum()
    return probs


def kept(page: Page, probs: np.ndarray) -> list[str]:
    return [page.lines[i] for i in np.flatnonzero(one_headline(page, probs).argmax(1) == BODY)]


def test_two_copies_kept_become_the_one_next_to_the_text():
    page = Page(lines=LINES)
    probs = probs_for([NAV, BODY, NAV, BODY, BODY, BODY])
    assert kept(page, probs) == LINES[3:]


def test_no_copy_kept_gets_the_one_next_to_the_text_when_the_model_hesitated():
    page = Page(lines=LINES)
    hesitant = probs_for([NAV, NAV, NAV, NAV, BODY, BODY], body_elsewhere=0.35)
    assert kept(page, hesitant) == LINES[3:]
    sure_not = probs_for([NAV, NAV, NAV, NAV, BODY, BODY], body_elsewhere=0.1)
    assert kept(page, sure_not) == LINES[4:]


def test_lines_that_are_not_headlines_are_left_alone():
    lines = ["  • Real Estate", "Log in", "  • Real Estate", "Log in", LINES[4]]
    page = Page(lines=lines)
    probs = probs_for([NAV, NAV, NAV, NAV, BODY], body_elsewhere=0.35)
    assert kept(page, probs) == [LINES[4]]


def test_html_pages_are_left_to_the_model_and_their_title_cues():
    page = Page(lines=LINES, kind="html", cues=[None] * len(LINES))
    probs = probs_for([NAV, BODY, NAV, BODY, BODY, BODY])
    assert kept(page, probs) == LINES[1:2] + LINES[3:]


@pytest.mark.parametrize("seed", ["000", "001", "002", "004"])
def test_each_seed_keeps_its_headline_once(seed, seeds_dir):
    """The seeds' gold keeps one copy of the headline (LABELING.md); seeds 000-002
    repeat it, and before the rule 001 lost it and 002 kept it twice."""
    path = next(seeds_dir.glob(f"{seed}_*.txt"))
    gold = read_label_file(seeds_dir / "labeled" / f"{path.stem}.tsv")
    headline = gold.lines[gold.labels.index("body")].strip()
    result = Cleaner.load().clean(path.read_bytes())
    assert [line.text.strip() for line in result.lines if line.label == "body"
            ].count(headline) == 1
