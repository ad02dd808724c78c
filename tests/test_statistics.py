"""Official statistics as cited evidence: loading, statistic answers, cross-checks with the reports, compare, brief."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.statistics import load_statistics
from rag.statistics import Statistics, disagreements
from sendqa.errors import SendQAError
from tests.conftest import CORPUS, ROOT

DATA = CORPUS / "data"


def test_tables_load_once_with_typed_rows(tmp_path):
    db = tmp_path / "statistics.sqlite"
    assert sorted(load_statistics(DATA, db)) == ["inspections_2016_22", "inspections_2023", "timeliness"]
    assert load_statistics(DATA, db) == []  # unchanged files are not loaded again
    stats = Statistics(db)
    bury = {r["year"]: r for r in stats.timeliness("bury")}
    assert bury[2024]["pct"] == 99.0 and bury[2022]["pct"] == 51.0 and bury[2024]["plans"] == 296
    assert stats.timeliness("england")[-1]["level"] == "England"
    assert stats.inspection_2023("bury")["outcome"] == "widespread and/or systemic failings"
    assert stats.inspection_2023("surrey")["outcome"] == "inconsistent"
    assert stats.inspection_2016("leeds")["wsoa_required"] == 0
    assert stats.inspection_2016("bury")["significant_weaknesses"] == 8
    assert len(stats.areas) >= 150  # every English council, report or not
    # Every row's sentence is quotable from its table's text.
    text = stats.document_text("stat:timeliness")
    assert all(r["text"] in text for r in stats.timeliness("leeds"))


def test_a_corrupt_table_is_named_and_the_others_stay(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    db = tmp_path / "statistics.sqlite"
    load_statistics(data, db)
    (data / "timeliness_20_week.csv").chmod(0o644)
    (data / "timeliness_20_week.csv").write_bytes(b"\x00\x01 not a csv")
    with pytest.raises(SendQAError, match="timeliness_20_week.csv"):
        load_statistics(data, db)
    assert Statistics(db).timeliness("bury")  # the table loaded before is still there


def test_statistic_answers_give_exact_figures_cited_as_statistics(full_qa):
    answer = full_qa.ask("How quickly does Leeds issue EHC plans?")
    assert not answer.abstained and "9.3%" in answer.answer
    assert "Leeds" in answer.answer
    stats = [c for c in answer.citations if c.citation_type == "statistic"]
    assert stats and all(c.quote in full_qa.index.document_text(c.doc_id) for c in stats)
    assert {c.row for c in stats} >= {"Leeds, 2024", "England, 2024"} and stats[0].publication

    bury = full_qa.ask("How does Bury's EHC plan timeliness compare with England?")
    assert re.search(r"rose from 78\.9% in 2019 to 99% in 2024", bury.answer)
    assert "That is above the figure for England (45.9% in 2024)" in bury.answer

    wsoa = full_qa.ask("Which areas needed a written statement of action?")
    assert "82 areas" in wsoa.answer and wsoa.citations[0].citation_type == "statistic"
    failing = full_qa.ask("How many areas had widespread and/or systemic failings?")
    assert "20 areas" in failing.answer
    inspected = full_qa.ask("Which areas were inspected in 2024?")
    assert "Inspections starting in 2024: 26 areas" in inspected.answer


def test_which_councils_are_slowest_or_fastest_ranks_the_table(full_qa):
    """Ranked by code from every council's row for the year; "worst" is not read as the inspection outcome."""
    slowest = full_qa.ask("which councils did worst on ehcp timeliness in 2024")
    assert "The councils with the lowest share of new EHC plans issued within 20 weeks in 2024: Devon" in slowest.answer
    assert "Devon 3.2%" in slowest.answer and "Kingston upon Hull 5.8%" in slowest.answer
    assert {c.citation_type for c in slowest.citations} <= {"statistic", "glossary"}  # (words used here)
    assert slowest.sentences and all(s.origin == "statistic" for s in slowest.sentences)
    assert "England in 2024 was 45.9%" in slowest.answer
    fastest = full_qa.ask("which areas are fastest at issuing ehc plans")
    # Four councils share 100% and three 99%: a tie at the cut is listed whole.
    assert "The councils with the highest share" in fastest.answer and fastest.answer.count("99%") == 3


def test_a_council_without_a_report_is_answered_from_the_statistics_and_says_so(full_qa):
    answer = full_qa.ask("what was the outcome of leeds send inspection")
    assert not answer.abstained
    assert answer.sentences[0].origin == "message" and "I don't hold Leeds' inspection report" in answer.answer
    assert "written statement of action required: no" in answer.answer


