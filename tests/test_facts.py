"""Facts extracted from report text agree with Ofsted's official statistics."""

from __future__ import annotations

import pytest

from ingest.blocks import assemble
from ingest.facts import date_from_filename, extract_facts
from ingest.readers import read_blocks
from tests.conftest import REPORTS, SHARED, needs_shared

GRADES = {1: "positive", 2: "inconsistent", 3: "widespread and/or systemic failings"}


@needs_shared
def test_outcomes_match_official_overview_for_every_report():
    pd = pytest.importorskip("pandas")
    pytest.importorskip("openpyxl")
    official = pd.read_excel(SHARED / "data" / "area_send_2023_framework_overview.xlsx")
    grade_by_urn = {int(r.urn): GRADES[int(r.outcome_grade)] for r in official.itertuples() if r.outcome_grade == r.outcome_grade}
    checked = 0
    for pdf in sorted(REPORTS.glob("*.pdf")):
        urn = int(pdf.name.split("_")[0])
        if urn not in grade_by_urn:
            continue
        text, _ = assemble(read_blocks(pdf))
        facts = extract_facts(text, pdf.name)
        assert facts.outcome == grade_by_urn[urn], pdf.name
        assert facts.area and facts.inspection_dates and facts.kind == "inspection report"
        checked += 1
    assert checked >= 35


def test_facts_from_a_letter_style_text():
    text = ("Area SEND inspection of Anytown Local Area Partnership\n\nInspection dates: 1 to 5 May 2023\n\n"
            "Dates of previous inspection: 2 to 4 June 2018\n\nInspection outcome\n\nThe local area partnership’s "
            "arrangements lead to inconsistent experiences and outcomes for children and young people with SEND.")
    facts = extract_facts(text, "123_anytown__area_send_full_inspection_-_09_june_2023.pdf")
    assert facts.area == "Anytown"
    assert facts.outcome == "inconsistent"
    assert facts.inspection_dates == "1 to 5 May 2023"
    assert facts.previous_inspection == "2 to 4 June 2018"
    assert facts.date == "2023-06-09"
    assert facts.outcome_sentence.startswith("The local area partnership’s arrangements")


def test_wsoa_letter():
    text = ("Ofsted\n\nJoint local area SEND inspection in Northshire\n\nDear Director, between 1 and 5 May 2017 Ofsted "
            "and the Care Quality Commission (CQC) conducted a joint inspection. As a result of the findings of this "
            "inspection, HMCI has determined that a Written Statement of Action (WSOA) is required because of "
            "significant areas of weakness in the local area's practice.")
    facts = extract_facts(text, "letter.pdf")
    assert facts.area == "Northshire" and facts.wsoa_required is True and facts.speaker == "Ofsted/CQC"
    assert date_from_filename("no date here.pdf") is None
