"""LLM backends against a real llama.cpp OpenAI-compatible server running a GGUF from a PyPI package.

The server is `python -m llama_cpp.server` on a loopback port, started here; answers go through the same stages as
the extractive backend, and every model-written sentence must pass the verifier before it is shown.
"""

from __future__ import annotations

import signal
import time

import pytest

from sendqa.types import Answer, AnswerSentence
from tests.conftest import MODEL, llm_settings, openai_settings

pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: run `make setup-llm`")


def openai_qa(home, models_dir, server, **llm):
    from rag.qa import QA

    return QA(openai_settings(home, models_dir, server, **llm))


def assert_verified_and_cited(answer: Answer, qa) -> None:
    assert not answer.abstained, answer.answer
    assert answer.citations and all(c.quote in qa.index.document_text(c.doc_id) for c in answer.citations)
    assert all(s.citations for s in answer.sentences if s.origin != "message"), "an uncited claim was shown"
    by_n = {c.n: c for c in answer.citations}
    for sentence in answer.sentences:
        if sentence.origin == "message":  # a note ("I don't hold Bury's inspection report; ..."), not a claim
            continue
        if sentence.origin == "rewrite":  # a model wrote it: it must still pass the verifier on its citations
            passages = [s for s in qa_sentences(qa, [by_n[n] for n in sentence.citations])]
            assert qa.verifier.check(sentence.text, passages).supported, sentence.text
        elif sentence.origin == "statistic":  # composed by code from table rows, never by the model
            assert all(by_n[n].citation_type == "statistic" for n in sentence.citations)
        else:
            assert sentence.text in [by_n[n].quote for n in sentence.citations]
    v = answer.verification
    assert v.sentences == v.supported + v.dropped + v.replaced


def qa_sentences(qa, citations):
    from rag.sentences import Sentence
    from sendqa.types import Evidence

    out = []
    for c in citations:
        record = qa.index.document(c.doc_id)
        ev = Evidence(chunk_id="c", doc_id=c.doc_id, text=c.quote, start=0, end=len(c.quote), page=c.page,
                      section=c.section, score=0, source=c.source, title=c.title, area=c.area, kind=record.kind,
                      speaker=record.speaker, language=record.language)
        out.append(Sentence(c.quote, 0, len(c.quote), ev, 0))
    return out


def test_rewrite_backend_over_the_openai_compatible_server(corpus_home, models_dir, server):
    qa = openai_qa(corpus_home, models_dir, server)
    answer = qa.ask("What weaknesses remain in Somerset?")
    assert answer.backend == "openai" and answer.verification.sentences >= 1
    assert_verified_and_cited(answer, qa)
    assert answer.sentences[0].speaker == "council and NHS"  # who speaks survives the rewrite
    assert answer.answer.startswith("[Somerset · council and NHS statement]")
    # only quotes a parent would find hard are rewritten: were every quote plain enough, the model writes nothing
    plain = openai_qa(corpus_home, models_dir, server, plain_enough=-1000.0).ask("What weaknesses remain in Somerset?")
    assert plain.verification.sentences == 0 and all(s.origin != "rewrite" for s in plain.sentences)
    assert plain.answer == qa.quotes("What weaknesses remain in Somerset?").answer


def test_rewrites_stop_where_the_time_budget_would_run_out(corpus_home, models_dir, server):
    """A rewrite is started only while the ones so far say it will end within answer.llm.rewrite_budget_s: past it
    the quotes are shown as they are, so the whole answer comes in about that time whatever its length."""
    question = "What weaknesses remain in Somerset?"
    unbounded = openai_qa(corpus_home, models_dir, server, rewrite_budget_s=0.0).ask(question)
    hurried = openai_qa(corpus_home, models_dir, server, rewrite_budget_s=0.001).ask(question)
    qa = openai_qa(corpus_home, models_dir, server, rewrite_budget_s=0.001)
    assert_verified_and_cited(hurried, qa)
    drafted = lambda answer: answer.verification.sentences  # noqa: E731 - sentences the model wrote
    assert 1 <= drafted(hurried) < drafted(unbounded)  # the first rewrite, then none: no time measured yet is left
    assert [s.text for s in hurried.sentences if s.origin == "quote"]  # the rest are the report's words
    assert {c.quote for c in hurried.citations} == {c.quote for c in unbounded.citations}  # nothing is lost


def test_free_writing_backend_is_verified_or_falls_back(corpus_home, models_dir, server):
    qa = openai_qa(corpus_home, models_dir, server, mode="free")
    answer = qa.ask("How long do families in South Gloucestershire wait for an autism diagnosis?")
    assert_verified_and_cited(answer, qa)
    assert answer.verification.sentences >= 1


def test_english_rewrite_of_the_italian_article(corpus_home, models_dir, server):
    qa = openai_qa(corpus_home, models_dir, server)
    answer = qa.ask("What did Bury council say about EHC plan timeliness?")
    assert_verified_and_cited(answer, qa)
    assert any(c.language == "it" for c in answer.citations)