def test_an_outcome_asked_of_an_area_without_its_report_opens_with_the_outcome_in_words(corpus_home):
    """The bundled corpus holds Stoke-on-Trent's press article, not its report: the first sentence still answers,
    from the statistics row it cites, and the note on where it comes from follows it."""
    from rag.qa import QA
    from sendqa.settings import load_settings

    qa = QA(load_settings({"home": corpus_home}))
    said = ("Stoke-on-Trent's area SEND inspection in 2024 found inconsistent experiences and outcomes for children "
            "and young people with SEND.")
    passed = qa.ask("did stoke on trent pass there send inspection")
    assert passed.lead["text"] == said and passed.answer.splitlines()[0].endswith(said + " [1]")
    assert [s.origin for s in passed.sentences[:2]] == ["statistic", "message"]
    assert passed.citations[0].citation_type == "statistic" and passed.citations[0].row == "Stoke-on-Trent, 2024"
    # its plain meaning, from the glossary
    assert any("middle of the three area SEND outcomes" in entry["meaning"] for entry in passed.glossary)
    # one outcome named: yes or no first
    assert qa.ask("did stoke get a positive outcome").lead["text"] == "No. " + said
    assert qa.ask("Was Stoke-on-Trent's outcome inconsistent?").lead["text"] == "Yes. " + said


def test_a_london_borough_is_set_against_the_london_region_not_the_city_of_london(full_qa, tmp_path):
    stats = Statistics(tmp_path / "s.sqlite") if load_statistics(DATA, tmp_path / "s.sqlite") else None
    region = {r["year"]: r for r in stats.timeliness("london")}
    city = {r["year"]: r for r in stats.timeliness("city of london")}
    assert region[2024]["level"] == "region" and region[2024]["pct"] == 64.7
    assert city[2024]["level"] == "council" and city[2024]["pct"] == 80.0
    answer = full_qa.ask("How quickly does Camden issue EHC plans?")
    assert "London region was 64.7%" in answer.answer and "City of London" not in answer.answer


def test_reports_and_statistics_agree(full_qa):
    records = full_qa.index.documents()
    assert disagreements(records, full_qa.index.statistics) == []
    # A disagreement is reported, not hidden.
    bury = next(r for r in records if r.area == "Bury" and r.kind == "inspection report").model_copy()
    bury.outcome, bury.inspection_dates = "positive", "5 to 9 February 2024"
    found = disagreements([bury], full_qa.index.statistics)
    assert len(found) == 2 and "outcome" in found[0] and "dates" in found[1]


def test_compare_builds_a_cited_table_and_computes_the_comparatives(full_qa):
    answer = full_qa.ask("Did Oxfordshire or Surrey do better in their SEND inspections?")
    assert answer.comparison is not None
    assert "The outcome for Surrey (inconsistent experiences and outcomes) was better than for Oxfordshire" in answer.answer
    assert "Oxfordshire was inspected first" in answer.answer
    aspects = {a["aspect"]: a["cells"] for a in answer.comparison["aspects"]}
    assert set(aspects) >= {"outcome", "EHC plan timeliness", "strengths", "what must improve", "waiting times"}
    for cells in aspects.values():
        assert [c["area"] for c in cells] == ["Oxfordshire", "Surrey"]
        assert all(c["citations"] or c["text"] == "not stated" for c in cells)
    # Both reports are held: their outcome cells quote the reports themselves.
    outcome = {c["area"]: c for c in aspects["outcome"]}
    cited = {c.n: c for c in answer.citations}
    assert cited[outcome["Surrey"]["citations"][0]].citation_type == "quote"
    assert "widespread and/or systemic failings" in outcome["Oxfordshire"]["text"]


