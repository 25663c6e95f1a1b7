"""A picture of the events: each side's figures per event, as the sides claim them.

Drawn from :func:`conflictdata.event_figures` with ``by="side"``: one panel per event (titled
with the event's name), and in it one group of bars per measure and munition type (launched,
intercepted, returned, hit, killed, injured, ...) with one bar per side. A side's bar is the
figure its latest claims agree on; where they give a range (or different figures) the bar
stops at the low end, hatched, and a line runs up to the high end. Claims of one side are
alternatives, never summed, and no side's count is divided by another's: the picture never
mixes one claimant's numerator with another's denominator. Claims not linked to an event are
not drawn; the figure says how many events and claims it shows.

matplotlib is used through its object-oriented API on the Agg canvas: no pyplot, no global
state, no window, and the backend of a running notebook is left alone.
"""

from __future__ import annotations

import math
import os
import textwrap
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
# one colour per side, in the order the sides first appear (a colour-blind-safe palette)
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#f0e442", "#000000")
YLABEL = "count, as claimed"


@dataclass
class Events:
    """What the picture draws: each side's figures (rows of ``event_figures(by="side")``) per event."""

    rows: list[dict]  # event_id, event_name, measure, munition_type_id, side_id, best, low, high, claims, ...
    events: list[tuple[str, str]]  # (event_id, event_name) drawn, in the data's order
    claims: int  # distinct claims behind the bars
    label: str  # what package it is
    left_out: int = 0  # events with figures beyond MAX_PANELS, not drawn
    sides: list[str] = field(default_factory=list)  # in order of first appearance
    type_names: dict[str, str] = field(default_factory=dict)  # munition_type_id -> name


def events(path: str | os.PathLike | None = None, *, version: str | None = None) -> Events:
    """Each side's latest figures per event and measure, as :func:`figure` draws them.

    Examples
    --------
    >>> e = events()
    >>> e.sides[:2], len(e.events) >= 1
    (['ukrainian-media', 'ukraine'], True)
    """
    import polars as pl

    from .events import side_frame
    from .load import load_arrow

    package = open_package_or_version(path, version)
    sides = side_frame(package)
    label = package.descriptor.get("title") or package.root.name
    label += f" (version {package.version})" if package.version else ""
    types: dict[str, str] = {}
    if "munition_types" in package.resources:
        mt = cast("pl.DataFrame", pl.from_arrow(load_arrow(package, "munition_types")))
        if {"munition_type_id", "name"} <= set(mt.columns):
            types = dict(mt.select("munition_type_id", "name").iter_rows())
    order = sides.unique("event_id", maintain_order=True)
    # the events with the most figures, when there are more than panels; drawn in the data's order
    counted = sides.group_by("event_id", maintain_order=True).len()
    keep = set(counted.sort("len", descending=True, maintain_order=True).head(MAX_PANELS)["event_id"])
    drawn = [(e, n or e) for e, n in order.select("event_id", "event_name").iter_rows() if e in keep]
    rows = sides.filter(pl.col("event_id").is_in(list(keep)))
    claims = len({c for ids in rows["claim_ids"] for c in ids.split("; ")})
    return Events(rows.to_dicts(), drawn, claims, label, order.height - len(drawn),
                  list(rows.unique("side_id", maintain_order=True)["side_id"]), types)


