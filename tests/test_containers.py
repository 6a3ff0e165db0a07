"""JSONL, WARC and WET containers: each record a page, broken records named, cuts caught."""

import gzip
import json
import uuid
import zlib
from collections import Counter
from pathlib import Path

from conftest import invoke
from conftest import records as read_records

from cleaner.readers.warc import dechunk, iter_warc

NEWS_HTML = Path(__file__).parent / "data" / "news_article.html"


def warc_record(kind: str, url: str, block: bytes, content_type: str) -> bytes:
    """One WARC/1.0 record, as crawlers write it."""
    headers = (f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {url}\r\n"
               f"WARC-Record-ID: <urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, kind + url)}>\r\n"
               f"Content-Type: {content_type}\r\nContent-Length: {len(block)}\r\n\r\n")
    return headers.encode() + block + b"\r\n\r\n"


def http_response(body: bytes, content_type: str = "text/html; charset=utf-8",
                  encoding: str | None = None) -> bytes:
    coded = f"Content-Encoding: {encoding}\r\n" if encoding else ""
    return (f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{coded}"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def crawl_records(seed_files) -> list[bytes]:
    """What a crawl of two news pages leaves: requests, responses, metadata, an image."""
    html = NEWS_HTML.read_bytes()
    request = b"GET /a HTTP/1.1\r\nHost: news.example\r\n\r\n"
    return [
        warc_record("warcinfo", "", b"software: test\r\n", "application/warc-fields"),
        warc_record("request", "https://news.example/a", request, "application/http"),
        warc_record("response", "https://news.example/a", http_response(html),
                    "application/http; msgtype=response"),
        warc_record("metadata", "https://news.example/a", b"fetchTimeMs: 12\r\n",
                    "application/warc-fields"),
        warc_record("response", "https://news.example/logo.png",
                    http_response(b"\x89PNG\r\n\x1a\n" + bytes(300), "image/png"),
                    "application/http; msgtype=response"),
        warc_record("response", "https://news.example/b",
                    http_response(html.replace(b"<title>", b"<title>B ")),
                    "application/http; msgtype=response"),
    ]


def write_warc(path: Path, records: list[bytes], gzipped: bool) -> Path:
    # Gzipped WARCs hold one gzip member per record, so readers can seek to any record.
    data = b"".join(gzip.compress(r) if gzipped else r for r in records)
    path.write_bytes(data)
    return path



def test_warc_responses_become_pages_and_other_records_are_counted(seed_files, tmp_path):
    for gzipped in (False, True):
        warc = write_warc(tmp_path / f"crawl{gzipped}.warc{'.gz' if gzipped else ''}",
                          crawl_records(seed_files), gzipped)
        out = tmp_path / f"out{gzipped}.jsonl"
        result = invoke("clean", warc, "--format", "jsonl", "-o", out)
        assert result.exit_code == 0, result.output
        records = read_records(out)
        assert [r["url"] for r in records] == ["https://news.example/a", "https://news.example/b"]
        assert all(r["source"].startswith(f"{warc}@") and "error" not in r for r in records)
        assert "Councillors in Port Averley voted" in records[0]["text"]
        assert ("4 records skipped (1 metadata, 1 non-HTML response, 1 request, 1 warcinfo)"
                in result.stderr)


def test_warc_text_output_goes_to_a_folder_named_after_the_container(seed_files, tmp_path):
    folder = tmp_path / "crawls"
    folder.mkdir()
    write_warc(folder / "CC-MAIN-001.warc.gz", crawl_records(seed_files), gzipped=True)
    result = invoke("clean", folder, "-o", tmp_path / "out")
    assert result.exit_code == 0
    written = sorted((tmp_path / "out" / "CC-MAIN-001").glob("*.txt"))
    assert len(written) == 2 and all(p.read_text().strip() for p in written)


def test_wet_conversion_records_are_text_pages(seed_files, tmp_path):
    records = [warc_record("conversion", f"https://news.example/{p.stem}", p.read_bytes(),
                           "text/plain") for p in seed_files]
    wet = write_warc(tmp_path / "crawl.warc.wet.gz", records, gzipped=True)
    out = tmp_path / "out.jsonl"
    assert invoke("clean", wet, "--format", "jsonl", "-o", out).exit_code == 0
    from_wet = read_records(out)
    direct = [json.loads(invoke("clean", p, "--format", "jsonl").stdout) for p in seed_files]
    assert [r["text"] for r in from_wet] == [r["text"] for r in direct]
    assert from_wet[0]["url"] == f"https://news.example/{seed_files[0].stem}"


def test_warc_cut_mid_record_gives_the_good_records_and_one_error(seed_files, tmp_path):
    records = crawl_records(seed_files)
    data = write_warc(tmp_path / "whole.warc.gz", records, gzipped=True).read_bytes()
    last = len(gzip.compress(records[-1]))  # the second page's record, the file's last
    # Cut in its WARC headers, in its HTML, and in the gzip trailer of its last member.
    for cut in (len(data) - last + 30, len(data) - last // 2, len(data) - 3):
        cut_file = tmp_path / f"cut{cut}.warc.gz"
        cut_file.write_bytes(data[:cut])
        out = tmp_path / f"cut{cut}.jsonl"
        result = invoke("clean", cut_file, "--format", "jsonl", "-o", out)
        assert result.exit_code == 1
        records = read_records(out)
        urls = [r["url"] for r in records[:-1]]  # page b is whole when only the trailer is cut
        assert urls == ["https://news.example/a", "https://news.example/b"][: len(urls)]
        assert urls[0] == "https://news.example/a" and "error" not in records[0]
        assert records[-1]["source"].startswith(f"{cut_file}@") and records[-1]["error"]
        assert "Traceback" not in result.output


def test_warc_on_stdin_and_a_cut_pipe(seed_files, tmp_path):
    data = write_warc(tmp_path / "c.warc.gz", crawl_records(seed_files), True).read_bytes()
    whole = invoke("clean", "-", "--format", "jsonl", input=data)
    assert whole.exit_code == 0
    assert [json.loads(line)["source"].split("@")[0] for line in whole.stdout.splitlines()] == [
        "<stdin>", "<stdin>"]
    cut = invoke("clean", "-", "--format", "jsonl", input=data[:-700])
    lines = [json.loads(line) for line in cut.stdout.splitlines()]
    assert cut.exit_code == 1 and len(lines) == 2 and "error" in lines[-1]


def test_chunked_http_bodies_are_joined():
    assert dechunk(b"5\r\nHello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n") == b"Hello, world"
    assert dechunk(b"<html>not chunked</html>") == b"<html>not chunked</html>"


def test_iter_warc_counts_every_skipped_kind(seed_files, tmp_path):
    warc = write_warc(tmp_path / "c.warc", crawl_records(seed_files), gzipped=False)
    skipped = Counter()
    with warc.open("rb") as stream:
        pages = list(iter_warc(stream, skipped, seekable=True))
    assert [p.kind for p in pages] == ["html", "html"]
    assert skipped == Counter({"warcinfo": 1, "request": 1, "metadata": 1,
                               "non-HTML response": 1})


def test_warc_http_charset_decodes_the_page_before_its_meta(tmp_path):
    # Too little Cyrillic for detection to read: only the record's header tells.
    body = "<html><body><p>Новости дня: да.</p></body></html>".encode("koi8-r")
    lying = b'<meta charset="windows-1251">' + body  # HTTP comes before <meta>
    records = [warc_record("response", f"https://news.example/{name}",
                           http_response(page, "text/html; charset=KOI8-R"),
                           "application/http; msgtype=response")
               for name, page in (("plain", body), ("lying-meta", lying))]
    warc = write_warc(tmp_path / "ru.warc", records, gzipped=False)
    skipped = Counter()
    with warc.open("rb") as stream:
        entries = list(iter_warc(stream, skipped, seekable=True))
    assert [entry.content_type for entry in entries] == ["text/html; charset=KOI8-R"] * 2
    out = tmp_path / "out.jsonl"
    assert invoke("clean", warc, "--format", "jsonl", "--keep", "body,nav,related,comment",
                  "-o", out).exit_code == 0
    assert [r["text"] for r in read_records(out)] == ["Новости дня: да."] * 2


def write_jsonl(path: Path, seed_files, *, gzipped=False, cut=0) -> Path:
    rows = [json.dumps({"id": p.stem, "url": f"https://n.example/{p.stem}",
                        "text": p.read_text()}) for p in seed_files[:3]]
    rows.insert(1, '{"id": "broken", "text": ')  # a line cut by a crashed exporter
    rows.append(json.dumps({"id": "html-page", "html": NEWS_HTML.read_text()}))
    rows.append(json.dumps({"id": "empty-record"}))
    data = ("\n".join(rows) + "\n").encode()
    data = gzip.compress(data) if gzipped else data
    path.write_bytes(data[: len(data) - cut])
    return path


def test_jsonl_pages_in_order_with_broken_lines_named(seed_files, tmp_path):
    jsonl = write_jsonl(tmp_path / "export.jsonl", seed_files)
    out = tmp_path / "out.jsonl"
    result = invoke("clean", jsonl, "--format", "jsonl", "-o", out)
    assert result.exit_code == 1
    records = read_records(out)
    assert [r["id"] for r in records] == [seed_files[0].stem, "line-2", seed_files[1].stem,
                                          seed_files[2].stem, "html-page", "empty-record"]
    assert [bool(r.get("error")) for r in records] == [False, True, False, False, False, True]
    assert records[1]["source"] == f"{jsonl}:2" and f"{jsonl}:2: not a JSON line" in (
        result.stderr)
    assert records[0]["url"] == f"https://n.example/{seed_files[0].stem}"
    assert records[4]["text"] and records[0]["text"]


def test_jsonl_field_names_are_options(seed_files, tmp_path):
    jsonl = tmp_path / "pages.ndjson"
    jsonl.write_text(json.dumps({"doc_id": "a1", "link": "https://x.example/1",
                                 "body": seed_files[0].read_text()}) + "\n")
    result = invoke("clean", jsonl, "--format", "jsonl", "--id-field", "doc_id",
                    "--url-field", "link", "--text-field", "body")
    record = json.loads(result.stdout)
    assert (record["id"], record["url"]) == ("a1", "https://x.example/1")
    assert "Putin" in record["text"]


def test_gzipped_jsonl_cut_short_gives_one_error_for_the_break(seed_files, tmp_path):
    whole = write_jsonl(tmp_path / "whole.jsonl.gz", seed_files, gzipped=True)
    cut = write_jsonl(tmp_path / "cut.jsonl.gz", seed_files, gzipped=True, cut=100)
    whole_records = read_records(_clean_to_jsonl(whole, tmp_path))
    cut_records = read_records(_clean_to_jsonl(cut, tmp_path))
    assert cut_records[:-1] == [dict(r, source=r["source"].replace("whole", "cut"))
                                for r in whole_records[: len(cut_records) - 1]]
    assert "truncated gzip data" in cut_records[-1]["error"]


def _clean_to_jsonl(path: Path, tmp_path: Path) -> Path:
    out = tmp_path / (path.name + ".out.jsonl")
    invoke("clean", path, "--format", "jsonl", "-o", out)
    return out


# --- compressed HTTP bodies: Content-Encoding br, gzip, deflate --------------------------

def compressed_response(url: str, body: bytes, encoding: str) -> bytes:
    return warc_record("response", url, http_response(body, encoding=encoding),
                       "application/http; msgtype=response")


def test_compressed_bodies_are_decoded_and_broken_ones_are_error_records(tmp_path):
    """Servers compress HTML, most with brotli: each body is decoded as its header says;
    one cut short or not what its header says is an error record naming the page, and
    the batch goes on to the next record."""
    import brotli

    html = NEWS_HTML.read_bytes()
    bodies = {
        "br": (brotli.compress(html), "br"),
        "gzip": (gzip.compress(html), "gzip"),
        "deflate": (zlib.compress(html), "deflate"),
        "raw-deflate": (zlib.compress(html)[2:-4], "deflate"),  # what some servers send
        "gzip-then-br": (brotli.compress(gzip.compress(html)), "gzip, br"),
        "cut-gzip": (gzip.compress(html)[:400], "gzip"),
        "cut-br": (brotli.compress(html)[:300], "br"),
        "not-br": (b"\x1b\xff\xfe not brotli at all " * 20, "br"),
        "stored-decoded": (html, "gzip"),  # a WARC writer that decoded it, kept the header
        "after": (html, None),
    }
    warc = write_warc(tmp_path / "crawl.warc.gz", [
        compressed_response(f"https://news.example/{name}", body, encoding)
        for name, (body, encoding) in bodies.items()], gzipped=True)
    out = tmp_path / "out.jsonl"
    result = invoke("clean", warc, "--format", "jsonl", "-o", out)
    assert result.exit_code == 1  # three pages failed, the others are cleaned
    records = {r["url"].rsplit("/", 1)[1]: r for r in read_records(out)}
    assert list(records) == list(bodies)
    for name in ("br", "gzip", "deflate", "raw-deflate", "gzip-then-br", "stored-decoded",
                 "after"):
        assert "error" not in records[name], (name, records[name])
        assert "Councillors in Port Averley voted" in records[name]["text"], name
    assert records["cut-gzip"]["error"] == "Content-Encoding gzip: body cut short"
    assert records["cut-br"]["error"] == "Content-Encoding br: body cut short"
    assert records["not-br"]["error"].startswith("Content-Encoding br: body cannot be decoded")
    for name in ("cut-gzip", "cut-br", "not-br"):
        record = records[name]
        assert record["source"].startswith(f"{warc}@") and record["id"]
        assert f"cleaner: {record['source']}: {record['error']}" in result.stderr


def test_a_compressed_body_is_decoded_no_further_than_the_page_size_limit(tmp_path):
    bomb = gzip.compress(b"<p>" + b" " * 5_000_000)  # 5 MB of HTML in a few KB
    warc = write_warc(tmp_path / "bomb.warc",
                      [compressed_response("https://news.example/bomb", bomb, "gzip")],
                      gzipped=False)
    out = tmp_path / "out.jsonl"
    result = invoke("clean", warc, "--format", "jsonl", "--max-bytes", 100_000, "-o", out)
    assert result.exit_code == 1
    (record,) = read_records(out)
    assert record["error"] == "page too large (over the 100,000 bytes limit, decoded)"
