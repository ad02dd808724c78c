"""The Gradio app: a streamed, cited chat with follow-ups, a sources panel, filters and modes, the documents held,
and feedback. Every answer comes from the same stages as `sendqa ask` (QA.stream, Session, brief, compare).
"""

from __future__ import annotations

import html
import os
import re
import tempfile
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline-first: no telemetry calls

import gradio as gr  # noqa: E402

from rag.brief import briefing_markdown  # noqa: E402
from rag.render import Layout, sentence_line, shaped_lines  # noqa: E402
from rag.retrieve import Filters  # noqa: E402
from rag.stat_answers import possessive  # noqa: E402
from rag.understand.conversation import Session  # noqa: E402
from sendqa.domain import KINDS, SPEAKERS  # noqa: E402
from sendqa.errors import SendQAError  # noqa: E402
from sendqa.types import Answer, AnswerSentence  # noqa: E402
from ui.admin import AdminGate, store_upload  # noqa: E402
from ui.charts import timeliness_figure  # noqa: E402
from ui.feedback import FeedbackStore  # noqa: E402
from ui.sources import sources_html  # noqa: E402
from ui.waiting import with_queue_position  # noqa: E402

EXAMPLES = [
    "What weaknesses remain in Somerset?",
    "How long are waits for autism assessment in Bury?",
    "How quickly does Leeds issue EHC plans?",
    "Compare Bury and Stoke-on-Trent",
    "A short briefing for councillors on the Oldham inspection",
    "What is an EHC plan?",
]
NOTICE = ("Answers come only from the inspection reports, statements and official statistics held here; every sentence "
          "cites its source. Council, NHS and press statements are labelled: they are not inspection findings. "
          "When the documents do not say, sendqa says so.")
MODES = ("Plain English", "Briefing", "Compare")
HEADERS = ["area", "kind", "outcome", "inspection dates", "published", "pages", "chunks", "title", "id", "files"]
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")
CSS = """
.sources blockquote { margin: .3em 0 .8em; padding-left: .8em; border-left: 3px solid #999; }
.sources mark { background: #ffe58a; color: inherit; }
.badge { display: inline-block; padding: 0 .4em; border-radius: .4em; background: #1f4e79; color: #fff; font-size: .8em; }
.gradio-container { max-width: 100% !important; }
a.cite-link { text-decoration: none; font-weight: 600; }
.sources .cite-flash { outline: 3px solid #ffbf47; }
"""
# A click (or Enter) on [n] in an answer opens source n in the sources panel instead of following the link; each
# message is labelled for screen readers with the text it shows.
HEAD = """<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.cite-link, a[href^='#cite-']");
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const cite = document.getElementById(link.getAttribute("href").slice(1));
  if (!cite) return;
  const group = cite.closest("details");
  if (group) group.open = true;
  cite.scrollIntoView({behavior: "smooth", block: "center"});
  cite.classList.add("cite-flash");
  setTimeout(() => cite.classList.remove("cite-flash"), 2000);
}, true);
// Gradio labels each message with its raw Markdown (escapes, link markup): screen readers get the text shown instead.
let relabelling = false;
new MutationObserver(() => {
  if (relabelling) return;
  relabelling = true;
  requestAnimationFrame(() => {
    relabelling = false;
    document.querySelectorAll("[data-testid=bot][aria-label], [data-testid=user][aria-label]").forEach((message) => {
      const who = message.dataset.testid === "bot" ? "Answer: " : "Question: ";
      const label = who + message.innerText.trim();
      if (message.getAttribute("aria-label") !== label) message.setAttribute("aria-label", label);
    });
  });
}).observe(document.documentElement, {subtree: true, childList: true, characterData: true});
</script>"""


def escape(text: str) -> str:
    """Document text shown as text: Markdown and HTML inside a document stay inert."""
    return _MARKDOWN.sub(r"\\\1", text)


