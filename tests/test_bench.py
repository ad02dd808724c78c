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
    assert rows["ingest"]["documents"] == 45 and rows["ingest"]["chunks"] > 500
    assert rows["ingest"]["pages_per_s"] > 0 and rows["ingest"]["encode_only_s"] > 0
    assert rows["reingest_unchanged"]["unchanged"] == 45
    assert rows["retrieval"]["n"] == 3 and rows["answer: extractive"]["p50_ms"] > 0
    assert rows["first answer in a new process"]["ok"]
    assert rows["baseline"]["p50_ms"] > 0 and rows["peak memory"]["rss_mb"] > 0
    assert (tmp_path / "bench.json").exists() and "| ingest |" in (tmp_path / "bench.md").read_text()
