"""Metadata (cleaner/metadata/): what the markup states, what the lines say, and how
it reaches the Result, JSONL records and `--with-metadata` text output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, invoke, records
from selectolax.lexbor import LexborHTMLParser

from cleaner.clean import Cleaner
from cleaner.document import METADATA_FIELDS, Result
from cleaner.metadata.authors import byline_author, clean_author
from cleaner.metadata.dates import iso_day
from cleaner.metadata.jsonld import jsonld_fields
from cleaner.metadata.language import detect_language
from cleaner.metadata.titles import chosen_title, site_part, without_site_name
from cleaner.readers.html.render import read_html

PAGES = Path(__file__).parent / "data" / "metadata"
JSONLD_PAGE = PAGES / "jsonld_article.html"
OG_PAGE = PAGES / "og_article.html"
EXAMPLE_HTML = REPO / "examples" / "article.html"
EXAMPLE_DUMP = REPO / "examples" / "article.txt"
FERRY = "Harbour ferry timetable cut to four sailings a day from March"


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner.load()


# --- whole pages through the Python API ----------------------------------------------------

def test_a_json_ld_page_gives_every_field(cleaner):
    result = cleaner.clean(JSONLD_PAGE.read_bytes(),
                           url="https://portlake-gazette.example/transport/ferry")
    assert result.metadata() == {
        "title": FERRY,
        "author": "Aled Pritchard",  # the Person its @id points to, not the profile URL
        "date": "2025-11-18",  # datePublished, not dateModified
        "sitename": "Portlake Gazette",  # the WebSite's name before the publisher's "Ltd"
        "language": "en",
        "url": "https://portlake-gazette.example/transport/ferry",
        "canonical_url": "https://portlake-gazette.example/transport/2025/11/18/"
                         "harbour-ferry-timetable-cut",  # made absolute against the URL
    }
    assert FERRY in result.text


def test_an_open_graph_page_gives_its_fields_without_the_site_name(cleaner):
    result = cleaner.clean(OG_PAGE.read_text(encoding="utf-8"))
    assert result.title == "Stadtrat beschließt neue Radwege am Ring"
    assert result.author == "Lena Vogt"  # name=author; article:author is only a URL
    assert result.date == "2025-06-03"
    assert result.sitename == "Kurier am Morgen"
    assert result.language == "de"
    assert result.url is None  # no URL given: the page's own is its canonical_url
    assert result.canonical_url == ("https://www.kurier-am-morgen.example/lokales/"
                                    "radwege-am-ring-100.html")


def test_a_page_without_structured_data_is_read_from_its_lines(cleaner):
    html = """<html><head><title>Street lights to switch off at midnight | Town Echo</title>
    </head><body>
    <ul class="nav"><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul>
    <h1>Street lights to switch off at midnight to save money</h1>
    <div class="byline">By Maria Okafor</div>
    <div class="article-date">Published 4 March 2025</div>
    <p>Street lights on residential roads will switch off between midnight and five in the
    morning from April, the council said, saving about 90,000 pounds a year.</p>
    <p>Main roads, junctions and crossings will stay lit all night. Residents can ask for a
    light to stay on where there is a safety concern, the council said.</p>
    </body></html>"""
    result = cleaner.clean(html, url="https://town-echo.example/news/lights")
    assert result.title == "Street lights to switch off at midnight to save money"
    assert result.author == "Maria Okafor"
    assert result.date == "2025-03-04"
    assert result.sitename == "Town Echo"  # the part of <title> that names the host
    assert result.canonical_url is None


def test_the_shipped_example_page(cleaner):
    result = cleaner.clean(EXAMPLE_HTML.read_bytes())
    assert result.title.startswith("Wexham library reopens two years after the flood")
    assert result.author == "Helen Marsh"  # "By Helen Marsh, Local Democracy Reporter"
    assert result.date == "2026-10-13"
    assert result.sitename == "The Wexham Herald"
    assert result.language == "en"


def test_a_text_dump_gives_its_headline_and_what_its_lines_state(cleaner):
    result = cleaner.clean(EXAMPLE_DUMP.read_text(encoding="utf-8"))
    assert result.kind == "text"
    assert result.title.startswith("Wexham library reopens two years after the flood")
    assert result.author == "Helen Marsh"  # its byline line
    assert result.date == "2026-10-13"  # its dateline
    assert result.language == "en"
    assert result.sitename is None and result.canonical_url is None and result.url is None


def test_a_dump_that_states_nothing_has_only_a_title_and_language(cleaner):
    dump = ("Council agrees budget for the coming year\n\n"
            "The council agreed its budget on Tuesday night after a debate of four hours, with "
            "savings in parks and libraries and more money for social care.\n\n"
            "The leader said the choices had been hard but that the books now balanced.\n")
    result = cleaner.clean(dump)
    assert result.title == "Council agrees budget for the coming year"
    assert (result.author, result.date, result.sitename) == (None, None, None)
    assert result.language == "en"


def test_metadata_survives_site_stats_in_a_batch(tmp_path):
    """With site stats the cues are dropped before labelling: the headline candidates are
    line numbers, read when the page was."""
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.html").write_bytes(JSONLD_PAGE.read_bytes())
    out = tmp_path / "out.jsonl"
    assert invoke("clean", folder, "--format", "jsonl", "-o", out).exit_code == 0
    found = records(out)
    assert [r["title"] for r in found] == [FERRY] * 3
    assert {r["author"] for r in found} == {"Aled Pritchard"}


def test_a_failed_page_has_every_field_null():
    failed = Result.failed("x", "x.html", None, "binary content")
    assert all(value is None for value in failed.metadata().values())
    record = failed.as_record(with_lines=False)
    assert all(record[name] is None for name in METADATA_FIELDS)


def test_broken_json_ld_costs_nothing_but_itself(cleaner):
    html = JSONLD_PAGE.read_text(encoding="utf-8").replace('"@graph": [', '"@graph": [[[', 1)
    result = cleaner.clean(html, url="https://portlake-gazette.example/x")
    assert FERRY in result.text
    assert result.title == FERRY  # from og:title and the kept <h1>
    assert result.author == "Aled Pritchard"  # from the byline line
    assert result.date == "2025-11-18"  # from the <time> line


# --- the CLI ----------------------------------------------------------------------------

def test_jsonl_records_always_carry_the_fields(tmp_path):
    out = tmp_path / "out.jsonl"
    result = invoke("clean", EXAMPLE_HTML, EXAMPLE_DUMP, "--format", "jsonl", "-o", out)
    assert result.exit_code == 0
    html, dump = records(out)
    assert all(name in html and name in dump for name in METADATA_FIELDS)
    assert html["sitename"] == "The Wexham Herald" and html["canonical_url"].startswith("https")
    assert dump["sitename"] is None and dump["canonical_url"] is None  # null, not left out
    assert html["title"] == dump["title"]


def test_with_metadata_writes_a_header_before_the_text():
    result = invoke("clean", OG_PAGE, "--with-metadata")
    assert result.exit_code == 0
    header, text = _split_header(result.stdout)
    assert header == {"title": "Stadtrat beschließt neue Radwege am Ring",
                      "author": "Lena Vogt", "date": "2025-06-03",
                      "sitename": "Kurier am Morgen", "language": "de", "url": None,
                      "canonical_url": "https://www.kurier-am-morgen.example/lokales/"
                                       "radwege-am-ring-100.html"}
    assert text.startswith("Stadtrat beschließt neue Radwege am Ring\n")
    assert "Impressum" not in text


def test_with_metadata_heads_every_file_of_a_folder_output(tmp_path):
    pages, out = tmp_path / "pages", tmp_path / "out"
    pages.mkdir()
    (pages / "page.html").write_bytes(EXAMPLE_HTML.read_bytes())
    (pages / "dump.txt").write_bytes(EXAMPLE_DUMP.read_bytes())
    result = invoke("clean", pages, "-o", out, "--with-metadata")
    assert result.exit_code == 0
    files = sorted(out.rglob("*.txt"))
    assert len(files) == 2
    for path in files:
        header, text = _split_header(path.read_text(encoding="utf-8"))
        assert header["title"].startswith("Wexham library reopens") and text.strip()


def test_text_output_has_no_header_without_the_flag():
    result = invoke("clean", OG_PAGE)
    assert result.exit_code == 0 and not result.stdout.startswith("---")


def _split_header(output: str) -> tuple[dict, str]:
    """The `---` header's fields (each value is JSON) and the text after it."""
    lines = output.split("\n")
    assert lines[0] == "---"
    end = lines.index("---", 1)
    fields = {}
    for row in lines[1:end]:
        name, _, value = row.partition(": ")
        fields[name] = json.loads(value)
    assert list(fields) == list(METADATA_FIELDS)
    return fields, "\n".join(lines[end + 1:])


