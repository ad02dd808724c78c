"""Render an Answer (already resolved citations) as Markdown for the chat."""

from __future__ import annotations

import html

from sendqa.types import Answer


def answer_markdown(answer: Answer) -> str:
    lines = [html.escape(line, quote=False) for line in answer.answer.splitlines()]
    out = ["  \n".join(lines)]
    if answer.notice:
        out.append(f"\n*Note: {html.escape(answer.notice, quote=False)}*")
    if answer.citations:
        out.append("\n**Sources**")
        for c in answer.citations:
            where = ", ".join(x for x in (f"p. {c.page}" if c.page else "", c.section or "") if x)
            quote = html.escape(c.quote if len(c.quote) < 400 else c.quote[:397] + "...", quote=False)
            out.append(f"{c.n}. *{html.escape(c.title)}* ({html.escape(c.source)}{'; ' + html.escape(where) if where else ''})"
                       f"  \n   > {quote}")
    return "\n".join(out)
