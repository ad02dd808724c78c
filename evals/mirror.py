"""A real loopback HTTP server standing in for files.ofsted.gov.uk (used by tests/test_fetch.py and `sendqa bench`):
it serves the ../shared/reports PDFs at /v1/file/<id> for the ids in the bundled table (mapped by urn), with ETag and
Last-Modified, and the faults a download can meet, chosen per file id."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LAST_MODIFIED = "Tue, 04 Feb 2025 09:00:00 GMT"


@dataclass
class Mirror:
    files: dict[str, Path]  # file id -> PDF served
    faults: dict[str, str] = field(default_factory=dict)  # file id -> 404 | 500-once | slow | truncated | html | redirect
    ignore_conditional: bool = False  # a server that always sends 200
    slow_s: float = 3.0
    requests: list[tuple[str, dict]] = field(default_factory=list)  # (path, headers) of every request
    _failed_once: set = field(default_factory=set)

    def start(self) -> "Mirror":
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet in test output
                pass

            def do_GET(self):
                mirror.requests.append((self.path, dict(self.headers)))
                try:
                    mirror.handle(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout under test): nothing to answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path
        if path.startswith("/files/"):  # where a redirect points
            file_id = path.removeprefix("/files/").removesuffix(".pdf")
            return self._send_pdf(request, file_id)
        if not path.startswith("/v1/file/"):
            return self._send(request, 404, b"not found", "text/plain")
        file_id = path.removeprefix("/v1/file/")
        fault = self.faults.get(file_id)
        if fault == "404" or file_id not in self.files:
            return self._send(request, 404, b"<html>Not found</html>", "text/html")
        if fault == "500-once" and file_id not in self._failed_once:
            self._failed_once.add(file_id)
            return self._send(request, 500, b"server error", "text/plain")
        if fault == "slow":
            time.sleep(self.slow_s)
        if fault == "html":
            return self._send(request, 200, b"<!doctype html><html><body>Maintenance</body></html>", "text/html")
        if fault == "redirect":
            request.send_response(302)
            request.send_header("Location", f"/files/{file_id}.pdf")
            request.send_header("Content-Length", "0")
            request.end_headers()
            return None
        if fault == "truncated":
            body = self.files[file_id].read_bytes()
            request.send_response(200)
            request.send_header("Content-Type", "application/pdf")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body[: len(body) // 2])
            request.wfile.flush()
            request.close_connection = True
            return None
        return self._send_pdf(request, file_id)

    def _send_pdf(self, request, file_id: str) -> None:
        body = self.files[file_id].read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if not self.ignore_conditional and (request.headers.get("If-None-Match") == etag
                                            or request.headers.get("If-Modified-Since") == LAST_MODIFIED):
            request.send_response(304)
            request.send_header("ETag", etag)
            request.end_headers()
            return
        self._send(request, 200, body, "application/pdf", {"ETag": etag, "Last-Modified": LAST_MODIFIED})

    @staticmethod
    def _send(request, status: int, body: bytes, kind: str, headers: dict | None = None) -> None:
        request.send_response(status)
        request.send_header("Content-Type", kind)
        request.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(body)


def mirror_of(reports: Path, settings) -> Mirror:
    """The mirror for the bundled table's links: each id serves the shared PDF whose name starts with its urn."""
    from ingest.fetch import report_links

    by_urn = {p.name.split("_", 1)[0]: p for p in reports.glob("*.pdf")}
    files = {link.url.rsplit("/", 1)[1]: by_urn[link.urn] for link in report_links(settings) if link.urn in by_urn}
    return Mirror(files)
