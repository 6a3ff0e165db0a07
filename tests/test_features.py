"""Per-line features: one row per text line, batch-independent, meaningful values."""

import numpy as np
import pytest

from cleaner.document import Page
from cleaner.features import batch_features, feature_names
from cleaner.readers.decode import decode_bytes
from cleaner.readers.text import read_text

FORUM = Page(lines=[
    "Putin praises ties with Iran at the Ashgabat forum, where he met Pezeshkian.",
    "",
    "7 minutes ago, thaibeachlovers said:",
    "  • Link to comment",
    "  • Share on other sites",
    "",
    "© 2024 Example News. All rights reserved | Privacy",
])


def column(batch, name):
    return batch.X[:, feature_names().index(name)]


def test_one_row_per_text_line_and_one_column_per_name():
    batch = batch_features([FORUM])
    assert batch.X.shape == (5, len(feature_names()))
    assert batch.line_of_row.tolist() == [0, 2, 3, 4, 6]
    assert batch.X.dtype == np.float32


def test_cues_fire_on_the_lines_that_carry_them():
    batch = batch_features([FORUM])
    assert column(batch, "cue_ago").tolist() == [0, 1, 0, 0, 0]
    assert column(batch, "cue_said").tolist() == [0, 1, 0, 0, 0]
    assert column(batch, "ends_colon").tolist() == [0, 1, 0, 0, 0]
    assert column(batch, "starts_bullet").tolist() == [0, 0, 1, 1, 0]
    assert column(batch, "cue_copyright")[4] >= 2  # "©" and "all rights reserved"
    assert column(batch, "cue_separator")[4] == 1
    assert column(batch, "ends_sentence")[0] == 1


def test_gaps_blocks_and_neighbours_respect_page_edges():
    batch = batch_features([FORUM])
    assert column(batch, "gap_before").tolist() == [3, 1, 0, 0, 1]
    assert np.isnan(column(batch, "log_chars@-1")[0])
    assert np.isnan(column(batch, "log_chars@+1")[-1])
    assert column(batch, "log_chars@+1")[0] == column(batch, "log_chars")[1]


def test_a_page_gets_the_same_rows_alone_or_in_a_batch(seed_files):
    pages = [read_text(decode_bytes(p.read_bytes())[0]) for p in seed_files]
    together = batch_features(pages)
    for index, page in enumerate(pages):
        alone = batch_features([page]).X
        np.testing.assert_array_equal(together.X[together.rows_of(index)], alone)


def test_cjk_characters_count_as_words():
    batch = batch_features([Page(lines=["東京で新しい博物館が開館した。", "Tokyo museum opens"])])
    words = column(batch, "n_words")
    assert words[0] >= 10  # no spaces, but every character carries meaning
    assert column(batch, "cjk_share")[0] > 0.8
    assert column(batch, "ends_sentence")[0] == 1  # the ideographic full stop


@pytest.mark.parametrize("lines", [[], [""], ["   ", "\u00a0"], ["x"], ["\x01 odd \x01"]])
def test_degenerate_pages(lines):
    batch = batch_features([Page(lines=lines), FORUM])
    text_lines = sum(1 for line in lines if line.strip())
    assert batch.X.shape[0] == text_lines + 5
    assert not np.isinf(batch.X).any()


def test_features_are_linear_in_page_length():
    page = Page(lines=["A sentence of ordinary length, said the reporter."] * 50_000)
    batch = batch_features([page])
    assert batch.X.shape[0] == 50_000
    assert column(batch, "repeats_in_page")[0] == pytest.approx(np.log1p(49_999))


def test_dom_cues_become_columns_and_text_dumps_leave_them_unknown():
    from cleaner.features.dom import TAG_COLUMNS
    from cleaner.readers.html.render import BLOCK_TAGS, read_html

    assert set(TAG_COLUMNS) <= set(BLOCK_TAGS)
    html = ("<nav class='menu'><ul><li><a href='/'>Home</a></li></ul></nav>"
            "<article><h2>Story</h2><p>A paragraph of the story, long enough.</p></article>"
            "<div class='comment-body'><p>First!</p></div>")
    batch = batch_features([read_html(html), FORUM])
    home, story, paragraph, first = range(4)
    assert column(batch, "dom_link_share")[home] == 1.0
    assert column(batch, "dom_in_nav")[home] == 1.0
    assert column(batch, "dom_cls_menu")[home] == 1.0
    assert column(batch, "dom_heading")[story] == 2
    assert column(batch, "dom_tag_p")[paragraph] == 1.0
    assert column(batch, "dom_in_nav")[paragraph] == 0
    assert column(batch, "dom_cls_comment")[first] == 1.0
    assert np.isnan(column(batch, "dom_link_share")[4:]).all()  # the text dump's rows


def test_characters_are_classed_as_met_as_the_whole_table_classes_them():
    """Code points are classed the first time a page brings them (a cold start need not
    class all 65,536 of the BMP): every one gets the class the whole table gives it."""
    import numpy as np

    from cleaner.features.text import SYMBOL, char_class_table, classes_of

    some = np.array([0x41, 0x3042, 0xA0, 0x1F600, 0x2026, 0x41], dtype=np.uint32)
    first = classes_of(some)
    everything = classes_of(np.arange(0x110000, dtype=np.uint32))
    assert (everything[:0x10000] == char_class_table()).all()
    assert (everything[0x10000:] == SYMBOL).all()
    assert (first == everything[some]).all()


def test_page_markup_shares_tell_a_2025_page_from_a_2008_one():
    from cleaner.readers.html.render import read_html

    modern = read_html("<header><a href='/'>Home</a></header><main><article>"
                       "<h1>Story</h1><p>First paragraph.</p><p>Second paragraph.</p>"
                       "</article></main><footer>About us</footer>")
    tables = read_html("<table><tr><td><a href='/'>Home</a></td><td><p>First paragraph."
                       "</p><p>Second paragraph.</p></td></tr></table>")
    batch = batch_features([modern, tables, FORUM])
    rows = {page: batch.rows_of(page) for page in range(3)}
    assert column(batch, "page_in_main")[rows[0]] == pytest.approx([3 / 5] * 5)  # h1, 2 p
    assert column(batch, "page_in_landmark")[rows[0]] == pytest.approx([2 / 5] * 5)
    assert set(column(batch, "page_in_article")[rows[1]]) == {0.0}
    assert np.isnan(column(batch, "page_in_main")[rows[2]]).all()  # a text dump: unknown


def test_the_title_cue_finds_the_line_that_repeats_the_pages_title():
    from cleaner.readers.html.render import read_html

    html = ("<html><head><title>Putin meets Pezeshkian in Ashgabat | Example News</title>"
            "</head><body><a href='/'>Example News</a><h1>Putin meets Pezeshkian in Ashgabat"
            "</h1><p>Putin met the Iranian president on Friday.</p></body></html>")
    page = read_html(html)
    assert page.meta["title"] == "Putin meets Pezeshkian in Ashgabat | Example News"
    batch = batch_features([page, FORUM])
    site, headline, text = range(3)
    assert column(batch, "line_in_title")[headline] == 1.0
    assert column(batch, "title_in_line")[headline] == pytest.approx(5 / 7)
    assert list(column(batch, "after_title")[:3]) == [-1.0, 0.0, 1.0]
    assert column(batch, "title_in_line")[text] < 0.5
    assert np.isnan(column(batch, "after_title")[3:]).all()  # a text dump has no title
    untitled = batch_features([read_html("<h1>Putin meets Pezeshkian</h1><p>Text.</p>")])
    assert np.isnan(column(untitled, "title_in_line")).all()
