"""The review page's local web server: the standard library's, no framework.

`http.server.ThreadingHTTPServer` is enough for one person's browser on the
same machine, and adds no dependency to cleaner. What keeps it safe:

- it listens on 127.0.0.1 unless told otherwise, and there answers only
  requests whose Host is the address it listens on (a web page elsewhere cannot
  reach it through a DNS name of its own);
- every request that changes a file (POST) carries the run's token, a random
  string made at start and given only inside the index page, in the
  X-Review-Token header, compared in constant time;
- the browser names pages by their index in the server's own list and static
  files by a fixed set of names: no path it sends reaches the file system;
- the page's own HTML is served with scripts removed and a Content-Security-Policy
  that lets nothing run or load, and is shown in an iframe sandboxed without
  allow-scripts.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import re
import secrets
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import urlsplit

from cleaner.review import DEFAULT_HOST, DEFAULT_PORT
from cleaner.review.pages import OutsideFolders, Workspace
from cleaner.review.training import TrainJob

log = logging.getLogger(__name__)

TOKEN_HEADER = "X-Review-Token"
MAX_BODY = 32 * 1024 * 1024  # a save of a page of 100,000 lines fits many times over
STATIC = {"review.js": "text/javascript", "review.css": "text/css"}
# The review page itself: its own script and style only, never framed elsewhere.
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; "
               "connect-src 'self'; frame-src 'self'; img-src 'self' data:; "
               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
# The shown copy of a crawled page: its inline styles and data images, nothing else.
SHOWN_POLICY = ("default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; "
                "img-src data:; font-src 'none'; frame-src 'none'; form-action 'none'; "
                "base-uri 'none'; frame-ancestors 'self'; sandbox allow-same-origin")
PAGE_PATH = re.compile(r"/api/pages/(\d{1,9})")
SHOWN_PATH = re.compile(r"/shown/(\d{1,9})\.html")


class ReviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, workspace: Workspace, job: TrainJob, host: str = DEFAULT_HOST,
                 port: int = DEFAULT_PORT, token: str | None = None) -> None:
        self.workspace = workspace
        self.job = job
        self.token = token or secrets.token_urlsafe(32)
        super().__init__((host, port), ReviewHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def allowed_hosts(self) -> set[str] | None:
        """The Host headers it answers: on a loopback address, its own names only (a web
        page elsewhere cannot reach it by a DNS name that points here); None, any,
        where --host opened it to other machines, which name it as they know it."""
        host, port = self.server_address[:2]
        if not is_loopback(host):
            return None
        names = {host, f"[{host}]", "localhost", "127.0.0.1", "[::1]"}
        return {f"{name}:{port}" for name in names}


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: this machine only."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class ReviewHandler(BaseHTTPRequestHandler):
    server: ReviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base's name
        log.debug("%s " + format, self.address_string(), *args)

    # --- routing ----------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._answering(self._get)

    def do_POST(self) -> None:  # noqa: N802
        self._answering(self._post)

    def do_PUT(self) -> None:  # noqa: N802 - nothing is PUT: refused like a bad POST
        self._answering(self._post)

    def _answering(self, handle) -> None:
        """An unexpected error as a 500 with its reason, never a dropped connection."""
        try:
            handle()
        except Exception as error:  # the server goes on; the page shows the reason
            log.warning("%s %s: %s", self.command, self.path, error, exc_info=True)
            self.close_connection = True  # a body may be left unread
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, f"{type(error).__name__}: {error}")

    def _get(self) -> None:
        if not self._host_allowed():
            return
        path = urlsplit(self.path).path
        if path == "/":
            return self._index()
        if path.startswith("/static/") and path[len("/static/"):] in STATIC:
            return self._static(path[len("/static/"):])
        if path == "/favicon.ico":  # asked for by every browser: none, rather than a 404 logged
            return self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
        if path == "/api/pages":
            return self._json(self.server.workspace.summary())
        if path == "/api/train":
            return self._json(vars(self.server.job.status))
        if match := PAGE_PATH.fullmatch(path):
            return self._with_page(int(match[1]), self._page_view)
        if match := SHOWN_PATH.fullmatch(path):
            return self._with_page(int(match[1]), self._shown)
        self._error(HTTPStatus.NOT_FOUND, "no such page")

    def _post(self) -> None:
        if not self._host_allowed():
            return
        if not self._token_ok():
            self._drain()
            return self._error(HTTPStatus.FORBIDDEN, f"missing or wrong {TOKEN_HEADER}")
        path = urlsplit(self.path).path
        if path == "/api/train":
            self._drain()
            started = self.server.job.start()
            return self._json({"started": started, **vars(self.server.job.status)})
        if match := PAGE_PATH.fullmatch(path):
            return self._with_page(int(match[1]), self._save)
        self._drain()
        self._error(HTTPStatus.NOT_FOUND, "no such page")

    # --- checks -----------------------------------------------------------------------

    def _host_allowed(self) -> bool:
        allowed = self.server.allowed_hosts()
        if allowed is None or self.headers.get("Host", "") in allowed:
            return True
        self._error(HTTPStatus.BAD_REQUEST, "unexpected Host header")
        return False

    def _token_ok(self) -> bool:
        sent = self.headers.get(TOKEN_HEADER, "")
        return hmac.compare_digest(sent.encode(), self.server.token.encode())

    def _with_page(self, index: int, action) -> None:
        try:
            self.server.workspace.page(index)
        except KeyError:
            self._drain()
            return self._error(HTTPStatus.NOT_FOUND, "no such page")
        try:
            action(index)
        except OutsideFolders:
            self._error(HTTPStatus.NOT_FOUND, "no such page")

    # --- answers ----------------------------------------------------------------------

    def _index(self) -> None:
        page = resources.files("cleaner.review").joinpath("static/index.html").read_text(
            encoding="utf-8")
        page = page.replace("{{token}}", self.server.token)
        self._send(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8",
                   {"Content-Security-Policy": PAGE_POLICY})

    def _static(self, name: str) -> None:
        data = resources.files("cleaner.review").joinpath(f"static/{name}").read_bytes()
        self._send(HTTPStatus.OK, data, f"{STATIC[name]}; charset=utf-8")

    def _page_view(self, index: int) -> None:
        self._json(self.server.workspace.view(index))

    def _shown(self, index: int) -> None:
        marked = self.server.workspace.marked(index)
        if marked is None:
            return self._error(HTTPStatus.NOT_FOUND, "no HTML for this page")
        self._send(HTTPStatus.OK, marked.html.encode(), "text/html; charset=utf-8",
                   {"Content-Security-Policy": SHOWN_POLICY})

    def _save(self, index: int) -> None:
        try:
            body = json.loads(self._body())
            done = self.server.workspace.save(index, body.get("labels"),
                                              body.get("unsure", []), body.get("check", False))
        except (ValueError, AttributeError) as error:  # JSON or labels that do not fit
            return self._error(HTTPStatus.BAD_REQUEST, str(error))
        self._json(done)

    def _body(self) -> bytes:
        length = self._length()
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True  # its body is not read: the stream is out of step
            raise ValueError("request body too large or of no stated length")
        return self.rfile.read(length)

    def _drain(self) -> None:
        """Read an unused body, so the connection stays in step (or close it)."""
        length = self._length()
        if 0 < length <= MAX_BODY:
            self.rfile.read(length)
        elif length:
            self.close_connection = True

    def _length(self) -> int:
        try:
            return int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return -1

    def _json(self, value) -> None:
        self._send(HTTPStatus.OK, json.dumps(value, ensure_ascii=False).encode(),
                   "application/json; charset=utf-8")

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._send(status, json.dumps({"error": message}).encode(),
                   "application/json; charset=utf-8")

    def _send(self, status: HTTPStatus, data: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