def test_brief_command_writes_markdown_with_sources_and_licence(use_full_home, tmp_path):
    out = tmp_path / "medway.md"
    run = subprocess.run([sys.executable, "-m", "sendqa.cli", "brief", "Medway", "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    text = out.read_text()
    for heading in ("## Headline", "## Previous inspection", "## EHC plan timeliness",
                    "## What works", "## What must improve", "## Next steps", "## Sources"):
        assert heading in text
    assert "inconsistent experiences and outcomes" in text and "Open Government Licence v3.0" in text
    bullets = [line for line in text.splitlines() if line.startswith("- ") and "Not stated" not in line]
    assert bullets and all(re.search(r"\[\d+\]$", line) for line in bullets)


def test_definitions_come_from_the_glossary(full_qa):
    for question, words in (("What is an EHC plan?", "legal document"), ("what does sendiass mean", "information, advice"),
                            ("what is a wsoa", "written statement of action")):
        answer = full_qa.ask(question)
        assert not answer.abstained and words in answer.answer, question
        assert answer.citations[0].citation_type == "glossary" and answer.sentences[0].speaker == "glossary"
    # The glossary is not evidence about an area: no sentence cites it; it only explains the words used.
    bury = full_qa.ask("What does Bury need to improve?")
    glossary = {c.n for c in bury.citations if c.citation_type == "glossary"}
    assert not any(set(s.citations) & glossary for s in bury.sentences)
    assert glossary == {w["citation"] for w in bury.glossary}


def test_chat_json_carries_areas_and_topics_between_turns(use_full_home):
    questions = "how quickly does leeds issue ehc plans\nwhat about oldham?\nwhat did inspectors find in bury?\n" \
                "and how long are the waits there?\ncompare that with Stoke\n"
    run = subprocess.run([sys.executable, "-m", "sendqa.cli", "chat", "--json"], input=questions, capture_output=True,
                         text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    turns = [json.loads(line) for line in run.stdout.splitlines()]
    assert [t["question"] for t in turns] == questions.strip().splitlines()
    assert "Oldham" in turns[1]["rewritten"] and "85.8%" in turns[1]["answer"]
    assert turns[3]["rewritten"] == "How long are the waits in Bury?" and not turns[3]["abstained"]
    assert turns[4]["rewritten"].startswith("Compare Bury and Stoke-on-Trent") and turns[4]["comparison"]


def test_similar_councils_are_the_statistical_neighbours_ranked_and_set_against_england(full_qa):
    from rag.areas import area_key

    stats = full_qa.index.statistics
    neighbours = stats.neighbours(area_key("Dorset"))
    assert len(neighbours) == 10 and area_key("Dorset") not in neighbours
    answer = full_qa.ask("How does Dorset compare with similar councils on EHC plan timeliness?")
    first = answer.sentences[0]
    assert "statistical neighbours" in first.text and not answer.abstained
    named = [stats.areas[k] for k in neighbours]
    assert all(name in first.text for name in named)
    shares = [float(x) for x in re.findall(r"(\d+(?:\.\d+)?)%", first.text)]
    assert shares == sorted(shares, reverse=True) and len(shares) == 11  # ranked, Dorset among them
    cited = {(c.area, c.year) for c in answer.citations if c.citation_type == "statistic"}
    assert {name for name, _ in cited} >= {*named, "Dorset", "England"}  # every figure cited to its row
    assert "England" in answer.answer
    # Against England, or another area, is not a neighbours question.
    assert "statistical neighbours" not in full_qa.ask("How does Dorset compare with England on EHC plan timeliness?").answer


def test_a_briefing_opens_with_its_headline_and_keeps_the_bullets_asked_for(full_qa):
    from rag.brief import HEADLINE, MAX_BULLETS

    whole = full_qa.ask("brief me on medway")
    sections = {s["heading"]: s["bullets"] for s in whole.briefing["sections"]}
    assert list(sections)[0] == HEADLINE and all(len(b) <= MAX_BULLETS for b in sections.values())
    texts = [b["text"] for bullets in sections.values() for b in bullets]
    assert len(texts) == len(set(texts))  # nothing shown twice, though two sections may choose the same sentence
    cited = {c.n: c for c in whole.citations}
    headline = sections[HEADLINE]
    assert any("inconsistent experiences and outcomes" in b["text"] for b in headline)
    # what the outcome means, in the glossary's plain words, cited to the glossary
    meaning = [b for b in headline if cited[b["citations"][0]].citation_type == "glossary"]
    assert meaning and "some children and young people with SEND get the help they need" in meaning[0]["text"]
    short = full_qa.ask("summarise the medway inspection in 3 bullets for the portfolio holder")
    parts = {s["heading"]: s["bullets"] for s in short.briefing["sections"]}
    assert [b["text"] for b in parts[HEADLINE]] == [b["text"] for b in headline] and sum(len(b) for h, b in parts.items() if h != HEADLINE) == 3


def test_the_number_of_bullets_asked_for_is_read_as_a_numeral():
    from rag.brief import Briefing, Bullet, requested_count

    assert requested_count("the gist in 3 bullets") == 3 and requested_count("in five points please") == 5
    assert requested_count("brief me on medway") is None and requested_count("the 2024 report") is None
    briefing = Briefing("X", {"Headline": [Bullet("h")], "What works": [Bullet(f"w{i}") for i in range(3)],
                              "What must improve": [Bullet(f"m{i}") for i in range(3)], "Next steps": []})
    short = briefing.shortened(3)
    assert [b.text for b in short.sections["What must improve"]] == ["m0", "m1"]
    assert [b.text for b in short.sections["What works"]] == ["w0"] and short.sections["Headline"][0].text == "h"
    assert briefing.shortened(None) is briefing


def test_text_speak_for_is_no_number_of_bullets():
    from rag.brief import requested_count
    from rag.plan import Catalog, plan_question
    from sendqa.settings import load_settings

    catalog = Catalog(areas=["Darlington", "Bury"], languages=[], vocabulary=frozenset())
    # "4 councillors" is text-speak for "for councillors": a whole briefing, not four bullets
    typed = plan_question("giv me a short briefing 4 councillors on the darlington send inspection", catalog, load_settings())
    assert typed.mode == "brief" and requested_count(typed.query) is None
    # a digit that counts bullets stays a number, and "bury" before "briefing" is the place
    counted = plan_question("bury briefing in 2 bullets pls", catalog, load_settings())
    assert counted.mode == "brief" and counted.areas == ["Bury"] and requested_count(counted.query) == 2