def figure(data: Events, *, title: str | None = None) -> Figure:
    """Draw ``data`` on a new matplotlib Figure (Agg canvas) and return it.

    Up to :data:`MAX_PANELS` events get a panel each; the legend (the sides) sits outside the
    panels, so it never covers a bar.
    """
    require("matplotlib", EXTRA)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    n = len(data.events)
    ncols = 1 if n <= 2 else 2
    nrows = max(1, math.ceil(n / ncols))
    fig = Figure(figsize=(12 if ncols == 2 else 9, 1.6 + 3.0 * nrows), layout="constrained", dpi=120)
    FigureCanvasAgg(fig)
    fig.suptitle(title or "Each side's figures per event, as claimed", fontsize=13, fontweight="bold")
    note = (f"Latest figures of {data.claims} claims about {n} events in {data.label}"
            + (f"; {data.left_out} more events not drawn" if data.left_out else "")
            + ".\nA side is a claimant's top-level actor; its claims are alternatives, never summed. Hatched bar "
              "and line: a range (low to high). The counts are the claimants' own, not verified facts.")
    fig.supxlabel(note, fontsize=8, color="#444444")
    if not n:
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, "No event has a claimed figure.", ha="center", va="center", fontsize=11)
        return fig
    colours = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(data.sides)}
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, (event_id, name) in zip(axes, data.events, strict=False):
        rows = [r for r in data.rows if r["event_id"] == event_id]
        groups = list(dict.fromkeys((r["measure"], r["munition_type_id"]) for r in rows))
        sides = [s for s in data.sides if any(r["side_id"] == s for r in rows)]
        width = min(0.8 / len(sides), 0.4)  # a lone side's bar stays a bar, not a wall
        top = 0
        for j, side in enumerate(sides):
            for i, group in enumerate(groups):
                row = next((r for r in rows if (r["measure"], r["munition_type_id"]) == group
                            and r["side_id"] == side), None)
                if row is None:
                    continue
                x = i + width * (j + 0.5 - len(sides) / 2)
                exact = row["best"] is not None
                height = row["best"] if exact else (row["low"] or 0)
                ax.bar(x, height, width=width * 0.92, color=colours[side], hatch=None if exact else "//",
                       edgecolor="white" if exact else colours[side], alpha=1 if exact else 0.5)
                high = row["high"] if row["high"] is not None else height
                if row["low"] is not None and row["high"] is not None and row["low"] != row["high"]:
                    ax.vlines(x, row["low"], row["high"], color="#222222", linewidth=1.2)
                text = str(row["best"]) if exact else f"{_n(row['low'])}–{_n(row['high'])}"
                ax.annotate(text, (x, max(height, high)), xytext=(0, 2), textcoords="offset points",
                            ha="center", va="bottom", fontsize=8)
                top = max(top, height, high)
        ax.set_xticks(range(len(groups)), [_group(g, data.type_names) for g in groups], fontsize=8)
        ax.set_xlim(-0.6, len(groups) - 0.4)
        ax.set_ylim(0, max(1, top) * 1.18)  # room for the numbers above the bars
        ax.set_title("\n".join(textwrap.wrap(name, 60)), fontsize=10, loc="left")
        ax.set_ylabel(YLABEL, fontsize=8)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(axis="y", labelsize=8)
    for ax in axes[n:]:
        ax.set_axis_off()
    handles = [Patch(color=colours[s], label=s) for s in data.sides]
    fig.legend(handles=handles, title="side", loc="outside right upper", frameon=False, fontsize=9)
    return fig


def _n(value) -> str:
    return "?" if value is None else str(value)


def _group(group: tuple[str, str | None], names: dict[str, str]) -> str:
    measure, munition = group
    if munition is None:
        return measure
    return f"{measure}\n" + "\n".join(textwrap.wrap(names.get(munition, munition), 18))


def plot(out: str | os.PathLike, path: str | os.PathLike | None = None, *, version: str | None = None,
         title: str | None = None) -> Events:
    """Draw each side's figures per event and save it to ``out`` (PNG, SVG or PDF by suffix).

    The file is written beside ``out`` and renamed into place (an existing file is replaced).
    Returns the :class:`Events` drawn, so a caller can say what the picture shows.

    Examples
    --------
    >>> plot("events.png")                                       # doctest: +SKIP
    >>> plot("events.png", "path/to/another/package")            # doctest: +SKIP
    """
    require("matplotlib", EXTRA)
    out = Path(out)
    fmt = out.suffix.lstrip(".").lower() or "png"
    data = events(path, version=version)
    fig = figure(data, title=title)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(out) as tmp:
        # no timestamp or version in the file's metadata, so the same data gives the same bytes
        fig.savefig(tmp, format=fmt, dpi=120, metadata={"Software": None} if fmt == "png" else None)
    return data
