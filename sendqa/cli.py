"""The `sendqa` command line: ingest, fetch, remove, docs, ask, serve, eval."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from sendqa.errors import SendQAError, disk_full, reraise_for_developers
from sendqa.safety import without_controls
from sendqa.settings import load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Cited answers from UK area SEND inspection reports. Data lives in $SENDQA_HOME (default ~/.sendqa).")


def _echo(message: object = "", err: bool = False) -> None:
    """typer.echo with terminal escapes and control characters removed: answers quote document text, and a
    document's escape could recolour, hide or link text in the user's terminal."""
    typer.echo(without_controls(str(message)), err=err)


def _fail(exc: Exception) -> None:
    if reraise_for_developers():
        raise exc
    _echo(f"Error: {exc}", err=True)
    raise typer.Exit(2)


@app.command()
def ingest(paths: Optional[list[Path]] = typer.Argument(None, help="Files or folders (.pdf, .txt, .md, .html)."),
           rebuild: bool = typer.Option(False, "--rebuild", help="First rebuild the vectors and the lexical index from the stored documents (after the Chroma folder was lost or damaged)."),
           quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar.")) -> None:
    """Add documents to the index. Unchanged files are skipped; changed files replace their old version."""
    from ingest.pipeline import ingest_paths, rebuild as rebuild_index
    from rag.index import CorpusIndex

    if not paths and not rebuild:
        _echo("Error: give files or folders to ingest (or --rebuild)", err=True)
        raise typer.Exit(2)
    try:
        settings = load_settings()
        if rebuild:
            _echo("rebuilt: " + rebuild_index(settings, progress=not quiet).summary())
        report = ingest_paths(paths or [], CorpusIndex(settings), progress=not quiet)
    except SendQAError as exc:
        _fail(exc)
        return
    for name, why in report.skipped:
        _echo(f"skipped {name}: {why}", err=True)
    for name, original in report.duplicates:
        _echo(f"duplicate {name}: the same content as {original}, stored once (both names are listed)")
    for name, lines in report.instructions:
        _echo(f"note {name}: {lines} line{'s' if lines > 1 else ''} addressed to a language model (\"ignore "
                   "previous instructions\" and the like): stored, but never shown or given to a model", err=True)
    if paths:
        _echo(report.summary())
    if report.skipped:
        raise typer.Exit(1)


@app.command()
def fetch(areas: Optional[list[str]] = typer.Argument(None, help="Areas whose published report to get (\"bury\", \"herts\")."),
          all_reports: bool = typer.Option(False, "--all", help="Every published report in the bundled table."),
          base_url: Optional[str] = typer.Option(None, "--base-url", help="Fetch from this scheme and host instead of https://files.ofsted.gov.uk (a mirror; also SENDQA_FETCH__BASE_URL)."),
          quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar.")) -> None:
    """Download published inspection reports from the official links in the bundled table, and ingest them."""
    from ingest.fetch import ReportFetcher, links_for, report_links

    if not areas and not all_reports:
        _echo("Error: name areas to fetch (sendqa fetch bury herts) or give --all", err=True)
        raise typer.Exit(2)
    try:
        settings = load_settings()
        links = report_links(settings)
        chosen, unmatched = (links, []) if all_reports else links_for(areas or [], links)
        for name in unmatched:
            _echo(f"no published report is listed for '{name}' in the bundled table", err=True)
        fetcher = ReportFetcher(settings, base_url=base_url)
        report = fetcher.fetch(chosen, resume=all_reports, progress=not quiet)
    except SendQAError as exc:
        _fail(exc)
        return
    if report.resumed:
        _echo(f"resumed an interrupted --all: {report.resumed} reports were left")
    for outcome in report.of("failed"):
        _echo(f"failed {outcome.link.area} ({outcome.link.url_at(fetcher.base_url)}): {outcome.reason}", err=True)
    _echo(report.summary())
    if report.of("failed") or unmatched:
        raise typer.Exit(1)


@app.command()
def doctor() -> None:
    """Check that the document table, the lexical index, Chroma and the docstore describe the same documents."""
    from rag.index import CorpusIndex
    from rag.statistics import disagreements

    try:
        index = CorpusIndex(load_settings())
        index.load_statistics()
        counts = index.chunk_counts()
        problems = index.problems()
        conflicts = disagreements(index.documents(), index.statistics)
    except SendQAError as exc:
        _fail(exc)
        return
    totals = {store: sum(c[store] for c in counts.values()) for store in ("table", "lexical", "chroma", "docstore")}
    _echo(f"{len(counts)} documents; chunks: table {totals['table']}, lexical {totals['lexical']}, "
               f"Chroma {totals['chroma']}; docstore texts {totals['docstore']}")
    for line in conflicts:
        # Not a fault of the index: the report and the statistics disagree, and a user should know.
        _echo(f"disagreement with the official statistics: {line}")
    if index.statistics.available():
        _echo(f"statistics: {', '.join(sorted(index.statistics.sources))} loaded; "
                   f"{len(conflicts)} disagreements with the indexed reports")
    for line in problems:
        _echo(f"problem: {line}")
    if problems:
        _echo("fix: `sendqa ingest --rebuild` rebuilds the vectors and the lexical index from the stored documents",
                   err=True)
        raise typer.Exit(1)
    _echo("ok: every store agrees")


@app.command()
def remove(doc_ids: list[str] = typer.Argument(..., help="Document ids (see `sendqa docs`).")) -> None:
    """Remove documents from the index."""
    from rag.index import CorpusIndex

    try:
        index = CorpusIndex(load_settings())
        missing = [d for d in doc_ids if not index.delete(d)]
    except SendQAError as exc:
        _fail(exc)
        return
    for doc_id in doc_ids:
        _echo(f"{'not found' if doc_id in missing else 'removed'}: {doc_id}")
    if missing:
        raise typer.Exit(1)


@app.command()
def docs(area: Optional[str] = typer.Option(None, help="Only this local area."),
         outcome: Optional[str] = typer.Option(None, help="positive | inconsistent | widespread (2023-framework outcome)."),
         kind: Optional[str] = typer.Option(None, help="inspection report | revisit letter | council or NHS statement | news article"),
         as_json: bool = typer.Option(False, "--json", help="Print JSON lines.")) -> None:
    """List indexed documents and the facts extracted from them."""
    from rag.index import CorpusIndex

    try:
        index = CorpusIndex(load_settings())
    except SendQAError as exc:
        _fail(exc)
        return
    where, params = [], []
    if area:
        where.append("lower(area) = lower(?)")
        params.append(area)
    if outcome:
        where.append("outcome LIKE ?")
        params.append(f"%{outcome}%")
    if kind:
        where.append("kind = ?")
        params.append(kind)
    records = index.documents(" AND ".join(where), tuple(params))
    for record in records:
        if as_json:
            _echo(json.dumps(record.model_dump(exclude={"sha256"})))
        else:
            also = f"\talso named: {record.also_named}" if record.also_named else ""
            _echo(f"{record.doc_id}\t{record.area or '-'}\t{record.kind}\t{record.date or '-'}\t{record.outcome or '-'}"
                       f"{also}")
    if not as_json:
        _echo(f"{len(records)} documents", err=True)


def _with_backend(settings, backend: Optional[str]):
    if not backend:
        return settings
    return load_settings(settings.model_dump() | {"answer": settings.answer.model_dump() | {"backend": backend}})


def _print_citations(answer) -> None:
    if answer.citations:
        _echo("")
    previous = None
    for i, c in enumerate(answer.citations):
        if c.citation_type == "statistic":
            _echo(f"[{c.n}] official statistics: {c.publication or c.title} ({c.source}; row: {c.row}; "
                       f"{c.licence or 'OGL v3.0'}): {c.quote}")
            previous = None
            continue
        where = ", ".join(x for x in (f"p. {c.page}" if c.page else "", c.section or "") if x)
        label = "glossary: " if c.citation_type == "glossary" else ""
        following = answer.citations[i + 1] if i + 1 < len(answer.citations) else None
        if c.doc_id == previous or (following is not None and following.doc_id == c.doc_id):
            # passages of one document in a row: its title once, then where each passage is
            if c.doc_id != previous:
                _echo(f"{label}{c.title} ({c.source}):")
            _echo(f"[{c.n}] {where or 'passage'}")
        else:
            _echo(f"[{c.n}] {label}{c.title} ({c.source}{'; ' + where if where else ''})")
        previous = c.doc_id


@app.command()
def ask(question: str = typer.Argument(..., help="Your question, in plain English."),
        area: Optional[str] = typer.Option(None, help="Restrict to this local area."),
        kind: Optional[str] = typer.Option(None, help="Restrict to one kind of document."),
        speaker: Optional[str] = typer.Option(None, help="Restrict to one speaker (Ofsted/CQC, council, press...)."),
        since: Optional[str] = typer.Option(None, help="Published on or after (YYYY[-MM[-DD]])."),
        until: Optional[str] = typer.Option(None, help="Published on or before (YYYY[-MM[-DD]])."),
        backend: Optional[str] = typer.Option(None, help="Answer backend: extractive, local or openai."),
        stream: bool = typer.Option(False, "--stream", help="Print each verified sentence as soon as it is ready."),
        show_all: bool = typer.Option(False, "--all", help="Show every key point, not only the first few."),
        as_json: bool = typer.Option(False, "--json", help="Print exactly one JSON object.")) -> None:
    """Answer a question with citations to the report passages it came from."""
    try:
        settings = _with_backend(load_settings(), backend)
        if show_all:
            settings.answer.max_points = 0
    except SendQAError as exc:
        _fail(exc)
        return
    from rag.encoders import preload

    preload(settings.retrieval.embedding)  # read the model's weights while the answer path imports
    from rag.render import sentence_line
    from rag.retrieve import Filters
    from sendqa.app import open_qa
    from sendqa.types import Answer

    try:
        filters = Filters.from_options(kind, speaker, since, until)
        qa = open_qa(settings)
        if as_json or not stream:
            answer = qa.ask(question, area=area, filters=filters)
        else:
            answer, previous, point, heading = None, None, None, None
            for item in qa.stream(question, area=area, filters=filters):
                if isinstance(item, Answer):
                    answer = item
                elif item.origin != "message":
                    # Citation numbers are final once a sentence is shown; the list follows at the end.
                    line, previous = sentence_line(item, previous)
                    if item.heading is not None and item.heading != heading:
                        _echo(f"\n{item.heading}:")
                    if item.point is not None:
                        line = ("- " if item.point != point else "  ") + line
                    point, heading = item.point, item.heading or heading
                    _echo(line)
    except SendQAError as exc:
        _fail(exc)
        return
    if as_json:
        sys.stdout.write(json.dumps(answer.contract(), ensure_ascii=False) + "\n")
        return
    if stream:
        if answer.abstained:
            _echo(answer.answer.splitlines()[0] if answer.sentences else answer.answer)
    else:
        _echo(answer.answer)
    if (hidden := sum(not p["shown"] for p in answer.points)):
        _echo(f"\n({hidden} more {'point' if hidden == 1 else 'points'}: add --all to see {'it' if hidden == 1 else 'them'})")
    if answer.notice:
        _echo(f"\nNote: {answer.notice}", err=True)
    if answer.glossary:
        _echo("\nWords used here:")
        for word in answer.glossary:
            _echo(f"- {word['term']}: {word['meaning']} [{word['citation']}]")
    if answer.reports_to_fetch:
        _echo("\nGet it: sendqa fetch " + " ".join(f'"{a}"' if " " in a else a for a in answer.reports_to_fetch))
    _print_citations(answer)


@app.command()
def brief(area: str = typer.Argument(..., help="The local area, e.g. Medway."),
          out: Optional[Path] = typer.Option(None, help="Also write the briefing as Markdown to this file."),
          as_json: bool = typer.Option(False, "--json", help="Print the answer's JSON object instead of Markdown.")) -> None:
    """A cited briefing on one area: outcome, history, timeliness, what works, what must improve, next steps."""
    from rag.brief import briefing_markdown
    from sendqa.app import open_qa

    try:
        answer = open_qa(load_settings()).ask(f"Briefing on the {area} area SEND inspection")
    except SendQAError as exc:
        _fail(exc)
        return
    if answer.briefing is None:
        _fail(SendQAError(answer.answer if answer.abstained else f"no briefing could be made for {area}"))
        return
    markdown = briefing_markdown(answer)
    if out:
        out.write_text(markdown, encoding="utf-8")
    if as_json:
        sys.stdout.write(json.dumps(answer.contract(), ensure_ascii=False) + "\n")
    else:
        _echo(markdown)


@app.command()
def chat(as_json: bool = typer.Option(False, "--json", help="Read one question a line from standard input; print one "
                                                            "JSON object a line (the ask --json object plus 'rewritten')."),
         backend: Optional[str] = typer.Option(None, help="Answer backend: extractive, local or openai.")) -> None:
    """A conversation: follow-ups ("and there?", "what about Stoke?") carry the areas and topic of earlier turns."""
    from rag.understand.conversation import Session
    from sendqa.app import open_qa
    from sendqa.types import Answer, AnswerSentence

    try:
        session = Session(open_qa(_with_backend(load_settings(), backend)))
    except SendQAError as exc:
        _fail(exc)
        return
    interactive = not as_json and sys.stdin.isatty()
    while True:
        if interactive:
            _echo("> ", nl=False)
        line = sys.stdin.readline()
        if not line:
            break
        question = line.strip()
        if not question:
            continue
        if question.lower() in ("exit", "quit", ":q"):
            break
        try:
            answer = session.ask(question)
        except SendQAError as exc:  # one bad turn (a store gone, a backend down) ends no conversation
            if not as_json:
                _echo(str(exc), err=True)
                continue
            answer = Answer(question=question, answer=str(exc), abstained=True, backend="none",
                            sentences=[AnswerSentence(text=str(exc), origin="message")])
        if as_json:
            sys.stdout.write(json.dumps(answer.contract(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
            continue
        if answer.rewritten and answer.rewritten != question:
            _echo(f"(searched: {answer.rewritten})")
        _echo(answer.answer)
        _print_citations(answer)
        _echo("")


@app.command()
def serve(host: Optional[str] = typer.Option(None), port: Optional[int] = typer.Option(None),
          offline: bool = typer.Option(False, "--offline", help="No downloads: the app's Get report buttons are off.")) -> None:
    """Start the Gradio chat app."""
    from sendqa.app import open_qa
    from ui.app import launch

    try:
        settings = load_settings()
        if offline:
            settings.ui.offline = True
        qa = open_qa(settings)
    except SendQAError as exc:
        _fail(exc)
        return
    launch(qa, host=host or settings.ui.host, port=port or settings.ui.port)


@app.command()
def bench(questions: int = typer.Option(40, help="Dev questions to time."),
          backend: str = typer.Option("extractive", help="Backends to time, comma-separated."),
          baseline: bool = typer.Option(True, help="Also time the naive llama-index baseline."),
          scale: int = typer.Option(1, help="Grow the corpus to 10x, 100x ... this many times its size (perturbed copies)."),
          server: bool = typer.Option(True, help="With --scale: also time retrieval through a real `chroma run` server."),
          out: Path = typer.Option(Path("evals/out"), help="Folder for bench.json/.md (and scale.json/.png).")) -> None:
    """Time ingest, retrieval and answers on this machine in a fresh data directory; print one table."""
    from evals.bench import markdown, run_bench, run_scale, scale_markdown

    try:
        if scale > 1:
            _echo(scale_markdown(run_scale(load_settings(), scale, questions=questions, out_dir=out,
                                                      server=server, progress=True)))
            return
        result = run_bench(load_settings(), questions=questions, baseline=baseline, out_dir=out,
                           backends=tuple(b.strip() for b in backend.split(",") if b.strip()))
    except SendQAError as exc:
        _fail(exc)
        return
    _echo(markdown(result))


feedback_app = typer.Typer(no_args_is_help=True, help="Feedback given in the app (thumbs and comments).")
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def feedback_export(out: Optional[Path] = typer.Option(None, help="Write JSONL here instead of standard output.")) -> None:
    """Every piece of feedback as JSON lines: question, rewritten question, answer, citations, backend, settings."""
    from ui.feedback import FeedbackStore

    rows = FeedbackStore(load_settings().home_dir / "feedback.sqlite").rows()
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if out:
        out.write_text(text, encoding="utf-8")
        _echo(f"{len(rows)} feedback records written to {out}", err=True)
    else:
        sys.stdout.write(without_controls(text))


llm_app = typer.Typer(no_args_is_help=True, help="The local LLM: packaged GGUF models and llama.cpp's server.")
app.add_typer(llm_app, name="llm")


@llm_app.command("models")
def llm_models() -> None:
    """List the GGUF models that ship in PyPI packages, and whether each is installed."""
    from rag.backends.models import PACKAGED_MODELS
    from sendqa.errors import SendQAError as Missing

    for model in PACKAGED_MODELS.values():
        try:
            model.part_paths()
            state = "installed"
        except Missing:
            state = "not installed: pip install " + " ".join(model.requirements[:2]) + (" ..." if len(model.requirements) > 2 else "")
        _echo(f"{model.model_id}\t{model.description}\t{state}")


@llm_app.command("serve")
def llm_serve(port: int = typer.Option(8765, help="Loopback port for the OpenAI-compatible server.")) -> None:
    """Run llama.cpp's OpenAI-compatible server for the configured model; `--backend local` then reuses it."""
    import time

    from rag.backends.llama_server import record, start_server

    try:
        settings = load_settings()
        server = start_server(settings, port=port)
    except SendQAError as exc:
        _fail(exc)
        return
    record(server, settings)
    _echo(f"serving {server.model_id} at {server.base_url} (Ctrl+C stops it)")
    try:
        while server.process and server.process.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@app.command("eval")
