"""`sendqa fetch`: the published area SEND inspection reports, downloaded from the links in the bundled
2023-framework table (corpus/data/area_send_2023_framework_overview.xlsx) and ingested like any other file.

Politeness and safety, in the order a download meets them:
- one request at a time, a pause between requests, a User-Agent naming sendqa and its version;
- a conditional request (If-None-Match / If-Modified-Since from the last download), so an unchanged report costs a
  304; where a server ignores those, the checksum keeps an unchanged file from being ingested again;
- timeouts, and retries with backoff on 429, 5xx and dropped connections;
- a download is kept only when it is whole and a PDF (its magic bytes, its declared length, its end-of-file marker):
  it is written beside its final name and renamed into place, so nothing half-downloaded is ever ingested;
- provenance (URL, date fetched, sha256, ETag, Last-Modified) goes into `reports/manifest.json`, which the ordinary
  ingest reads into the document table.
An interrupted `--all` leaves `reports/.fetch-pending.json` (the links it had not tried yet); the next `--all`
fetches only those. A run that gets to the end clears it, failures included: they are in its summary.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urlsplit

import httpx

from ingest.manifest import MANIFEST_NAME
from sendqa.errors import SendQAError

TABLE_NAME = "area_send_2023_framework_overview.xlsx"
PENDING_NAME = ".fetch-pending.json"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_MAX_RETRY_AFTER_S = 30.0


@dataclass(frozen=True)
class ReportLink:
    """One row of the table: the area, its report's urn and the official link to the PDF."""

    urn: str
    area: str
    url: str  # as published: https://files.ofsted.gov.uk/v1/file/<id>

    @property
    def file_name(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "_", self.area.lower()).strip("_")
        return f"{self.urn}_{slug}.pdf"

    def url_at(self, base_url: str | None) -> str:
        """The link on a mirror: the same path under another scheme and host."""
        if not base_url:
            return self.url
        parts = urlsplit(self.url)
        return base_url.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class FetchOutcome:
    link: ReportLink
    status: str  # fetched | unchanged | failed
    reason: str = ""


@dataclass
class FetchReport:
    outcomes: list[FetchOutcome] = field(default_factory=list)
    ingest_summary: str = ""
    resumed: int = 0  # links left over from an interrupted --all

    def of(self, status: str) -> list[FetchOutcome]:
        return [o for o in self.outcomes if o.status == status]

    def summary(self) -> str:
        line = (f"{len(self.of('fetched'))} fetched, {len(self.of('unchanged'))} unchanged, "
                f"{len(self.of('failed'))} failed")
        return line + (f"; ingest: {self.ingest_summary}" if self.ingest_summary else "")


def report_links(settings) -> list[ReportLink]:
    """Every row of the bundled table that links to a published report."""
    from ingest.statistics_tables import display_area
    import pandas as pd

    path = Path(settings.corpus_dir) / "data" / TABLE_NAME
    if not path.exists():
        raise SendQAError(f"{path}: the bundled 2023-framework table is missing, so no report links are known")
    rows = pd.read_excel(path, dtype=object).to_dict("records")
    links = []
    for row in rows:
        url, urn = str(row.get("inspection_link") or "").strip(), str(row.get("urn") or "").strip()
        if url.startswith(("http://", "https://")) and urn:
            links.append(ReportLink(urn=urn, area=display_area(str(row["local_authority"])), url=url))
    return links


def links_for(names: Iterable[str], links: list[ReportLink]) -> tuple[list[ReportLink], list[str]]:
    """The links of the areas named, read as any question's places are ("herts", "B&H"); and the names that match
    no row."""
    from rag.areas import area_key, find_areas

    by_key = {area_key(link.area): link for link in links}
    chosen: list[ReportLink] = []
    unmatched: list[str] = []
    for name in names:
        match = find_areas(name.title(), [link.area for link in links])  # each argument is a place: "bury" is Bury
        found = [by_key[area_key(a)] for a in match.in_corpus if area_key(a) in by_key]
        if not found:
            unmatched.append(name)
        chosen += [link for link in found if link not in chosen]
    return chosen, unmatched