def _line(sentence: AnswerSentence, previous: str | None) -> tuple[str, str | None]:
    """One escaped answer line whose [n] marks are links that open source n in the sources panel."""
    line, previous = sentence_line(sentence, previous)
    marks = "".join(f"[{n}]" for n in sentence.citations)
    if not marks or not line.endswith(marks):
        return escape(line), previous
    return escape(line[: -len(marks)]) + cite_links(sentence.citations), previous


def answer_lines(answer: Answer) -> list[str]:
    """An answer's lead, then its key points under their headings; points past the first few inside a "Show more"
    disclosure (HTML, so its document text is HTML-escaped there rather than Markdown-escaped)."""
    sentences, points = answer.sentences, answer.points

    def grouped(shown: bool) -> dict[str, list[dict]]:
        groups: dict[str, list[dict]] = {}
        for point in points:
            if point["shown"] == shown:
                groups.setdefault(point["heading"], []).append(point)
        return groups

    # a blank line before each heading ends the list above it (else Markdown reads the heading into its last item)
    layout = Layout(line=_line, heading=lambda h: f"**{escape(h)}**", item="    - ", gap=True)
    lines = shaped_lines(sentences, (answer.lead or {}).get("sentences", []),
                         [(h, [p["sentences"] for p in g]) for h, g in grouped(True).items()], layout,
                         held_back=frozenset(i for p in points if not p["shown"] for i in p["sentences"]))
    previous = None
    hidden = grouped(False)
    if hidden:
        lines.append("")
        count = sum(len(g) for g in hidden.values())
        body = []
        for heading, group in hidden.items():
            body.append(f"<p><strong>{html.escape(heading)}</strong></p><ul>")
            for point in group:
                texts = []
                for i in point["sentences"]:
                    line, previous = sentence_line(sentences[i], previous)
                    marks = "".join(f"[{n}]" for n in sentences[i].citations)
                    text = line[: -len(marks)] if marks and line.endswith(marks) else line
                    texts.append(html.escape(text.strip()) + " " + cite_links(sentences[i].citations))
                body.append(f"<li>{' '.join(texts)}</li>")
            body.append("</ul>")
        label = "1 more point" if count == 1 else f"{count} more points"
        lines.append(f'<details class="more-points"><summary>Show {label}</summary>{"".join(body)}</details>')
    return lines


def words_used_line(glossary: list[dict]) -> str:
    """"Words used here": each term with its plain meaning on hover (and to screen readers), and its glossary
    citation."""
    terms = [f'<abbr class="word-used" title="{html.escape(w["meaning"], quote=True)}">{html.escape(w["term"])}</abbr>'
             + cite_links([w["citation"]]) for w in glossary]
    return "*Words used here (hover for the meaning):* " + " · ".join(terms)


def cite_links(numbers: list[int]) -> str:
    return "".join(f'<a class="cite-link" href="#cite-{n}" title="Show source {n}">[{n}]</a>' for n in numbers)


def comparison_table(comparison: dict) -> list[str]:
    """A comparison's aspects as a Markdown table: one row per aspect, one cited cell per area."""
    areas = comparison["areas"]
    rows = ["", "| aspect | " + " | ".join(escape(a) for a in areas) + " |", "|---" * (len(areas) + 1) + "|"]
    for aspect in comparison["aspects"]:
        cells = [escape(c["text"]) + " " + cite_links(c["citations"]) for c in aspect["cells"]]
        rows.append(f"| {escape(aspect['aspect'])} | " + " | ".join(cells) + " |")
    return rows


def documents_rows(qa) -> list[list]:
    pages = qa.index.lexical.page_counts()
    return [[d.area or "", d.kind, d.outcome or "", d.inspection_dates or "", d.date or "", pages.get(d.doc_id, ""),
             d.n_chunks, d.title, d.doc_id, "; ".join(x for x in (d.source, d.also_named) if x)]
            for d in qa.index.documents()]


