"""`sendqa bench` at 1x with a few questions, so the command cannot rot (its figures are printed, not asserted)."""

from __future__ import annotations

from sendqa.settings import load_settings
from tests.conftest import needs_shared


@needs_shared
def test_small_bench_runs_and_reports_every_row(tmp_path):
    from evals.bench import markdown, run_bench

    result = run_bench(load_settings(), questions=3, out_dir=tmp_path)
    rows = result["rows"]
    print("\n" + markdown(result))
    assert rows["ingest"]["documents"] == 46 and rows["ingest"]["chunks"] > 500
    assert rows["ingest"]["pages_per_s"] > 0 and rows["ingest"]["encode_only_s"] > 0
    assert rows["reingest_unchanged"]["unchanged"] == 46
    assert rows["retrieval"]["n"] == 3 and rows["answer: extractive"]["p50_ms"] > 0
    assert rows["intent router"]["n"] == 3 and rows["relevance model"]["n"] == 3 and rows["slot reader"]["n"] == 3
    fetched = rows["fetch --all (loopback mirror)"]
    assert fetched["reports"] == 40 and fetched["failed"] == 0 and fetched["repeat_fetched"] == 0
    assert rows["first answer in a new process"]["ok"]
    assert rows["baseline"]["p50_ms"] > 0 and rows["peak memory"]["rss_mb"] > 0
    assert (tmp_path / "bench.json").exists() and "| ingest |" in (tmp_path / "bench.md").read_text()


@needs_shared
def test_scale_run_grows_the_index_and_times_the_chroma_server(tmp_path):
    from evals.bench import run_scale, scale_markdown

    result = run_scale(load_settings(), 2, questions=2, out_dir=tmp_path, server=True)
    print("\n" + scale_markdown(result))
    small, large = result["points"]
    assert (small["size"], large["size"]) == (1, 2)
    assert large["documents"] == 2 * small["documents"] and large["chunks"] > 1.8 * small["chunks"]
    assert large["server_retrieval_p50_ms"] > 0 and large["new_process_rss_mb"] > 0
    # Doubling the corpus with renamed copies must not cost the original questions their facts.
    assert large["key_fact_recall"] >= small["key_fact_recall"] - 0.05
    assert (tmp_path / "scale.json").exists() and (tmp_path / "scale.png").stat().st_size > 0
