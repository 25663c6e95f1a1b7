"""A picture of the munitions claims: launched vs intercepted over time, one panel per munition category.

Works on whatever package it is given (the installed data, an imported package, a release).
A claim is dated by its attack window (``window_start``, else ``window_end``), else by the
update that states it; claims without a date or without either count are left out, and the
figure says how many claims it sums. The counts are the claimants' own: parties to the war,
not verified facts, and several claimants may count the same attack.

matplotlib is used through its object-oriented API on the Agg canvas: no pyplot, no global
state, no window, and the backend of a running notebook is left alone.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import polars as pl
    from matplotlib.figure import Figure

from .atomic import atomic_file
from .errors import require
from .load import open_package_or_version

EXTRA = "plot"
MAX_PANELS = 8
LAUNCHED, INTERCEPTED = "#9ecae1", "#08519c"  # light and dark blue: intercepted reads as a part of launched
PERIODS = {"day": ("1d", 1), "week": ("1w", 7), "month": ("1mo", 30.4)}


@dataclass
class Series:
    """The sums to draw: one row per period and category, with what was left out."""

    rows: list[dict]  # {"period": date, "category": str, "launched": int, "intercepted": int}
    period: str  # "day", "week" or "month"
    claims: int  # claims summed
    undated: int  # claims with a count but no date, left out
    label: str  # what package it is
    categories: list[str] = field(default_factory=list)  # by total launched, largest first
    first: dt.date | None = None  # the earliest and latest date of a claim summed
    last: dt.date | None = None


def series(path: str | os.PathLike | None = None, *, version: str | None = None) -> Series:
    """Launched and intercepted summed per period and munition category.

    The period is a day for up to two months of data, a week for up to two years, else a month.

    Examples
    --------
    >>> s = series()
    >>> s.period, s.claims > 0
    ('day', True)
    """
    import polars as pl

    from .load import load_arrow

    package = open_package_or_version(path, version)
    # a pyarrow Table always comes back as a DataFrame (from_arrow is typed for arrays too)
    get = {n: cast("pl.DataFrame", pl.from_arrow(load_arrow(package, n)))
           for n in ("munitions", "munition_types", "updates")}
    m = get["munitions"].join(get["updates"].select("update_id", pl.col("published_date").alias("_update_date")),
                              on="update_id", how="left")
    m = m.join(get["munition_types"].select("munition_type_id", pl.col("category").cast(pl.String)),
               on="munition_type_id", how="left")
    m = m.with_columns(
        pl.coalesce(pl.col("window_start").dt.date(), pl.col("window_end").dt.date(), "_update_date").alias("date"),
        pl.col("category").fill_null("unknown"),
    ).filter(pl.col("launched").is_not_null() | pl.col("intercepted").is_not_null())
    undated = m.filter(pl.col("date").is_null()).height
    m = m.filter(pl.col("date").is_not_null())
    label = package.descriptor.get("title") or package.root.name
    label += f" (version {package.version})" if package.version else ""
    if m.is_empty():
        return Series([], "day", 0, undated, label)
    # the column is of polars Date: its min and max are datetime.date (polars types them as any scalar)
    first, last = cast(dt.date, m["date"].min()), cast(dt.date, m["date"].max())
    span = (last - first).days
    period = "day" if span <= 62 else "week" if span <= 730 else "month"
    sums = (m.with_columns(pl.col("date").dt.truncate(PERIODS[period][0]).alias("period"))
            .group_by("period", "category")
            .agg(pl.col("launched").sum(), pl.col("intercepted").sum())
            .sort("period", "category"))
    totals = sums.group_by("category").agg(pl.col("launched").sum(), pl.col("intercepted").sum())
    order = totals.sort(["launched", "intercepted", "category"], descending=[True, True, False])["category"].to_list()
    return Series(sums.to_dicts(), period, m.height, undated, label, order, first, last)


def figure(data: Series, *, title: str | None = None) -> Figure:
    """Draw ``data`` on a new matplotlib Figure (Agg canvas) and return it.

    Up to :data:`MAX_PANELS` categories get a panel each, in order of launched; the rest
    share one last panel. Each panel has its own scale: drones count in hundreds, missiles
    in ones.
    """
    require("matplotlib", EXTRA)
    import matplotlib.dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = _panels(data)
    ncols = 1 if len(panels) <= 3 else 2
    nrows = max(1, math.ceil(len(panels) / ncols))
    fig = Figure(figsize=(11 if ncols == 2 else 9, 1.2 + 2.5 * nrows), layout="constrained", dpi=120)
    FigureCanvasAgg(fig)
    every = {"day": "day", "week": "week", "month": "month"}[data.period]
    fig.suptitle(title or f"Munitions launched and intercepted, per {every} and munition category",
                 fontsize=13, fontweight="bold")
    note = (f"Sums of {data.claims} claims in {data.label}"
            + (f", {_span(data.first, data.last)}" if data.rows and data.first and data.last else "")
            + (f"; {data.undated} undated claims left out" if data.undated else "")
            + ".\nThe counts are the claimants' own (parties to the war, not verified facts); "
              "several claimants may count the same attack.")
    fig.supxlabel(note, fontsize=8, color="#444444")
    if not panels:
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, "No munitions claims with a date and a launched or intercepted count.",
                ha="center", va="center", fontsize=11)
        return fig
    axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
    days = PERIODS[data.period][1]
    for ax, (name, rows) in zip(axes, panels, strict=False):
        # bars centred on their period, intercepted drawn inside launched
        x = [r["period"] + dt.timedelta(days=days / 2) for r in rows]
        ax.bar(x, [r["launched"] for r in rows], width=0.85 * days, color=LAUNCHED, label="launched")
        ax.bar(x, [r["intercepted"] for r in rows], width=0.45 * days, color=INTERCEPTED, label="intercepted")
        ax.set_title(name, fontsize=10, loc="left")
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
        ax.yaxis.get_major_locator().set_params(integer=True)
    for ax in axes[len(panels):]:
        ax.set_axis_off()
    start, end = min(r["period"] for r in data.rows), max(r["period"] for r in data.rows)
    pad = dt.timedelta(days=days * (1 if end > start else 3))
    axes[0].set_xlim(start - pad, end + dt.timedelta(days=days) + pad)
    locator = mdates.AutoDateLocator()
    for ax in axes[:len(panels)]:
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.tick_params(labelbottom=True, labelsize=8)
    axes[0].legend(loc="upper left", frameon=False, fontsize=9)
    return fig


def _panels(data: Series) -> list[tuple[str, list[dict]]]:
    keep = data.categories if len(data.categories) <= MAX_PANELS else data.categories[:MAX_PANELS - 1]
    rest = [c for c in data.categories if c not in keep]
    panels = [(_title(c), [r for r in data.rows if r["category"] == c]) for c in keep]
    if rest:
        merged: dict = {}
        for r in data.rows:
            if r["category"] in rest:
                m = merged.setdefault(r["period"], {"period": r["period"], "launched": 0, "intercepted": 0})
                m["launched"] += r["launched"]
                m["intercepted"] += r["intercepted"]
        panels.append((f"others: {', '.join(map(_title, rest))}", sorted(
            merged.values(), key=lambda r: r["period"])))
    return panels


def _span(first: dt.date, last: dt.date) -> str:
    return f"on {first:%d %b %Y}" if first == last else f"{first:%d %b %Y} to {last:%d %b %Y}"


def _title(category: str) -> str:
    if category == "mixed":
        return "mixed (several types counted together)"
    return category.replace("_", " ")


def plot(out: str | os.PathLike, path: str | os.PathLike | None = None, *, version: str | None = None,
         title: str | None = None) -> Series:
    """Draw launched vs intercepted for the package and save it to ``out`` (PNG, SVG or PDF by suffix).

    The file is written beside ``out`` and renamed into place (an existing file is replaced).
    Returns the :class:`Series` drawn, so a caller can say what the picture sums.

    Examples
    --------
    >>> plot("munitions.png")                                    # doctest: +SKIP
    >>> plot("attacks.png", "path/to/imported/package")          # doctest: +SKIP
    """
    require("matplotlib", EXTRA)
    out = Path(out)
    fmt = out.suffix.lstrip(".").lower() or "png"
    data = series(path, version=version)
    fig = figure(data, title=title)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(out) as tmp:
        # no timestamp or version in the file's metadata, so the same data gives the same bytes
        fig.savefig(tmp, format=fmt, dpi=120, metadata={"Software": None} if fmt == "png" else None)
    return data
