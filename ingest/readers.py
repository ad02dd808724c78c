"""Read .pdf, .txt, .md and .html files into paragraph blocks (PDF blocks keep their page numbers)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ingest.blocks import Block, bullet_text, is_known_heading, join_broken_bullets, join_lines
from sendqa.errors import SendQAError
from sendqa.safety import without_controls

SUPPORTED = {".pdf", ".txt", ".md", ".markdown", ".html", ".htm"}


def read_blocks(path: Path) -> list[Block]:
    """Parse one file into blocks; raises SendQAError naming the file when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise SendQAError(f"{path.name}: unsupported file type '{suffix or 'none'}' (use .pdf, .txt, .md or .html)")
    data = path.read_bytes()
    if not data.strip():
        raise SendQAError(f"{path.name}: the file is empty")
    if suffix == ".pdf":
        blocks = _pdf_blocks(path, data)
    else:
        text = _decode_text(path, data)
        blocks = _html_blocks(text) if suffix in (".html", ".htm") else _text_blocks(text, markdown=suffix != ".txt")
    if not any(b.text.strip() for b in blocks if b.kind != "heading"):
        raise SendQAError(f"{path.name}: no readable text found")
    return join_broken_bullets(blocks)


def _decode_text(path: Path, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise SendQAError(f"{path.name}: looks like a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        if text.count("\ufffd") > max(10, len(text) // 100):
            raise SendQAError(f"{path.name}: looks like a binary file, not text") from None
    control = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if control > max(20, len(text[:20000]) // 50):
        raise SendQAError(f"{path.name}: looks like a binary file, not text")
    return without_controls(text)


# --- plain text and markdown ---------------------------------------------------------------

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")


def _text_blocks(text: str, markdown: bool) -> list[Block]:
    """Reflow hard-wrapped lines into paragraphs; lone bullet marks and lower-case starts continue a paragraph."""
    blocks: list[Block] = []
    current: list[str] = []
    kind = "para"

    def flush() -> None:
        nonlocal current, kind
        joined = join_lines(current)
        if joined:
            blocks.append(Block(kind, joined))
        current, kind = [], "para"

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        heading = _MD_HEADING.match(line) if markdown else None
        if heading:
            flush()
            blocks.append(Block("heading", heading.group(1)))
            continue
        if is_known_heading(line):
            flush()
            blocks.append(Block("heading", line))
            continue
        item = bullet_text(line)
        if item is not None:
            flush()
            kind = "bullet"
            if item:
                current.append(item)
            continue
        if current and (line[:1].islower() or not _ends_paragraph(current[-1])):
            current.append(line)
            continue
        if not current and kind == "bullet":
            current.append(line)
            continue
        flush()
        current.append(line)
    flush()
    return blocks


def _ends_paragraph(line: str) -> bool:
    """A hard-wrapped line that stops mid-sentence is short of a full line and lacks final punctuation."""
    line = line.rstrip()
    if line.endswith((".", "!", "?", ":", ";", "”", '"', "’")):
        return True
    # Short lines without punctuation are usually wrapped fragments ("The", "I"), long ones are titles.
    return len(line) >= 25


# --- HTML ---------------------------------------------------------------------------------


def _html_blocks(text: str) -> list[Block]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript", "form", "svg"]):
        tag.decompose()
    blocks: list[Block] = []
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    body = soup.body or soup
    for el in body.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "blockquote", "pre"]):
        if el.find(["p", "li", "td"]):  # an outer container; its children are visited themselves
            continue
        content = " ".join(el.get_text(" ", strip=True).split())
        if not content:
            continue
        if el.name.startswith("h"):
            blocks.append(Block("heading", content))
        elif el.name == "li":
            blocks.append(Block("bullet", content))
        else:
            blocks.append(Block("para", content))
    if title and not (blocks and blocks[0].text == title):
        blocks.insert(0, Block("para", title))
    return blocks


# --- PDF ----------------------------------------------------------------------------------


def _pdf_blocks(path: Path, data: bytes) -> list[Block]:
    import pymupdf

    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # pymupdf raises several types for damaged files
        raise SendQAError(f"{path.name}: not a readable PDF ({exc.__class__.__name__})") from None
    if doc.page_count == 0:
        raise SendQAError(f"{path.name}: not a readable PDF (no pages could be read)")
    if doc.needs_pass:
        raise SendQAError(f"{path.name}: the PDF is password-protected")
    try:
        pages = [_page_lines(page) for page in doc]
    except Exception as exc:
        raise SendQAError(f"{path.name}: the PDF is damaged ({exc})") from None
    if not any(pages):
        raise SendQAError(f"{path.name}: no text layer (scanned?): an image-only PDF needs OCR first")
    repeated = _repeated_lines(pages)
    blocks = _lines_to_blocks(pages, repeated)
    if not any(b.text.strip() for b in blocks if b.kind != "heading"):
        raise SendQAError(f"{path.name}: only page headers and footers, no body text")
    return blocks


def _page_lines(page) -> list[dict]:
    height = page.rect.height
    lines = []
    for block_no, block in enumerate(page.get_text("dict")["blocks"]):
        for line in block.get("lines", []):
            spans = [s for s in line["spans"] if s["text"].strip()]
            if not spans:
                continue
            text = "".join(s["text"] for s in line["spans"]).strip()
            x0, y0, x1, y1 = line["bbox"]
            if y0 > 0.935 * height:  # running footer: report title, dates and page number
                continue
            lines.append(
                {
                    "text": text,
                    "x0": x0,
                    "y0": y0,
                    "y1": y1,
                    "size": max(s["size"] for s in spans),
                    "bold": all(s["flags"] & 16 or "Bold" in s["font"] for s in spans),
                    "page": page.number + 1,
                    "block": block_no,
                }
            )
    return lines


def _repeated_lines(pages: list[list[dict]]) -> set[str]:
    """Running headers: the same line (digits aside) on most pages."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        for key in {re.sub(r"\d+", "#", l["text"]) for l in lines}:
            counts[key] += 1
    return {key for key, n in counts.items() if n >= max(3, 0.5 * len(pages)) and len(key) < 120}


# Sections laid out as tables in 2023-framework reports: each cell is one item.
_TABLE_SECTIONS = {"areas for priority action", "areas for improvement"}


def _lines_to_blocks(pages: list[list[dict]], repeated: set[str]) -> list[Block]:
    blocks: list[Block] = []
    current: list[str] = []
    kind, page_of_current = "para", None
    section = None
    table_left_edge: float | None = None  # inside a two-column table we keep only the right column
    prev = None
    row_break = False

    def flush() -> None:
        nonlocal current, kind, page_of_current
        joined = join_lines(current)
        if joined:
            blocks.append(Block(kind, joined, page_of_current))
        current, kind, page_of_current = [], "para", None

    for lines in pages:
        prev = None
        for line in lines:
            text = line["text"]
            if re.sub(r"\d+", "#", text) in repeated:
                continue
            heading = line["bold"] and (line["size"] >= 13 or is_known_heading(text)) and len(text) < 160
            if heading and not (section and text.strip().lower().rstrip(" ?") == section.lower().rstrip(" ?")):
                flush()
                section = join_lines([text])
                table_left_edge = None
                if blocks and blocks[-1].kind == "heading" and blocks[-1].page == line["page"] and prev is not None \
                        and line["y0"] - prev["y1"] < 4:
                    blocks[-1].text = join_lines([blocks[-1].text, text])  # a heading wrapped over two lines
                    section = blocks[-1].text
                else:
                    blocks.append(Block("heading", section, line["page"]))
                prev = line
                continue
            if line["bold"] and text.strip().lower() == "responsible body":
                table_left_edge = line["x0"] + 40
                prev = line
                continue
            if line["bold"] and section and text.strip().lower().rstrip(" ?") == section.lower().rstrip(" ?"):
                prev = line  # a table's header row repeating the section heading
                continue
            if table_left_edge is not None and line["x0"] < table_left_edge:
                if prev is not None and line["y0"] >= prev["y1"] - 2:
                    row_break = True  # a new "responsible body" cell starts a new table row
                continue  # the "responsible body" column: the same bodies on every row
            item = bullet_text(text)
            in_table = bool(section) and section.lower().strip() in _TABLE_SECTIONS
            new_para = (
                prev is None
                or row_break
                or line["y0"] - prev["y1"] > 0.45 * line["size"]
                or line["y0"] < prev["y0"] - 2  # a jump back up: next column or table cell
                or (in_table and line["block"] != prev["block"] and not text[:1].islower())
            )
            row_break = False
            if item is not None:
                flush()
                kind, page_of_current = "bullet", line["page"]
                if item:
                    current.append(item)
            elif prev is not None and bullet_text(prev["text"]) == "" and kind == "bullet" and not current:
                current.append(text)  # text of a bullet whose mark stood alone on the line above
            elif new_para and not _continues(current, blocks, text, prev is None):
                flush()
                kind, page_of_current = "para", line["page"]
                current.append(text)
            else:
                if not current and blocks and prev is None:
                    # Continuation across a page break: reopen the last paragraph.
                    last = blocks.pop()
                    current, kind, page_of_current = [last.text], last.kind, last.page
                if page_of_current is None:
                    page_of_current = line["page"]
                current.append(text)
            prev = line
    flush()
    return blocks


def _continues(current: list[str], blocks: list[Block], text: str, page_start: bool) -> bool:
    """Does this line carry on an unfinished paragraph (e.g. across a page break)?"""
    if not text[:1].islower():
        return False
    if current:
        return not current[-1].rstrip().endswith((".", "!", "?"))
    if page_start and blocks and blocks[-1].kind != "heading":
        return not blocks[-1].ends_sentence()
    return False