# --- the parts ---------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "day"), [
    ("2025-08-14T09:30:00+01:00", "2025-08-14"),
    ("2025/08/14", "2025-08-14"),
    ("20250814", "2025-08-14"),
    ("Thu, 14 Aug 2025 09:30:00 GMT", "2025-08-14"),
    ("Published August 14, 2025 at 9:30", "2025-08-14"),
    ("14th of August 2025", "2025-08-14"),
    ("Sept. 3rd, 2024", "2024-09-03"),
    ("14.08.2025", "2025-08-14"),
    ("1755163800", "2025-08-14"),  # seconds since 1970
    ("03/04/2025", None),  # March 4 or 3 April: not guessed
    ("31/12/2025", "2025-12-31"),
    ("1066-10-14", None),  # before the web
    ("2025-02-30", None),  # no such day
    ("call 2025 11 12", None),
    ("", None),
])
def test_iso_day(value, day):
    assert iso_day(value) == day


@pytest.mark.parametrize(("line", "names"), [
    ("By Jane Doe", "Jane Doe"),
    ("By Jane Doe and John Roe | 3 March 2025", "Jane Doe, John Roe"),
    ("By Helen Marsh, Local Democracy Reporter", "Helen Marsh"),
    ("Written by Jan van der Berg", "Jan van der Berg"),
    ("Author: Ana Lima", "Ana Lima"),
    ("By: MixmasterFred in Woodworking", "MixmasterFred"),
    ("By the time we arrived, the hall was full.", None),  # a sentence
    ("Sort by: Newest", None),
    ("Jane Doe", None),  # a bare name only counts in an element named author or byline
])
def test_byline_author(line, names):
    assert byline_author(line) == names


