"""File readers: page numbers, structure, text reflow and clear errors for bad input."""

from __future__ import annotations

import pytest

from ingest.blocks import assemble
from ingest.readers import read_blocks
from sendqa.errors import SendQAError
from tests.conftest import CORPUS, REPORTS, needs_shared


@needs_shared
def test_pdf_keeps_pages_sections_and_bullets():
    blocks = read_blocks(next(REPORTS.glob("80443_bury*.pdf")))
    text, spans = assemble(blocks)
    headings = [b.text for b in blocks if b.kind == "heading"]
    assert "Areas for priority action" in headings
    assert "What is the area partnership doing that is effective?" in headings
    outcome = next(s for s in spans if "widespread and/or systemic failings" in text[s.start:s.end])
    assert outcome.page == 1 and outcome.section == "Inspection outcome"
    # The running footer ("Inspection report: Bury Local Area Partnership ... 8") never leaks into the text.
    assert "Inspection report: Bury" not in text
    # The table's "responsible body" column is dropped; each priority action is its own paragraph.
    priority = [text[s.start:s.end] for s in spans if s.section == "Areas for priority action" and s.kind == "para"]
    assert all(p.startswith("Leaders") for p in priority)
    assert not any("Bury Metropolitan Borough Council and NHS Greater Manchester ICB Leaders" in p for p in priority)
    bullets = [s for s in spans if s.kind == "bullet" and s.section == "Areas for priority action"]
    assert len(bullets) >= 8 and all(s.page in (8, 9) for s in bullets)


def test_text_reflow_joins_wrapped_lines_and_bullets():
    blocks = read_blocks(CORPUS / "somerset-send-revisit-2023-council-statement.txt")
    text, _ = assemble(blocks)
    assert ("• Too many children and young people not accessing education because of the disproportionate use of "
            "exclusion and poor inclusive practices across the area.") in text
    assert "Two areas of weakness remain and the Somerset Local Area Partnership will make it a priority" in text
    # A stray marker inside an item ("...with SEND" / "· and their families...") does not split it in two.
    assert ("• Our focus on the experiences of children and young people with SEND and their families when "
            "formulating strategies to improve the area.") in text


def test_a_list_of_lower_case_items_keeps_every_item(tmp_path):
    """Only an item opening with a conjunction after one stopping mid-clause is a continuation; a report's list of
    lower-case items, each stopping without a full stop (or with "; and"), keeps each item."""
    path = tmp_path / "list.txt"
    path.write_text("Leaders should improve:\n\n- the timeliness of plans\n- the quality of reviews; and\n"
                    "- and not least, transitions\n- communication with families\n- or at least its tone\n")
    items = [b.text for b in read_blocks(path) if b.kind == "bullet"]
    assert items == ["the timeliness of plans", "the quality of reviews; and", "and not least, transitions",
                     "communication with families or at least its tone"]


def test_markdown_and_html(tmp_path):
    md = tmp_path / "note.md"
    md.write_text("# Areas for improvement\n\nLeaders should improve the local offer.\n\n- first item\n- second item\n")
    blocks = read_blocks(md)
    assert [b.kind for b in blocks] == ["heading", "para", "bullet", "bullet"]
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Council response</title><script>alert(1)</script></head><body>"
                    "<h2>Our response</h2><p>We accept the findings.</p><ul><li>New schools</li></ul></body></html>")
    text, _ = assemble(read_blocks(page))
    assert "We accept the findings." in text and "• New schools" in text and "alert" not in text


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.txt", b"", "empty"),
        ("blank.pdf", b"   \n", "empty"),
        ("corrupt.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nthis is not really a pdf", "not a readable PDF"),
        ("binary.txt", bytes(range(256)) * 40, "binary"),
        ("data.docx", b"PK\x03\x04 zipped", "unsupported file type"),
    ],
)
def test_bad_files_raise_a_clear_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SendQAError) as err:
        read_blocks(path)
    assert name in str(err.value) and message in str(err.value)