def test_streaming_yields_sentences_before_the_answer(corpus_home, models_dir, server):
    qa = openai_qa(corpus_home, models_dir, server)
    items = list(qa.stream("What weaknesses remain in Somerset?"))
    assert isinstance(items[-1], Answer) and all(isinstance(i, AnswerSentence) for i in items[:-1])
    assert [s.text for s in items[:-1]] == [s.text for s in items[-1].sentences]
    assert items[-1].timings_ms["first_sentence"] < items[-1].timings_ms["total"]


def test_server_killed_mid_answer_gives_a_notice_and_the_extractive_answer(corpus_home, models_dir):
    from rag.backends.llama_server import start_server
    from rag.qa import QA

    own = start_server(llm_settings(corpus_home, models_dir))
    # no time budget: every hard quote is sent, so the answer still needs the server after it is killed
    settings = llm_settings(corpus_home, models_dir, backend="openai",
                            llm={"base_url": own.base_url, "model": MODEL, "timeout_s": 30, "rewrite_budget_s": 0})
    qa = QA(settings)
    stream = qa.stream("What weaknesses remain in Somerset?")
    first = next(stream)
    assert isinstance(first, AnswerSentence)
    own.process.send_signal(signal.SIGKILL)
    own.process.wait(timeout=10)
    *rest, answer = list(stream)
    assert isinstance(answer, Answer) and not answer.abstained
    assert answer.notice and "stopped answering" in answer.notice
    assert rest and all(s.origin in ("quote", "statistic", "message") for s in rest)  # nothing generated
    assert "disproportionate use of exclusion" in answer.answer  # the extractive answer's content is all there


def test_a_server_slower_than_its_timeout_gives_the_quotes_with_a_notice(corpus_home, models_dir, server):
    from rag.qa import QA

    # The real server, asked to answer faster than a 0.5B model can read its prompt on these cores.
    # (no time budget: every hard quote is sent, not only the one or two an earlier test's prompts already cached)
    qa = QA(openai_settings(corpus_home, models_dir, server, timeout_s=0.2, rewrite_budget_s=0))
    started = time.perf_counter()
    answer = qa.ask("What weaknesses remain in Somerset?")
    assert time.perf_counter() - started < 30  # it waited for the timeout, not for the model
    assert not answer.abstained and answer.notice and "stopped answering" in answer.notice
    assert all(s.origin in ("quote", "statistic", "message") for s in answer.sentences)  # nothing generated
    assert "disproportionate use of exclusion" in answer.answer


def test_unreachable_server_falls_back_to_quotes(corpus_home, models_dir):
    from rag.qa import QA

    settings = llm_settings(corpus_home, models_dir, backend="openai",
                            llm={"base_url": "http://127.0.0.1:9/v1", "model": MODEL, "timeout_s": 5})
    answer = QA(settings).ask("What weaknesses remain in Somerset?")
    assert not answer.abstained and answer.notice and "stopped answering" in answer.notice
    assert all(s.origin in ("quote", "statistic", "message") for s in answer.sentences)  # nothing generated


def test_local_backend_starts_llama_cpp_itself(corpus_home, models_dir):
    from rag.qa import QA

    qa = QA(llm_settings(corpus_home, models_dir, backend="local"))
    answer = qa.ask("What weaknesses remain in Somerset?")
    assert answer.backend == "local" and answer.notice is None
    assert_verified_and_cited(answer, qa)


def test_a_joined_model_with_the_wrong_sha256_is_refused(tmp_path, monkeypatch):
    from dataclasses import replace

    from rag.backends import models
    from sendqa.errors import SendQAError

    bad = replace(models.PACKAGED_MODELS["qwen2.5-coder-0.5b"], model_id="tampered", sha256="0" * 64)
    monkeypatch.setitem(models.PACKAGED_MODELS, "tampered", bad)
    try:
        bad.part_paths()
    except SendQAError:
        pytest.skip("the qwen2.5-coder-0.5b parts are not installed")
    with pytest.raises(SendQAError, match="refusing to load"):
        models.model_file("tampered", tmp_path)
    assert not list(tmp_path.iterdir())  # nothing half-joined is left to be loaded later


def test_follow_up_rewrites_from_a_real_model_keep_the_areas(corpus_home, models_dir, server):
    from rag.understand.conversation import Session

    qa = openai_qa(corpus_home, models_dir, server)
    session = Session(qa)
    first = session.ask("What weaknesses remain in Somerset?")
    assert not first.abstained
    proposed = qa.backend.standalone_question([first.question], "and what does the council say about it?")
    assert proposed is None or isinstance(proposed, str)  # whatever the model says, it is only a proposal
    follow = session.ask("and what does the council say about it?")
    # Used only if it names exactly the areas the rules found; either way the question stays about Somerset.
    assert "Somerset" in follow.rewritten and follow.question == "and what does the council say about it?"
    assert session._areas(follow.rewritten) == ["Somerset"]
