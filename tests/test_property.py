"""Property-based tests: any bytes, any text, as a dump or as HTML, never break cleaner.

Hypothesis feeds arbitrary bytes and arbitrary Unicode (lone surrogates, NUL,
control characters and every kind of newline included) and markup-heavy text
through the readers and the whole pipeline. What must hold for every input:
no exception (a page that cannot be read raises PageError, which the batch
turns into an error record); every result has one label per line; a text
dump's lines are the input's lines, one for one, split as `split_lines` splits
them (LF, CRLF and lone CR); and every record can be written as UTF-8 JSON.
"""

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner.batch.sinks import json_record
from cleaner.clean import Cleaner
from cleaner.document import PageError, Result
from cleaner.readers.decode import clean_text, decode_bytes, split_lines, without_surrogates
from cleaner.readers.pages import page_from_bytes, page_from_text

# Examples per test: enough to find the classic failures (odd newlines, lone
# surrogates, NUL, unclosed markup) in a few seconds of the suite. For a longer
# hunt: CLEANER_FUZZ_EXAMPLES=5000 python -m pytest tests/test_property.py
EXAMPLES = int(os.environ.get("CLEANER_FUZZ_EXAMPLES", "150"))
fuzz = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=400)
newline_heavy = st.lists(st.sampled_from(
    ["\n", "\r", "\r\n", "\n\r", " ", "\t", "\x00", "\x0c", "\x85", "\u2028", "word",
     "Councillors voted on Tuesday.", "\ufeff", "\ud800", "é"]), max_size=60).map("".join)
markup = st.lists(st.sampled_from(
    ["<div>", "</div>", "<p>", "</p>", "<li>", "<ul>", "<br>", "<pre>", "</pre>", "<table>",
     "<td>", "<script>", "</script>", "<!--", "-->", "<title>", "<a href=x>", "</a>",
     "<span class='comment'>", "&#x0;", "&#xD800;", "&#99999999;", "&amp", "<", ">", "\r\n",
     "\r", "\n", " ", "\x00", "News text here.", "<meta charset=shift_jis>", "<h1>", "<svg>",
     "<math>", "<template>", "<nav>", "<plaintext>", "<select><option>", "<img alt='x'>"]),
    max_size=80).map("".join)


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner.load()


def well_formed(result: Result) -> None:
    """One label and one probability per line; the record writes as UTF-8 JSON."""
    assert len(result.labels) == len(result.line_texts) == len(result.probabilities)
    for label, p in zip(result.labels, result.probabilities, strict=True):
        assert (label is None) == (p is None)
    line = json_record(result, with_lines=True).encode("utf-8")
    assert json.loads(line)["id"] == result.id


def clean_or_error(cleaner: Cleaner, read) -> Result:
    """The pipeline as a batch runs it: an unreadable page becomes an error record."""
    try:
        page = read()
    except PageError as error:
        return Result.failed("p", "fuzz", None, str(error))
    [result] = cleaner.clean_pages([page])
    return result


@fuzz
@given(data=st.binary(max_size=3000))
def test_any_bytes_as_a_text_dump_map_line_for_line(cleaner, data):
    result = clean_or_error(cleaner, lambda: page_from_bytes(data, input_format="text"))
    well_formed(result)
    if result.error is not None:
        return
    text, encoding = decode_bytes(data, clean=False)
    assert result.line_texts == [clean_text(line) for line in split_lines(text)]
    if not encoding.startswith(("utf-16", "utf-32")):  # one byte per newline character
        assert len(result.line_texts) == len(split_lines(data.decode("latin-1")))


@fuzz
@given(data=st.binary(max_size=3000), input_format=st.sampled_from(["auto", "html"]))
def test_any_bytes_as_html_or_sniffed(cleaner, data, input_format):
    well_formed(clean_or_error(cleaner, lambda: page_from_bytes(data,
                                                                input_format=input_format)))


@fuzz
@given(text=st.one_of(any_text, newline_heavy))
def test_any_text_as_a_dump_maps_line_for_line(cleaner, text):
    result = cleaner.clean(text, input_format="text")
    well_formed(result)
    assert len(result.line_texts) == len(split_lines(text))
    assert result.line_texts == [clean_text(line)
                                 for line in split_lines(without_surrogates(text))]


@fuzz
@given(text=st.one_of(any_text, markup, newline_heavy),
       input_format=st.sampled_from(["auto", "html"]))
def test_any_text_as_html_or_sniffed(cleaner, text, input_format):
    well_formed(clean_or_error(cleaner, lambda: page_from_text(text,
                                                               input_format=input_format)))


@fuzz
@given(pages=st.lists(st.one_of(st.binary(max_size=500), any_text, markup), max_size=8))
def test_a_batch_gives_one_result_per_page_in_order(cleaner, pages):
    """Good, bad and empty pages mixed in one batch: a result or an error for each."""
    items = []
    for number, page in enumerate(pages):
        read = (page_from_bytes if isinstance(page, bytes) else page_from_text)
        try:
            items.append(read(page, id=str(number)))
        except PageError as error:
            items.append(Result.failed(str(number), "fuzz", None, str(error)))
    results = list(cleaner.clean_many(items, batch_lines=50))
    assert [result.id for result in results] == [str(n) for n in range(len(pages))]
    for result in results:
        well_formed(result)
