"""Markdown table and matplotlib chart for an eval run."""

from __future__ import annotations

from pathlib import Path

COLUMNS = ["n", "hit@1", "hit@5", "mrr@10", "key_fact_recall", "citation_validity", "faithfulness", "abstention",
           "false_refusal", "critical_errors", "latency_p50_ms", "latency_p95_ms", "first_sentence_p50_ms",
           "verified_share", "reading_ease_p50", "words_p50", "gold_early"]
CHART_METRICS = ["hit@1", "hit@5", "mrr@10", "key_fact_recall", "citation_validity", "faithfulness", "abstention"]


def _cell(value) -> str:
    return "–" if value is None else (f"{value:.3f}" if isinstance(value, float) and value <= 1.0 else str(value))


def overall_table(summary: dict) -> str:
    """One row per configuration (overall only): the README's backend table."""
    lines = ["| config | " + " | ".join(COLUMNS) + " |", "|" + "---|" * (len(COLUMNS) + 1)]
    for config, parts in summary.items():
        lines.append(f"| {config} | " + " | ".join(_cell(parts["overall"].get(c)) for c in COLUMNS) + " |")
    return "\n".join(lines)


def table(summary: dict) -> str:
    lines = ["| config | kind | " + " | ".join(COLUMNS) + " |", "|" + "---|" * (len(COLUMNS) + 2)]
    for config, parts in summary.items():
        rows = [("all", parts["overall"])] + sorted(parts["by_kind"].items())
        for kind, metrics in rows:
            lines.append(f"| {config} | {kind} | " + " | ".join(_cell(metrics.get(c)) for c in COLUMNS) + " |")
    return "\n".join(lines)


# The metrics of the wording-robustness table (and of the JSON report's "robustness" field).
ROBUSTNESS_COLUMNS = ["n", "key_fact_recall", "false_refusal", "abstention", "hit@1", "hit@5", "citation_validity",
                      "faithfulness", "critical_errors"]


def _signed(value) -> str:
    if value is None:
        return ""
    return f" ({value:+.3f})" if isinstance(value, float) else f" ({value:+d})"


def robustness_table(robustness: dict) -> str:
    """One row per backend's original test items and one per rewording style, each metric with its change from
    the originals in brackets (evals/README.md, "Wording robustness")."""
    lines = ["| config | wording | " + " | ".join(ROBUSTNESS_COLUMNS) + " |",
             "|" + "---|" * (len(ROBUSTNESS_COLUMNS) + 2)]
    for config, rows in robustness.items():
        for wording, metrics in rows.items():
            delta = metrics.get("delta", {})
            cells = [_cell(metrics.get(c)) + _signed(delta.get(c)) for c in ROBUSTNESS_COLUMNS]
            lines.append(f"| {config} | {wording} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_markdown(summary: dict, meta: dict, chart_name: str, path: Path, robustness: dict | None = None) -> None:
    head = "\n".join(f"- {k}: {v}" for k, v in meta.items())
    section = f"## Wording robustness\n\n{robustness_table(robustness)}\n\n" if robustness is not None else ""
    path.write_text(f"# sendqa eval\n\n{head}\n\n## Overall\n\n{overall_table(summary)}\n\n{section}## By kind\n\n"
                    f"{table(summary)}\n\n![metrics]({chart_name})\n", encoding="utf-8")


def write_chart(summary: dict, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    configs = list(summary)
    width = 0.8 / max(1, len(configs))
    fig, ax = plt.subplots(figsize=(12, 4.5))
    for i, config in enumerate(configs):
        overall = summary[config]["overall"]
        values = [overall.get(m) or 0.0 for m in CHART_METRICS]
        ax.bar([x + i * width for x in range(len(CHART_METRICS))], values, width, label=config)
    ax.set_xticks([x + width * (len(configs) - 1) / 2 for x in range(len(CHART_METRICS))])
    ax.set_xticklabels(CHART_METRICS, rotation=20)
    ax.set_ylim(0, 1.05)
    ax.set_title("sendqa vs configurations (overall)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
