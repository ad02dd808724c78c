"""Bad questions (issue 17, item 3): each gets one clear reply and no traceback, and `chat --json` keeps going after
a bad line. Real subprocesses over a real index of the bundled corpus."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from rag.understand.normalise import clean_question
from tests.conftest import CORPUS

BAD = [
    b"\xff\xfe not utf-8 \xc3\x28",  # bytes that are not UTF-8
    "\U0001F600\U0001F621\U0001F44D".encode(),  # emoji only
    "¿Cuánto hay que esperar para una evaluación de autismo en Bury?".encode(),  # another language
    b"'; DROP TABLE documents; --",  # SQL
    b"{{7*7}} ${7*7} {% print 1 %} <%= 7*7 %>",  # template injection
    b"what\x00 about\x07 bury\x1b[31m?",  # control characters and a terminal escape
    b"x" * 10_000,  # far too long
]


@pytest.fixture(scope="module")
def bundled_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("bad-questions")
    run = _cli(["ingest", str(CORPUS)], home)
    assert run.returncode == 0, run.stderr
    return home


def _cli(args: list[str], home, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, SENDQA_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "sendqa.cli", *args], input=stdin, capture_output=True, env=env,
                          timeout=600)


def test_chat_json_answers_every_bad_line_once_and_keeps_going(bundled_home):
    lines = BAD + [b"What weaknesses remain in Somerset?"]
    run = _cli(["chat", "--json"], bundled_home, stdin=b"\n".join(lines) + b"\n\n   \n")
    stderr = run.stderr.decode("utf-8", "replace")
    assert run.returncode == 0 and "Traceback" not in stderr, stderr[-2000:]
    answers = [json.loads(line) for line in run.stdout.decode("utf-8").splitlines()]
    assert len(answers) == len(lines)  # one reply a line; blank lines are no question
    for answer in answers[:-1]:
        assert answer["answer"].strip() and len(answer["answer"]) < 2000, answer["answer"][:200]
        assert "Traceback" not in answer["answer"] and "<%=" not in answer["answer"]
    too_long = answers[BAD.index(b"x" * 10_000)]
    assert too_long["abstained"] and "too long" in too_long["answer"]
    assert not answers[-1]["abstained"] and "disproportionate use of exclusion" in answers[-1]["answer"]


@pytest.mark.parametrize("question, reply", [("", "Please type a question."), ("   \t ", "Please type a question.")])
def test_empty_questions_are_asked_for_again(bundled_home, question, reply):
    run = _cli(["ask", question, "--json"], bundled_home)
    assert run.returncode == 0 and json.loads(run.stdout)["answer"] == reply


def test_control_characters_and_stray_bytes_are_cleaned_before_reading():
    assert clean_question("what\x00 about\x07 bury\x1b[31m?") == "what about bury ?"
    assert clean_question("caf\udcc3\udca9 in leeds") == "caf\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd in leeds"
    assert clean_question("  emoji \U0001F600 stay ") == "emoji \U0001F600 stay"
    assert clean_question(None) == ""