def eval_command(subset: str = typer.Option("all", help="all | gate (the fast CI subset)."),
                 split: str = typer.Option("dev,test", help="Splits to score, comma-separated: dev (tuned on), test (reported only)."),
                 backend: str = typer.Option("extractive", help="Backends to compare, comma-separated: extractive, local, local:free, openai ..."),
                 baseline: bool = typer.Option(True, help="Also score the naive llama-index baseline."),
                 baseline_llm: Optional[str] = typer.Option(None, help="Give the baseline a real LLM backend (local, openai) instead of its extractive stand-in."),
                 out: Path = typer.Option(Path("evals/out"), help="Folder for eval.json, eval.md and eval.png."),
                 gate: bool = typer.Option(False, help="Exit 1 when a gate threshold is missed."),
                 sample: int = typer.Option(0, help="Score only this many items of each split, evenly spaced through the files (for slow backends); 0: all."),
                 robustness: bool = typer.Option(False, "--robustness", help="Also run the reworded variants of the selected splits' items (evals/items_robustness/, test only: typo, context, officer) and report one row per style beside the originals.")) -> None:
    """Score sendqa (and a naive baseline) on the eval set; writes JSON, Markdown and a chart."""
    from evals.harness import gate_failures, run_eval
    from evals.report import overall_table, robustness_table, table

    try:
        summary, info = run_eval(load_settings(), subset=subset, baseline=baseline, out_dir=out,
                                 backends=tuple(b.strip() for b in backend.split(",") if b.strip()),
                                 splits=tuple(s.strip() for s in split.split(",") if s.strip()),
                                 baseline_llm=baseline_llm, robustness=robustness, sample=sample)
    except SendQAError as exc:
        _fail(exc)
        return
    _echo(overall_table(summary) + "\n\n" + table(summary))
    if "robustness" in info:
        _echo("\nWording robustness (test items and their rewordings; change from the originals in brackets):\n\n"
                   + robustness_table(info["robustness"]))
    _echo(f"\nreport: {info['report']}  ({info['meta']['items']} items; {info['meta']['items_missing_documents']} skipped for missing documents)")
    if "robustness" in info:
        _echo(f"robustness: {info['meta']['robustness_items']} variants; {info['meta']['robustness_items_missing_documents']} skipped for missing documents")
    first = next(iter(summary.values()))
    failures = gate_failures(first["overall"])
    if gate and failures:
        _echo("gate FAILED: " + "; ".join(failures), err=True)
        raise typer.Exit(1)


def main() -> None:
    try:
        app()
    except Exception as exc:
        if not disk_full(exc) or reraise_for_developers():
            raise
        # Any command can meet a full disk (a cache, the statistics, feedback): say so, not a traceback.
        _echo(f"Error: the disk holding {load_settings().home_dir} is full ({exc}): free some space, then run "
                   "`sendqa doctor`", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
