"""Charts people would rather look at: an area's EHC plan 20-week timeliness by year against England and its region."""

from __future__ import annotations

from rag.areas import area_key
from rag.statistics import Statistics


def timeliness_series(stats: Statistics, area: str) -> dict[str, list[tuple[int, float]]]:
    """name -> [(year, % within 20 weeks)] for the area, its region and England (empty when not published)."""
    key = area_key(area)
    series = {}
    region = stats.region_of(key)
    for name, rows_key in ((area, key), (f"{region} region" if region else "", area_key(region or "")),
                           ("England", "england")):
        rows = [(r["year"], r["pct"]) for r in stats.timeliness(rows_key) if r["pct"] is not None] if name else []
        if rows:
            series[name] = rows
    return series if area in series else {}


def timeliness_figure(stats: Statistics, area: str):
    """A matplotlib figure, or None when the statistics hold no timeliness for the area."""
    series = timeliness_series(stats, area)
    if not series:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.2, 3.0))
    for name, points in series.items():
        years, values = zip(*points)
        ax.plot(years, values, marker="o", linewidth=2.5 if name == area else 1.5, label=name)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of new EHC plans within 20 weeks")
    ax.set_title(f"EHC plans issued within 20 weeks: {area}")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.text(0.01, 0.01, "Source: Department for Education, OGL v3.0", fontsize=7)
    fig.tight_layout()
    return fig
