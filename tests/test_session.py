"""Follow-up questions are read against the conversation state (areas, subject, intent, last evidence) and become
standalone questions."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.plan import Catalog
from rag.understand.conversation import Session, TurnState as Turn, _topic


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
        areas=["Bury", "Stoke-on-Trent", "Somerset", "Oldham", "Dudley"], languages=[],
        stat_areas={"leeds": "Leeds", "oldham": "Oldham", "bury": "Bury"}))


def _session(*turns: tuple[str, list[str]], backend=None) -> Session:
    session = Session(_QA(backend=backend or object()))
    session.turns = [Turn(q, q, areas, _topic(q, areas)) for q, areas in turns]
    return session


def test_there_and_pronouns_take_the_last_area():
    s = _session(("What did inspectors find in Bury?", ["Bury"]))
    assert s.rewrite("and how long are the waits there?") == "How long are the waits in Bury?"
    assert s.rewrite("what does their council say?") == "What does their council say in Bury?"
    assert s.rewrite("what is an EHC plan?") == "what is an EHC plan?"  # a definition is about no area
    assert s.rewrite("What weaknesses remain in Somerset?") == "What weaknesses remain in Somerset?"


def test_what_about_moves_the_last_question_to_the_new_area():
    s = _session(("How quickly does Leeds issue EHC plans?", ["Leeds"]))
    assert s.rewrite("what about Oldham?") == "How quickly does Oldham issue EHC plans?"
    assert s.rewrite("and bury?") == "How quickly does Bury issue EHC plans?"
    assert s.rewrite("n wot bout oldhm") == "How quickly does Oldham issue EHC plans?"  # text-speak and a typo


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
    assert s.standalone("and the autism waits there?") == "The autism waits in Bury?"


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
    assert s.rewrite("what about waiting times?") == "What about waiting times in Stoke-on-Trent?"
    s.remember("what about waiting times?", "What about waiting times in Stoke-on-Trent?")
    s.remember("and in bury?", s.rewrite("and in bury?"))
    assert s.turns[-1].rewritten == "What about waiting times in Bury?"
    assert s.rewrite("which is worse") == "Compare Stoke-on-Trent and Bury: waiting times"
    # A briefing's wording is not a subject to carry: "fix it" is the area's SEND services.
    t = _session(("tell me about Oldham", ["Oldham"]))
    assert t.rewrite("what are they doing to fix it") == "What are they doing to fix it in Oldham?"
    assert t.rewrite("whats the council said") == "What is the council said in Oldham?"


def test_the_subject_carried_is_what_was_asked_about_not_the_whole_question():
    question = "we have been waiting ages for speech therapy in wakefield, is that normal there?"
    s = _session((question, ["Wakefield"]))
    assert s.turns[0].topic == "waiting ages for speech therapy"
    assert s.rewrite("why is that?") == "Why is waiting ages for speech therapy in Wakefield?"
    assert s.rewrite("what are they doing about it?") == "What are they doing about waiting ages for speech therapy in Wakefield?"


def test_a_follow_up_inherits_only_what_it_does_not_restate():
    """The issue's three shapes: a new question on the last subject, a new area only, the last two areas compared."""
    s = _session()
    first = "How long are waits for autism assessment in Bury?"
    s.remember(first, first)
    assert s.state.areas == ["Bury"] and s.state.topic == "waits for autism assessment"
    why = s.rewrite("why?")
    assert "waits for autism assessment" in why and "Bury" in why and why.lower().startswith("why")
    doing = s.rewrite("what are they doing about it?")
    assert doing == "What are they doing about waits for autism assessment in Bury?"
    dudley = s.rewrite("and in dudley?")
    assert dudley == "How long are waits for autism assessment in Dudley?"  # only the area changed
    s.remember("and in dudley?", dudley)
    assert s.state.topic == "waits for autism assessment" and s.state.areas == ["Dudley"]
    worse = s.rewrite("which of the two is worse for over 16s?")
    assert worse.startswith("Compare Bury and Dudley") and "16s" in worse  # the new aspect, the last two areas
    same = s.rewrite("which of the two is worse?")
    assert same == "Compare Bury and Dudley: waits for autism assessment"  # no new aspect: the last subject


def test_the_state_keeps_the_intent_and_the_evidence_of_the_last_answer():
    from sendqa.types import Answer, Citation

    s = _session()
    cited = Citation(n=1, doc_id="d1", source="oldham.pdf", title="Oldham", area="Oldham", page=3,
                     section="Areas for improvement", quote="Leaders should improve transition.")
    answer = Answer(question="What does Oldham need to improve?", answer="x", abstained=False, backend="extractive",
                    citations=[cited])
    s.remember("What does Oldham need to improve?", "What does Oldham need to improve?", answer)
    assert s.state.intent == "improve" and [c.doc_id for c in s.state.evidence] == ["d1"]
    assert s.rewrite("what about Bury?") == "What does Bury need to improve?"


def test_an_llm_condensed_question_must_keep_the_subject_the_state_carries():
    s = _session(("How long are waits for autism assessment in Bury?", ["Bury"]),
                 backend=_Backend("What is Bury's local offer?"))
    assert s.standalone("what are they doing about it?") == \
        "What are they doing about waits for autism assessment in Bury?"  # the model changed the subject
    kept = _session(("How long are waits for autism assessment in Bury?", ["Bury"]),
                    backend=_Backend("What is Bury doing about waits for autism assessment?"))
    assert kept.standalone("what are they doing about it?") == "What is Bury doing about waits for autism assessment?"