def test_a_bare_name_counts_in_a_byline_element_only_when_it_is_most_of_the_line():
    assert byline_author("Jane Doe", named=True) == "Jane Doe"
    assert byline_author("Jane Doe · 5 min read", named=True) == "Jane Doe"
    assert byline_author("Skip to content", named=True) is None
    assert byline_author("Nov 08, 2025 7 min read", named=True) is None


@pytest.mark.parametrize(("value", "author"), [
    ("https://www.facebook.com/somepaper", None),
    ("andrew.keaveney", None),  # a CMS login
    ("desk@paper.example", None),
    ("By Jane Doe", "Jane Doe"),
    ("paulb203", "paulb203"),  # a forum's user name
])
def test_clean_author(value, author):
    assert clean_author(value) == author


def test_titles_lose_the_site_name():
    host = "motley-fool.example"
    assert without_site_name("Best Cloud Stocks of 2025 | The Motley Fool", ["The Motley Fool"],
                             host) == "Best Cloud Stocks of 2025"
    assert without_site_name("Move.org - Best Movers 2026", [], "move.org") == "Best Movers 2026"
    # A dash inside the title is no separator; a site name not known stays.
    assert without_site_name("Covid-19: what changes", [], None) == "Covid-19: what changes"
    assert site_part("Lights go out | Town Echo", "town-echo.example") == "Town Echo"
    assert site_part("Lights go out | Town Echo", None) is None


def test_the_kept_headline_wins_where_it_agrees_with_the_stated_title():
    stated = "Best Cloud Stocks of 2025: Our Top Picks"
    assert chosen_title("Best Cloud Stocks of 2025", stated,
                        "Best Cloud Stocks of 2025") == "Best Cloud Stocks of 2025"
    assert chosen_title("Best Cloud Stocks of 2025", stated, "Investing") == (
        "Best Cloud Stocks of 2025")  # a headline that is another text
    assert chosen_title(None, None, "A headline") == "A headline"


def test_json_ld_authors_by_id_and_organisations_apart():
    html = """<script type="application/ld+json">[
      {"@type": "BlogPosting", "headline": "H", "author": {"@type": "Organization",
       "name": "Acme"}, "datePublished": "2025-01-02"},
      {"@type": "WebSite", "name": "Acme Blog"}]</script>"""
    found = jsonld_fields(LexborHTMLParser(html))
    assert found == {"title": "H", "organization_author": "Acme", "date": "2025-01-02",
                     "sitename": "Acme Blog"}


def test_an_organisation_author_gives_way_to_the_byline(cleaner):
    html = """<html><head><script type="application/ld+json">{"@type": "Article",
      "headline": "How we cut our build times in half", "author": {"@type": "Organization",
      "name": "Acme"}}</script></head><body><h1>How we cut our build times in half</h1>
      <p class="author">By Priya Raman</p>
      <p>Our builds took forty minutes last spring. This is how we got them under twenty
      without buying a single new machine, and what we would do differently next time.</p>
      <p>The first step was to measure where the time went, step by step, on every branch,
      for two weeks, before changing anything at all in the pipeline.</p></body></html>"""
    assert cleaner.clean(html).author == "Priya Raman"


@pytest.mark.parametrize(("text", "code"), [
    ("The council agreed its budget on Tuesday night after a debate of four hours.", "en"),
    ("Der Stadtrat hat am Dienstagabend mit großer Mehrheit neue Radwege beschlossen.", "de"),
    ("Le conseil municipal a adopté mardi soir le budget après quatre heures de débat.", "fr"),
    ("Городской совет во вторник вечером утвердил бюджет после четырёх часов споров.", "ru"),
    ("Too short.", None),
])
def test_detect_language(text, code):
    assert detect_language(text) == code


def test_read_html_keeps_what_the_markup_states():
    page = read_html(JSONLD_PAGE.read_bytes(), url="https://portlake-gazette.example/a")
    assert page.stated is not None and page.stated.author == "Aled Pritchard"
    assert [page.lines[i] for i in page.stated.headlines] == [FERRY]
    assert read_html(JSONLD_PAGE.read_bytes(), cues=False).stated is None  # lines only
