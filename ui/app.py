"""A Gradio ChatInterface over the QA service (thin for now: answers with rendered sources)."""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline-first: no telemetry calls

import gradio as gr  # noqa: E402

from sendqa.errors import SendQAError  # noqa: E402
from ui.render import answer_markdown  # noqa: E402

EXAMPLES = [
    "What weaknesses remain in Somerset?",
    "What was the outcome of Bury's 2024 inspection?",
    "How long are waits for autism assessment in Bury?",
]


def build(qa) -> gr.Blocks:
    def respond(message: str, history: list) -> str:
        try:
            return answer_markdown(qa.ask(message))
        except SendQAError as exc:
            raise gr.Error(str(exc)) from None

    return gr.ChatInterface(
        respond,
        title="sendqa: SEND inspection reports, answered with sources",
        description="Answers come only from the Ofsted/CQC reports and statements indexed here; every sentence cites its passage. Council, NHS and press statements are labelled as such: they are not inspection findings.",
        examples=EXAMPLES,
        cache_examples=False,
    )


def launch(qa, host: str, port: int) -> None:
    build(qa).launch(server_name=host, server_port=port, show_error=True)