def user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        mine = version("sendqa")
    except PackageNotFoundError:
        mine = "dev"
    return f"sendqa/{mine} (area SEND inspection reports for offline question answering)"


class ReportFetcher:
    """Downloads reports into `$SENDQA_HOME/reports` and ingests the new and changed ones."""

    def __init__(self, settings, base_url: str | None = None, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.options = settings.fetch
        self.base_url = base_url or self.options.base_url
        self.folder = settings.home_dir / "reports"
        self._sleep = sleep
        self._retry_after: str | None = None  # the last 429's Retry-After

    # --- state kept beside the reports ----------------------------------------------------------------------
    def _manifest(self) -> dict[str, dict]:
        path = self.folder / MANIFEST_NAME
        if not path.exists():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            return {}  # a damaged manifest only costs a fresh download
        return {e["file"]: e for e in data.get("documents", []) if isinstance(e, dict) and "file" in e}

    def _write_json(self, name: str, payload: dict) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{name}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.folder / name)

    def _save_manifest(self, entries: dict[str, dict]) -> None:
        self._write_json(MANIFEST_NAME, {
            "about": "Written by `sendqa fetch`: where each report came from. `sendqa ingest` reads it into the "
                     "document table.",
            "documents": sorted(entries.values(), key=lambda e: e["file"])})

    def pending(self) -> list[str]:
        path = self.folder / PENDING_NAME
        try:
            return list(json.loads(path.read_text(encoding="utf-8")).get("urns", []))
        except (OSError, ValueError):
            return []

    def _set_pending(self, urns: list[str]) -> None:
        if urns:
            self._write_json(PENDING_NAME, {"urns": urns})
        else:
            (self.folder / PENDING_NAME).unlink(missing_ok=True)

    # --- fetching -----------------------------------------------------------------------------------------------
    def fetch(self, links: list[ReportLink], resume: bool = False, progress: bool = True,
              on_progress: Callable[[int, int, FetchOutcome], None] | None = None) -> FetchReport:
        """Fetch each link in turn, then ingest what is new. resume: the links are a whole `--all`, so an
        interrupted run's leftovers are fetched first and only."""
        report = FetchReport()
        if resume and (left := set(self.pending())):
            links = [link for link in links if link.urn in left]
            report.resumed = len(links)
        if resume:
            self._set_pending([link.urn for link in links])
        entries = self._manifest()
        changed: list[Path] = []
        bar = _progress_bar(len(links), progress)
        with httpx.Client(headers={"User-Agent": user_agent()}, follow_redirects=True,
                          timeout=httpx.Timeout(self.options.timeout_s)) as client:
            for n, link in enumerate(links):
                if n:
                    self._sleep(self.options.pause_s)
                outcome = self._fetch_one(client, link, entries)
                if outcome.status == "failed" and outcome.reason.startswith("no network") and not any(
                        o.status != "failed" for o in report.outcomes):
                    bar.close()
                    host = urlsplit(link.url_at(self.base_url)).netloc
                    raise SendQAError(f"no network: could not reach {host}; nothing was changed")
                report.outcomes.append(outcome)
                if outcome.status == "fetched":
                    changed.append(self.folder / link.file_name)
                    self._save_manifest(entries)
                if resume:  # attempted: an interrupted run picks up after it (failures are in the summary)
                    self._set_pending([u for u in self.pending() if u != link.urn])
                bar.update(1)
                if on_progress:
                    on_progress(n + 1, len(links), outcome)
        bar.close()
        if changed:
            report.ingest_summary = self._ingest(changed, report, progress)
        if resume:
            self._set_pending([])
        return report

    def _ingest(self, files: list[Path], report: FetchReport, progress: bool) -> str:
        from ingest.pipeline import ingest_paths
        from rag.index import CorpusIndex

        result = ingest_paths(files, CorpusIndex(self.settings), progress=progress)
        for name, why in result.skipped:  # downloaded whole, but not readable as a report
            for outcome in report.outcomes:
                if outcome.link.file_name == name:
                    outcome.status, outcome.reason = "failed", f"not ingested: {why}"
        return result.summary()

    def _fetch_one(self, client: httpx.Client, link: ReportLink, entries: dict[str, dict]) -> FetchOutcome:
        target = self.folder / link.file_name
        known = entries.get(link.file_name, {}) if target.exists() else {}
        headers = {}
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
        url = link.url_at(self.base_url)
        try:
            response, body = self._get(client, url, headers)
        except _Failed as failed:
            return FetchOutcome(link, "failed", str(failed))
        if response.status_code == 304:
            return FetchOutcome(link, "unchanged", "not modified")
        problem = _not_a_whole_pdf(response, body, self.settings.ingest.max_file_mb)
        if problem:
            return FetchOutcome(link, "failed", problem)
        sha = hashlib.sha256(body).hexdigest()
        if known.get("sha256") == sha:
            return FetchOutcome(link, "unchanged", "same checksum")
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
        tmp.write_bytes(body)
        tmp.replace(target)
        entries[link.file_name] = {
            "file": link.file_name, "area": link.area, "kind": "inspection report", "speaker": "Ofsted/CQC",
            "urn": link.urn, "source_url": link.url, "fetched_from": str(response.url),
            "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "sha256": sha,
            "etag": response.headers.get("etag"), "last_modified": response.headers.get("last-modified")}
        return FetchOutcome(link, "fetched")

    def _get(self, client: httpx.Client, url: str, headers: dict) -> tuple[httpx.Response, bytes]:
        """One GET with retries: 429 and 5xx (after Retry-After or a doubling pause), timeouts and dropped
        connections. Raises _Failed with the reason a person should read."""
        limit = int(self.settings.ingest.max_file_mb * 1024 * 1024)
        reason = ""
        for attempt in range(self.options.retries + 1):
            if attempt:
                self._sleep(self._backoff(attempt, reason))
            try:
                with client.stream("GET", url, headers=headers) as response:
                    if response.status_code in RETRY_STATUSES:
                        reason = f"HTTP {response.status_code}"
                        self._retry_after = response.headers.get("retry-after")
                        continue
                    if response.status_code not in (200, 304):
                        raise _Failed(f"HTTP {response.status_code}")
                    chunks, size = [], 0
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > limit:
                            raise _Failed(f"larger than {self.settings.ingest.max_file_mb:g} MB")
                        chunks.append(chunk)
                    return response, b"".join(chunks)
            except httpx.ConnectError as exc:
                reason = f"no network ({exc})" if not attempt or reason.startswith("no network") else str(exc)
            except httpx.TimeoutException:
                reason = f"timed out after {self.options.timeout_s:g} s"
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                reason = f"connection dropped mid-download ({exc})"
        raise _Failed(f"{reason} (after {self.options.retries + 1} tries)")

    def _backoff(self, attempt: int, reason: str) -> float:
        if reason == "HTTP 429" and self._retry_after and self._retry_after.strip().isdigit():
            return min(float(self._retry_after), _MAX_RETRY_AFTER_S)
        return self.options.backoff_s * 2 ** (attempt - 1)


class _Failed(Exception):
    pass


def _not_a_whole_pdf(response: httpx.Response, body: bytes, max_mb: float) -> str | None:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) != len(body):
        return f"truncated download ({len(body)} of {declared} bytes)"
    if not body.startswith(b"%PDF-"):
        kind = response.headers.get("content-type", "unknown type").split(";")[0]
        return f"not a PDF (the server sent {kind})"
    if b"%%EOF" not in body[-2048:]:
        return "truncated download (the PDF has no end-of-file marker)"
    return None


def _progress_bar(total: int, shown: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="report", desc="Fetching", disable=not shown or total == 0)
