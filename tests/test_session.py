"""Follow-up questions are rewritten into standalone ones by rules over what the plan recognises."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.plan import Catalog
from rag.session import Session, Turn, _topic


@dataclass
class _Backend:
    proposal: str | None = None
    asked: list = field(default_factory=list)

    def standalone_question(self, history, question):
        self.asked.append((list(history), question))
        return self.proposal


@dataclass
class _QA:
    """Just what Session reads: the catalog of areas and a backend (no answering needed to test rewrites)."""

    backend: object = field(default_factory=lambda: object())
    catalog: Catalog = field(default_factory=lambda: Catalog(
        areas=["Bury", "Stoke-on-Trent", "Somerset", "Oldham"], languages=[],
        stat_areas={"leeds": "Leeds", "oldham": "Oldham", "bury": "Bury"}))


def _session(*turns: tuple[str, list[str]], backend=None) -> Session:
    session = Session(_QA(backend=backend or object()))
    session.turns = [Turn(q, q, areas, _topic(q, areas)) for q, areas in turns]
    return session


def test_there_and_pronouns_take_the_last_area():
    s = _session(("What did inspectors find in Bury?", ["Bury"]))
    assert s.rewrite("and how long are the waits there?") == "how long are the waits in Bury?"
    assert s.rewrite("what does their council say?") == "What does their council say in Bury?"
    assert s.rewrite("what is an EHC plan?") == "what is an EHC plan?"  # a definition is about no area
    assert s.rewrite("What weaknesses remain in Somerset?") == "What weaknesses remain in Somerset?"


def test_what_about_moves_the_last_question_to_the_new_area():
    s = _session(("How quickly does Leeds issue EHC plans?", ["Leeds"]))
    assert s.rewrite("what about Oldham?") == "How quickly does Oldham issue EHC plans?"
    assert s.rewrite("and bury?") == "How quickly does Bury issue EHC plans?"


def test_compare_that_carries_the_areas_and_topic():
    s = _session(("What does Oldham need to improve?", ["Oldham"]))
    assert s.rewrite("compare that with Stoke") == "Compare Oldham and Stoke-on-Trent: need to improve"


def test_an_llm_rewrite_is_used_only_when_it_keeps_the_areas():
    good = _Backend("How long do children in Bury wait for autism assessments?")
    s = _session(("What did inspectors find in Bury?", ["Bury"]), backend=good)
    assert s.standalone("and the autism waits there?") == good.proposal
    assert good.asked == [(["What did inspectors find in Bury?"], "and the autism waits there?")]
    drifted = _Backend("How long do children in Oldham wait for autism assessments?")
    s = _session(("What did inspectors find in Bury?", ["Bury"]), backend=drifted)
    assert s.standalone("and the autism waits there?") == "the autism waits in Bury?"


def test_it_and_that_carry_the_last_subject_and_area():
    s = _session(("How long are waits for autism assessment in Bury?", ["Bury"]))
    assert s.rewrite("what are they doing about it?") == "What are they doing about waits for autism assessment in Bury?"
    assert s.rewrite("what did the council say about that") == "What did the council say about waits for autism assessment in Bury?"
    assert s.rewrite("why?") == "Why: How long are waits for autism assessment in Bury?"
    # "its" is the area's, and "what is it like" asks about the area, not the last subject.
    assert s.rewrite("what are its main weaknesses?") == "What are its main weaknesses in Bury?"
    assert "autism" not in s.rewrite("what is it like for kids there?")


def test_a_carried_subject_stays_the_subject_of_later_turns():
    s = _session(("What weaknesses remain in Somerset?", ["Somerset"]))
    s.remember("why?", s.rewrite("why?"))
    assert s.turns[-1].topic == s.turns[0].topic == "weaknesses remain"
    assert s.rewrite("is that fixed yet?") == "Is weaknesses remain fixed yet in Somerset?"


def test_what_about_a_subject_keeps_the_area_and_which_is_worse_compares_the_last_two():
    s = _session(("What did inspectors find in Stoke-on-Trent?", ["Stoke-on-Trent"]))
    assert s.rewrite("what about waiting times?") == "Waiting times in Stoke-on-Trent?"
    s.remember("what about waiting times?", "Waiting times in Stoke-on-Trent?")
    s.remember("and in bury?", s.rewrite("and in bury?"))
    assert s.turns[-1].rewritten == "Waiting times in Bury?"
    assert s.rewrite("which is worse") == "Compare Stoke-on-Trent and Bury: Waiting times"
    # A briefing's wording is not a subject to carry: "fix it" is the area's SEND services.
    t = _session(("tell me about Oldham", ["Oldham"]))
    assert t.rewrite("what are they doing to fix it") == "What are they doing to fix it in Oldham?"
    assert t.rewrite("whats the council said") == "Whats the council said in Oldham?"


def test_the_subject_carried_is_what_was_asked_about_not_the_whole_question():
    question = "we have been waiting ages for speech therapy in wakefield, is that normal there?"
    s = _session((question, ["Wakefield"]))
    assert s.turns[0].topic == "waiting ages for speech therapy"
    assert s.rewrite("why is that?") == "Why is waiting ages for speech therapy in Wakefield?"
    assert s.rewrite("what are they doing about it?") == "What are they doing about waiting ages for speech therapy in Wakefield?"