def build(qa, host: str = "127.0.0.1") -> gr.Blocks:
    """The app; `host` decides who may change the index (ui/admin.py)."""
    feedback = FeedbackStore(qa.settings.home_dir / "feedback.sqlite", store_questions=qa.settings.ui.store_questions)
    gate = AdminGate(host, qa.settings.ui.admin_token)
    local = qa.settings.answer.local
    if not local.threads and (os.cpu_count() or 1) > 1:
        # Many users share one machine: llama.cpp on every core stalls whenever retrieval needs one (2 cores, 20 users:
        # LLM answers p50 127 s with 2 threads, 43 s with 1), so a local model started by the app leaves a core free.
        local.threads = (os.cpu_count() or 2) - 1

    llm = qa.backend.can_invent
    offline = qa.settings.ui.offline

    def respond(message, history, session, mode, area, kind, speaker, since, until, show_rewritten, quotes_only=False):
        history = list(history or [])
        session = session or Session(qa)
        message = (message or "").strip()
        history.append({"role": "user", "content": escape(message)})
        history.append({"role": "assistant", "content": ""})
        try:
            if mode == "Briefing":
                yield _finish(history, qa.brief(area or message), session, briefing=True)
                return
            if mode == "Compare":
                yield _finish(history, qa.ask(message if message.lower().startswith("compare") else f"Compare {message}"),
                              session)
                return
            rewritten = session.standalone(message)
            searched = f"*Searched: {escape(rewritten)}*" if show_rewritten and rewritten != message else None
            lines, previous = [searched] if searched else [], None
            point = heading = None  # the key point and heading the last streamed sentence is under
            before_answer = len(lines)
            backend = qa.extractive if quotes_only else qa.backend
            stream = qa.stream(rewritten, area=area or None, filters=Filters.from_options(kind, speaker, since, until),
                               backend=backend)
            for item, place in with_queue_position(stream, getattr(backend, "slots", None)):
                if item is None:
                    if place and len(lines) == before_answer:  # nothing of the answer shown yet
                        history[-1]["content"] = "  \n".join(lines + [_queued(place)])
                        yield _partial(history, session)
                    continue
                if isinstance(item, Answer):
                    item.question, item.rewritten = message, rewritten
                    session.remember(message, rewritten)
                    yield _finish(history, item, session, searched=searched)
                    return
                line, previous = _line(item, previous)
                if item.heading is not None and item.heading != heading:
                    lines += ["", f"**{escape(item.heading)}**"]  # as the whole answer will show it
                if item.point is not None:
                    line = ("- " if item.point != point else "    ") + line
                point, heading = item.point, item.heading or heading
                lines.append(line)
                history[-1]["content"] = "  \n".join(lines) + "  \n*…*"
                yield _partial(history, session)
        except SendQAError as exc:
            raise gr.Error(str(exc)) from None

    def _partial(history, session):
        """The chat as it stands mid-answer; sources, download, chart and the get-report button wait for the whole
        answer."""
        return history, gr.update(), session, None, gr.update(value=None, visible=False), gr.update(), gr.update()

    def _queued(place: int) -> str:
        ahead = "1 answer is" if place == 1 else f"{place} answers are"
        return (f"*Queued: {ahead} ahead of yours for the language model; yours starts as soon as a slot is free. "
                f"Tick “Quote the reports directly” for an answer now.*")

    def _finish(history, answer: Answer, session, searched: str | None = None, briefing: bool = False):
        """The complete answer: its text (a comparison as a table), sources, the briefing file and the chart."""
        body, previous = [], None
        if answer.lead or answer.points:
            body = answer_lines(answer)
        for sentence in [] if body else answer.sentences:
            if answer.comparison and sentence.origin == "message":
                break  # the cells follow as a table
            line, previous = _line(sentence, previous)
            body.append(line)
        if answer.comparison:
            body += comparison_table(answer.comparison)
        shown = ([searched] if searched else []) + body
        if answer.glossary:
            shown += [""] if answer.points else []  # after a list: its own paragraph
            shown.append(words_used_line(answer.glossary))
        if answer.notice:
            shown.append(f"*Note: {escape(answer.notice)}*")
        history[-1]["content"] = "  \n".join(shown) or escape(answer.answer)
        download = gr.update(value=None, visible=False)
        if briefing and answer.briefing:
            path = Path(tempfile.mkdtemp(prefix="sendqa-brief-")) / f"briefing-{answer.briefing['area']}.md"
            path.write_text(briefing_markdown(answer), encoding="utf-8")
            download = gr.update(value=str(path), visible=True)
        return (history, sources_html(answer, qa.index.document_text), session, answer, download, _chart(answer),
                _get_report_button(answer))

    def _get_report_button(answer: Answer):
        """"Get Dorset's report" under an answer that says a published report is not held."""
        if not answer.reports_to_fetch or gate.required:  # elsewhere than loopback, fetching is the admin's
            return gr.update(visible=False)
        names = " and ".join(possessive(a) for a in answer.reports_to_fetch)
        label = f"Get {names} {'report' if len(answer.reports_to_fetch) == 1 else 'reports'}"
        if offline:
            return gr.update(visible=True, interactive=False,
                             value=f"{label}: downloads are off (the app was started with --offline)")
        return gr.update(visible=True, interactive=True, value=label)

    def _chart(answer: Answer):
        """Timeliness by year against England and the region, beside answers that cite the timeliness table."""
        areas = [c.area for c in answer.citations if c.table == "timeliness" and c.area]
        area = answer.briefing["area"] if answer.briefing else next(
            (a for a in areas if a in qa.catalog.stat_areas.values()), None)
        figure = timeliness_figure(qa.index.statistics, area) if area else None
        return gr.update(value=figure, visible=figure is not None)

    def like(data: gr.LikeData, answer, comment):
        if answer is None:
            return gr.update()
        feedback.add("up" if data.liked else "down", answer, comment or "",
                     settings={"backend": qa.settings.answer.backend, "fingerprint": qa.settings.fingerprint()})
        gr.Info("Thank you: your feedback was saved.")
        return gr.update(value="")

    with gr.Blocks(title="sendqa") as demo:
        gr.Markdown("## sendqa: SEND inspection reports, answered with sources\n" + NOTICE)
        session = gr.State(None)
        last_answer = gr.State(None)
        with gr.Tab("Ask"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=300):
                    chatbot = gr.Chatbot(label="Answers", height=460, feedback_options=("Like", "Dislike"))
                    box = gr.Textbox(label="Your question", placeholder="e.g. What weaknesses remain in Somerset?",
                                     lines=1, max_lines=4)
                    get_report = gr.Button(visible=False, variant="primary", elem_id="get-report")
                    gr.Examples(EXAMPLES, inputs=box, label="Examples a parent or an officer might ask")
                    with gr.Accordion("Mode and filters", open=False):
                        mode = gr.Radio(list(MODES), value=MODES[0], label="Mode")
                        area = gr.Dropdown(qa.catalog.areas, value=None, label="Area", filterable=True)
                        kind = gr.Dropdown([k for k in KINDS if k != "glossary"], value=None, label="Kind of document")
                        speaker = gr.Dropdown([s for s in SPEAKERS if s not in ("unknown", "glossary")], value=None,
                                              label="Who is speaking")
                        with gr.Row():
                            since = gr.Textbox(label="From (YYYY[-MM[-DD]])")
                            until = gr.Textbox(label="To (YYYY[-MM[-DD]])")
                        show_rewritten = gr.Checkbox(label="Show the question as searched (follow-ups)", value=True)
                        # With a language model configured, quotes alone never wait behind its generations.
                        quotes_only = gr.Checkbox(label="Quote the reports directly (no language model, fastest)",
                                                  value=False, visible=llm)
                    comment = gr.Textbox(label="Comment for your thumbs up or down on the last answer (optional)", lines=1)
                    download = gr.File(label="Download briefing (Markdown)", visible=False)
                with gr.Column(scale=2, min_width=300):
                    chart = gr.Plot(label="EHC plan timeliness", visible=False)
                    sources = gr.HTML("<p>Sources appear here, each quote highlighted in its passage.</p>", elem_id="sources-panel")
        with gr.Tab("Documents"):
            table = gr.Dataframe(value=documents_rows(qa), headers=HEADERS, interactive=False, wrap=True)
            if gate.required:
                gr.Markdown(gate.note(), elem_id="admin-note")
            admin = gr.Textbox(label="Admin token", type="password", visible=gate.required and gate.enabled,
                               elem_id="admin-token")
            with gr.Row():
                upload = gr.File(label="Add reports (PDF, text, Markdown, HTML)", file_count="multiple")
                with gr.Column():
                    remove_id = gr.Textbox(label="Remove a document: its id (last column)")
                    remove_btn = gr.Button("Remove")
            with gr.Row():
                off = " (off: the app was started with --offline)" if offline else ""
                fetch_names = gr.Textbox(label="Get reports for an area: its name (or several, comma-separated)",
                                         interactive=not offline)
                fetch_btn = gr.Button("Get reports for an area" + off, interactive=not offline)
                fetch_all_btn = gr.Button("Get all published reports" + off, interactive=not offline)
            status = gr.Markdown()
        asked = gr.State("")
        inputs = [asked, chatbot, session, mode, area, kind, speaker, since, until, show_rewritten, quotes_only]
        outputs = [chatbot, sources, session, last_answer, download, chart, get_report]
        # The box is emptied as the question is sent (not when the answer ends), so a next question typed while an
        # answer streams is never wiped.
        box.submit(lambda text: ("", text), box, [box, asked], queue=False, api_visibility="private").then(
            respond, inputs, outputs, api_name="chat", concurrency_id="answers")
        chatbot.like(like, [last_answer, comment], comment)

        def add_files(files, token=None, progress=gr.Progress(track_tqdm=True)):
            from ingest.pipeline import ingest_paths

            if not files:
                return gr.update(), ""
            try:
                gate.check(token)
            except SendQAError as exc:
                return gr.update(), escape(str(exc))
            stored, refused = [], []
            for f in files:
                path = Path(getattr(f, "name", f))
                try:
                    stored.append(store_upload(path, getattr(f, "orig_name", None) or path.name, qa.settings.home_dir,
                                               qa.settings.ingest.max_file_mb))
                except (OSError, SendQAError) as exc:
                    refused.append(f"\n- skipped {escape(str(exc))}")
            try:
                with qa.writing() as index:  # answerable at once, no restart
                    report = ingest_paths(stored, index, progress=True)
            except SendQAError as exc:  # a full disk: what was ingested before is kept, and the message says so
                return documents_rows(qa), escape(str(exc))
            skipped = "".join(refused)
            skipped += "".join(f"\n- skipped {escape(name)}: {escape(why)}" for name, why in report.skipped)
            skipped += "".join(f"\n- duplicate {escape(name)}: the same content as {escape(original)}, stored once"
                               for name, original in report.duplicates)
            skipped += "".join(f"\n- note {escape(name)}: {lines} line(s) addressed to a language model, never shown or "
                               "given to a model" for name, lines in report.instructions)
            return documents_rows(qa), f"{escape(report.summary())}{skipped}"

        def remove(doc_id, token=None):
            try:
                gate.check(token)
            except SendQAError as exc:
                return gr.update(), escape(str(exc))
            try:
                with qa.writing() as index:
                    removed = index.delete((doc_id or "").strip())
            except SendQAError as exc:
                return gr.update(), escape(str(exc))
            return documents_rows(qa), ("Removed." if removed else f"No document with id {escape(doc_id or '')}.")

        def fetch_reports(names: list[str] | None):
            """Download and ingest published reports (all when names is None); a summary line, failures named."""
            from ingest.fetch import ReportFetcher, links_for, report_links

            if offline:
                raise gr.Error("Downloads are off: the app was started with --offline.")
            links = report_links(qa.settings)
            chosen, unmatched = (links, []) if names is None else links_for(names, links)
            with qa.writing():  # answerable at once, no restart
                report = ReportFetcher(qa.settings).fetch(chosen, resume=names is None, progress=True)
            lines = [escape(report.summary())]
            lines += [f"- no published report is listed for {escape(n)}" for n in unmatched]
            lines += [f"- failed {escape(o.link.area)}: {escape(o.reason)}" for o in report.of("failed")]
            return report, "\n".join(lines)

        def get_for_answer(answer, history, session, progress=gr.Progress(track_tqdm=True)):
            """The button under an answer: fetch the report it lacked, then answer the same question again."""
            if answer is None or not answer.reports_to_fetch:
                return (history, gr.update(), session, answer, gr.update(), gr.update(), gr.update(visible=False),
                        gr.update(), gr.update())
            try:
                report, summary = fetch_reports(answer.reports_to_fetch)
            except SendQAError as exc:
                raise gr.Error(str(exc)) from None
            if report.of("failed"):
                gr.Warning(summary.replace("\n", " "))
            history = list(history or [])
            history.append({"role": "assistant", "content": ""})
            again = qa.ask(answer.rewritten or answer.question)
            again.question, again.rewritten = answer.question, answer.rewritten
            return (*_finish(history, again, session), documents_rows(qa), summary)

        def get_named(text, token=None, progress=gr.Progress(track_tqdm=True)):
            names = [n.strip() for n in re.split(r",|;", text or "") if n.strip()]
            if not names:
                return gr.update(), "Type an area's name first."
            try:
                gate.check(token)
                return documents_rows(qa), fetch_reports(names)[1]
            except SendQAError as exc:
                raise gr.Error(str(exc)) from None

        def get_all(token=None, progress=gr.Progress(track_tqdm=True)):
            try:
                gate.check(token)
                return documents_rows(qa), fetch_reports(None)[1]
            except SendQAError as exc:
                raise gr.Error(str(exc)) from None

        get_report.click(get_for_answer, [last_answer, chatbot, session], outputs + [table, status],
                         api_visibility="private", concurrency_id="answers")
        fetch_btn.click(get_named, [fetch_names, admin], [table, status], api_visibility="private")
        fetch_all_btn.click(get_all, admin, [table, status], api_visibility="private")
        upload.upload(add_files, [upload, admin], [table, status], api_name="add_documents")
        remove_btn.click(remove, [remove_id, admin], [table, status], api_name="remove_document")

        def answered(make) -> dict:
            try:
                return make().contract()
            except SendQAError as exc:  # the message, not a traceback, reaches the client
                raise gr.Error(str(exc)) from None

        def ask(question: str, quotes_only: bool = False) -> dict:
            """The `sendqa ask --json` object for a question; quotes_only answers without the language model."""
            return answered(lambda: qa.ask(question, backend=qa.extractive if quotes_only else None))

        def brief(area_name: str) -> dict:
            """A cited briefing on one area (its `briefing` field holds the sections)."""
            return answered(lambda: qa.brief(area_name))

        def compare(areas: str) -> dict:
            """A cited comparison of areas named like "Bury, Oldham and Stoke-on-Trent"."""
            return answered(lambda: qa.compare(*[a.strip() for a in re.split(r",|\band\b", areas) if a.strip()]))

        for fn in (ask, brief, compare):
            gr.api(fn, api_name=fn.__name__, concurrency_id="answers")
    # One pool of workers for every answer, sized deliberately: an answer waiting for a language model slot holds a
    # worker but no CPU, so the pool is larger than the model's slots and quotes never queue behind generations.
    demo.queue(default_concurrency_limit=qa.settings.ui.concurrency)
    return demo


def launch(qa, host: str, port: int | None, **options) -> gr.Blocks:
    """Serve the app (`sendqa serve`, the tests and the load test all start it here); options go to Blocks.launch."""
    # Gradio's own copies of uploads stay in the data directory too, and it refuses files over the ingest limit.
    os.environ["GRADIO_TEMP_DIR"] = str(qa.settings.home_dir / "uploads" / ".incoming")
    demo = build(qa, host)
    options.setdefault("max_file_size", f"{qa.settings.ingest.max_file_mb:g}mb")
    demo.launch(server_name=host, server_port=port, show_error=True, css=CSS, head=HEAD, **options)
    return demo
