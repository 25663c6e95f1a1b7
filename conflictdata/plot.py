"""A picture of the events: each side's figures per event, as the sides claim them.

Drawn from :func:`conflictdata.event_figures` with ``by="side"``: one panel per event (titled
with the event's name), and in it one group of bars per measure and munition type (launched,
intercepted, returned, hit, killed, injured, ...) with one bar per side. A side's bar is the
figure its latest claims agree on; where they give a range (or different figures) the bar
stops at the low end, hatched, and a line runs up to the high end. Claims of one side are
alternatives, never summed, and no side's count is divided by another's: the picture never
mixes one claimant's numerator with another's denominator. Claims not linked to an event are
not drawn; the figure says how many events and claims it shows.

:func:`plot_event` draws one event claim by claimant: a bar per claimant's latest claim in each
group, coloured by side, a red bracket with the spread over a group in dispute, and each
contradiction across measures written out under the panel.

:func:`plot_daily` draws a second picture: running totals (the General Staff's daily reports)
as the change since the report before, one panel per series, from :func:`conflictdata.daily`;
revisions (a total lower than the one before) in another colour, counted in the titles and
caption.

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
XLABEL = "what was counted: measure and munition type"
DAILY_XLABEL = "date of the report (one bar per report)"


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
    side_names: dict[str, str] = field(default_factory=dict)  # side (a party's actor id) -> the actor's name
    kinds: dict[str, str] = field(default_factory=dict)  # event_id -> the event's kind (attack, strike, ...)

    def side_label(self, side: str) -> str:
        """The legend's name of a side: its actor's name, else its id."""
        return self.side_names.get(side) or side


def events(path: str | os.PathLike | None = None, *, version: str | None = None) -> Events:
    """Each side's latest figures per event and measure, as :func:`figure` draws them.

    Examples
    --------
    >>> e = events()
    >>> e.sides[:2], len(e.events) >= 1
    (['non-party media', 'ukraine'], True)
    """
    import polars as pl

    from .events import side_frame

    package = open_package_or_version(path, version)
    sides = side_frame(package)
    label = package.descriptor.get("title") or package.root.name
    label += f" (version {package.version})" if package.version else ""
    types = _names(package, "munition_types", "munition_type_id", "name")
    actors = _names(package, "actors", "actor_id", "name")
    kinds = _names(package, "events", "event_id", "kind")
    order = sides.unique("event_id", maintain_order=True)
    # the events with the most figures, when there are more than panels; drawn in the data's order
    counted = sides.group_by("event_id", maintain_order=True).len()
    keep = set(counted.sort("len", descending=True, maintain_order=True).head(MAX_PANELS)["event_id"])
    drawn = [(e, n or e) for e, n in order.select("event_id", "event_name").iter_rows() if e in keep]
    rows = sides.filter(pl.col("event_id").is_in(list(keep)))
    claims = len({c for ids in rows["claim_ids"] for c in ids.split("; ")})
    sides_drawn = list(rows.unique("side", maintain_order=True)["side"])
    return Events(rows.to_dicts(), drawn, claims, label, order.height - len(drawn), sides_drawn, types,
                  {s: actors[s] for s in sides_drawn if s in actors}, kinds)


def _names(package, table: str, key: str, value: str) -> dict[str, str]:
    """``key`` -> ``value`` of a table, empty when the package lacks the table or the fields."""
    import polars as pl

    from .load import load_arrow

    if table not in package.resources:
        return {}
    frame = cast("pl.DataFrame", pl.from_arrow(load_arrow(package, table)))
    if not {key, value} <= set(frame.columns):
        return {}
    return {k: str(v) for k, v in frame.select(key, value).iter_rows() if v is not None}


def figure(data: Events, *, title: str | None = None) -> Figure:
    """Draw ``data`` on a new matplotlib Figure (Agg canvas) and return it.

    Up to :data:`MAX_PANELS` events get a panel each (never pooled: each is one incident),
    titled with the event's name and kind; every panel has its axis labels, and the legend (the
    sides, by name) is a row of its own above the panels, so it never covers a bar.
    """
    require("matplotlib", EXTRA)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    n = len(data.events)
    ncols = 1 if n <= 2 else 2
    nrows = max(1, math.ceil(n / ncols))
    fig = Figure(figsize=(12 if ncols == 2 else 9, 2.0 + 3.0 * nrows), layout="constrained", dpi=120)
    FigureCanvasAgg(fig)
    fig.suptitle(title or "Each side's figures per event, as claimed", fontsize=13, fontweight="bold")
    note = (f"Latest figures of {data.claims} claims about {n} events in {data.label}"
            + (f"; {data.left_out} more events not drawn" if data.left_out else "")
            + ".\nA side is the party to the war a claimant speaks for (anyone else is a non-party, named by kind); "
              "its claims are alternatives, never summed.\nHatched bar and line: a range (low to high). The counts "
              "are the claimants' own, not verified facts.")
    fig.supxlabel(note, fontsize=8, color="#444444")
    if not n:
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, "No event has a claimed figure.", ha="center", va="center", fontsize=11)
        return fig
    colours = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(data.sides)}
    legend, axes = _panels(fig, nrows, ncols)
    for ax, (event_id, name) in zip(axes, data.events, strict=False):
        rows = [r for r in data.rows if r["event_id"] == event_id]
        # a figure of another scope (a part, other victims) is another group: never one bar with the whole
        groups = list(dict.fromkeys((r["measure"], r["munition_type_id"], r.get("scope_detail")) for r in rows))
        sides = [s for s in data.sides if any(r["side"] == s for r in rows)]
        width = min(0.8 / len(sides), 0.4)  # a lone side's bar stays a bar, not a wall
        top = 0
        for j, side in enumerate(sides):
            for i, group in enumerate(groups):
                row = next((r for r in rows if (r["measure"], r["munition_type_id"], r.get("scope_detail")) == group
                            and r["side"] == side), None)
                if row is None:
                    continue
                x = i + width * (j + 0.5 - len(sides) / 2)
                exact = row["best"] is not None
                height = row["best"] if exact else (row["low"] or 0)
                ax.bar(x, height, width=width * 0.92, color=colours[side], hatch=None if exact else "//",
                       edgecolor="white" if exact else colours[side], alpha=1 if exact else 0.5)
                if not height:  # a claimed 0 is a claim: a stroke in the side's colour, not nothing
                    ax.hlines(0, x - width * 0.46, x + width * 0.46, colors=colours[side], linewidth=3)
                high = row["high"] if row["high"] is not None else height
                if row["low"] is not None and row["high"] is not None and row["low"] != row["high"]:
                    ax.vlines(x, row["low"], row["high"], color="#222222", linewidth=1.2)
                text = str(row["best"]) if exact else f"{_n(row['low'])}–{_n(row['high'])}"
                ax.annotate(text, (x, max(height, high)), xytext=(0, 2), textcoords="offset points",
                            ha="center", va="bottom", fontsize=8)
                top = max(top, height, high)
        # a tick label wraps to the width its group has, so neighbours never run into each other
        wrap = max(8, int((60 if ncols == 2 else 90) / len(groups)))
        ticks = [_group(g, data.type_names, wrap) for g in groups]
        ax.set_xticks(range(len(groups)), ticks, fontsize=8)
        ax.set_xlim(-0.6, len(groups) - 0.4)
        ax.set_ylim(0, max(1, top) * 1.18)  # room for the numbers above the bars
        kind = data.kinds.get(event_id)
        title = name + (f" ({kind})" if kind else "")
        ax.set_title("\n".join(textwrap.wrap(title, 75 if ncols == 2 else 110)), fontsize=10, loc="left")
        ax.set_ylabel(YLABEL, fontsize=8)
        ax.set_xlabel(XLABEL, fontsize=8, color="#444444")
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(axis="y", labelsize=8)
    for ax in axes[n:]:
        ax.set_axis_off()
    handles = [Patch(color=colours[s], label=data.side_label(s)) for s in data.sides]
    legend.legend(handles=handles, title="side (the party a claimant speaks for), or a non-party", loc="center",
                  ncols=min(len(handles), 4), frameon=False, fontsize=9, title_fontsize=9)
    return fig


def _n(value) -> str:
    return "?" if value is None else str(value)


def _group(group: tuple, names: dict[str, str], width: int = 18) -> str:
    """A tick label: the measure, the munition type's name, and a part's place (its id) where it has one."""
    measure, munition, *rest = group
    lines = [measure]
    if munition is not None:
        lines += textwrap.wrap(names.get(munition, munition), width)
    scope = rest[0] if rest else None
    part = [p.split("=", 1)[1] for p in (scope or "").split("; ") if p.startswith(("place_id=", "target_place_id="))]
    if part:  # a part is named by its place; the victims counted are in the data, not the tick
        lines += textwrap.wrap(f"part: {part[0]}", width)
    return "\n".join(lines)


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
    data = events(path, version=version)
    save(figure(data, title=title), out)
    return data


def save(fig: Figure, out: str | os.PathLike) -> None:
    """Write ``fig`` to ``out`` (PNG, SVG or PDF by suffix) beside it, then rename it into place.

    No timestamp or version goes into the file's metadata, so the same data gives the same bytes.
    """
    out = Path(out)
    fmt = out.suffix.lstrip(".").lower() or "png"
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(out) as tmp:
        fig.savefig(tmp, format=fmt, dpi=120, metadata={"Software": None} if fmt == "png" else None)


# ---------------------------------------------------------------------------------------------
# The second picture: running totals as per-day changes (cd.daily), revisions visible.

# a name that is not a loss category of equipment_losses: (table, measure, unit)
DAILY_MEASURES = {
    "personnel": ("casualty_reports", "casualties", "people killed or wounded"),
    "captured": ("casualty_reports", "captured", "people taken prisoner"),
}
RISE = "#0072b2"
REVISION = "#d55e00"


@dataclass
class Series:
    """One panel of :func:`daily_figure`: one claimant's running total of one thing, per report."""

    name: str  # as asked: a loss category ("tank") or "personnel" / "captured"
    title: str  # "Tanks"
    unit: str  # "tanks", for the y-axis label
    claimant_id: str | None
    claimant: str  # the claimant's name
    rows: list[dict]  # cd.daily's rows (date, total, change, days, revision, bound, ...)

    @property
    def revisions(self) -> int:
        return sum(1 for r in self.rows if r["revision"])

    @property
    def gaps(self) -> int:
        """Reports more than a day after the one before: their change spans those days."""
        return sum(1 for r in self.rows if (r["days"] or 0) > 1)


@dataclass
class Daily:
    """What :func:`daily_figure` draws: a :class:`Series` per name asked (and claimant)."""

    series: list[Series]
    label: str  # what package it is
    empty: list[str] = field(default_factory=list)  # names asked with no running total in the package

    @property
    def revisions(self) -> int:
        return sum(s.revisions for s in self.series)

    @property
    def reports(self) -> int:
        return sum(len(s.rows) for s in self.series)


def daily_series(names: str | list[str], path: str | os.PathLike | None = None, *,
                 version: str | None = None) -> Daily:
    """The series :func:`plot_daily` draws: for each name, :func:`conflictdata.daily` per claimant.

    A name is a loss category of ``equipment_losses`` (``"tank"``, see ``loss_categories``), or
    ``"personnel"`` (casualty_reports' ``casualties``: killed and wounded together, as the
    General Staff counts them) or ``"captured"``; several are comma-separated or a list.

    Examples
    --------
    >>> d = daily_series("tank,personnel")
    >>> sorted({s.name for s in d.series} | set(d.empty))   # drawn, or said to have no running totals
    ['personnel', 'tank']
    """
    import polars as pl

    from .daily import daily_frame
    from .load import load_arrow

    asked = [n.strip() for n in (names.split(",") if isinstance(names, str) else names) if n.strip()]
    if not asked:
        raise ValueError("name at least one series: a loss category such as 'tank', or 'personnel'")
    if len(asked) > MAX_PANELS:
        raise ValueError(f"at most {MAX_PANELS} series in one picture, not {len(asked)}")
    package = open_package_or_version(path, version)
    label = package.descriptor.get("title") or package.root.name
    label += f" (version {package.version})" if package.version else ""
    categories: dict[str, str] = {}
    if "loss_categories" in package.resources:
        lc = cast("pl.DataFrame", pl.from_arrow(load_arrow(package, "loss_categories")))
        categories = dict(lc.select("category_id", "name").iter_rows())
    actors: dict[str, str] = {}
    if "actors" in package.resources:
        ac = cast("pl.DataFrame", pl.from_arrow(load_arrow(package, "actors")))
        actors = dict(ac.select("actor_id", "name").iter_rows())
    out = Daily([], label)
    for name in asked:
        if name in DAILY_MEASURES:
            table, measure, unit = DAILY_MEASURES[name]
            frame = daily_frame(package, table, measure=measure)
            title = "Personnel (killed and wounded, unsplit)" if name == "personnel" else "Prisoners of war"
        elif name in categories:
            frame = daily_frame(package, "equipment_losses", category=name)
            title = categories[name]
            unit = title.lower()
        else:
            known = ", ".join(dict.fromkeys([*DAILY_MEASURES, *categories]))
            raise ValueError(f"no series {name!r}; name a loss category or a measure: {known}")
        if not frame.height:
            out.empty.append(name)
            continue
        for claimant in frame["claimant_id"].unique(maintain_order=True):
            rows = frame.filter(pl.col("claimant_id") == claimant).to_dicts()
            out.series.append(Series(name, title, unit, claimant, actors.get(claimant, claimant), rows))
    out.series = out.series[:MAX_PANELS]
    return out


def daily_figure(data: Daily, *, title: str | None = None) -> Figure:
    """Draw ``data`` on a new matplotlib Figure (Agg canvas): one panel per series.

    Each report's change since the report before is a bar (a vertical line) at its date; a change below zero (a
    revision: a total lower than the one before, kept as reported) is drawn in another colour,
    with a marker under it so that one day among a thousand stays visible. The panels share
    the date axis, labelled under the last; the legend is a row of its own above the panels.
    """
    require("matplotlib", EXTRA)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    n = len(data.series)
    fig = Figure(figsize=(12, 2.1 + 2.8 * max(1, n)), layout="constrained", dpi=120)
    FigureCanvasAgg(fig)
    claimants = sorted({s.claimant for s in data.series})
    who = " and ".join(claimants) if claimants else "the claimant"
    fig.suptitle(title or "Losses per day, derived from running totals as claimed", fontsize=13,
                 fontweight="bold", x=0.01, ha="left")
    gaps = sum(s.gaps for s in data.series)
    note = (f"The claims of {who} in {data.label}: one party's figures, not verified. Derived per day from "
            "its running totals since 24 February 2022: each bar is a report's total minus the report before "
            "(never a figure the source stated)."
            f"\n{count(data.revisions, 'revision')} (a total lower than the one before, kept as reported) "
            "drawn below zero in orange, marked ▼."
            + (f" {count(gaps, 'report')} more than a day after the one before: a paler bar, the change "
               "over those days." if gaps else "")
            + (f" No running totals of: {', '.join(data.empty)}." if data.empty else ""))
    fig.supxlabel("\n".join(textwrap.fill(line, 150) for line in note.split("\n")), fontsize=8, color="#444444")
    if not n:
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, f"No running totals of {', '.join(data.empty)} in the package.", ha="center",
                va="center", fontsize=11)
        return fig
    legend, axes = _panels(fig, n, 1, sharex=True)
    dates = [r["date"] for s in data.series for r in s.rows]
    span = max(1, (max(dates) - min(dates)).days)
    width = max(0.6, min(6.0, 700 / span))  # points: bars for a few weeks, hairlines for years
    for ax, s in zip(axes, data.series, strict=True):
        drawn = [r for r in s.rows if r["change"] is not None]
        rises = [r for r in drawn if r["change"] >= 0 and (r["days"] or 0) <= 1]
        spans = [r for r in drawn if r["change"] >= 0 and (r["days"] or 0) > 1]
        falls = [r for r in drawn if r["change"] < 0]
        # a bar is a line from 0 to the change: a day stays at least a hairline among 1,600 of them
        for group, colour, alpha in ((rises, RISE, 1.0), (spans, RISE, 0.4), (falls, REVISION, 1.0)):
            if group:
                ax.vlines([r["date"] for r in group], 0, [r["change"] for r in group], colors=colour,
                          alpha=alpha, linewidth=width)
        ax.axhline(0, color="#222222", linewidth=0.6)
        if falls:
            low = min(r["change"] for r in falls)
            ax.plot([r["date"] for r in falls], [low * 1.08] * len(falls), linestyle="none", marker="v",
                    color=REVISION, markersize=6)
        if not drawn:
            ax.set_ylim(0, 1)
            ax.text(0.5, 0.5, "One report only: no report before it to differ from.", transform=ax.transAxes,
                    ha="center", va="center", fontsize=9, color="#444444")
        last = s.rows[-1]
        lower = " (a lower bound)" if last["bound"] else ""
        # a casualty report's approximation ("about") qualifies its casualties, not the prisoners beside them
        hedge = f"{last['approximation']} " if last.get("approximation") and s.name != "captured" else ""
        ax.set_title(f"{s.title}: {count(s.revisions, 'revision')}; {s.claimant}; last total {hedge}"
                     f"{last['total']:,} on {last['date']}{lower}",
                     fontsize=10, loc="left")
        ax.set_ylabel(f"{s.unit} per day,\nas claimed", fontsize=8)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(labelsize=8)
    axes[-1].set_xlabel(DAILY_XLABEL, fontsize=8, color="#444444")
    handles = [Patch(color=RISE, label="rise since the report before"),
               Line2D([], [], color=REVISION, marker="v", linestyle="none", label="revision (total lowered)")]
    if gaps:
        handles.insert(1, Patch(color=RISE, alpha=0.4, label="rise over more than a day"))
    legend.legend(handles=handles, loc="center", ncols=len(handles), frameon=False, fontsize=9)
    return fig


def _panels(fig: Figure, nrows: int, ncols: int, *, sharex: bool = False):
    """A row for the legend above ``nrows`` x ``ncols`` panels: (legend axes, panels in reading order).

    The legend gets an axes of its own (its frame and ticks off), so constrained layout keeps
    it clear of the title above and of every panel below; a figure legend placed "outside" is
    set over the title by matplotlib.
    """
    grid = fig.add_gridspec(nrows + 1, ncols, height_ratios=[0.16, *([1.0] * nrows)])
    legend = fig.add_subplot(grid[0, :])
    legend.set_axis_off()
    axes: list = []
    for i in range(nrows * ncols):
        share = axes[0] if sharex and axes else None
        axes.append(fig.add_subplot(grid[1 + i // ncols, i % ncols], sharex=share))
    if sharex:  # dates under the last panel only, as subplots(sharex=True) does
        for ax in axes[:-ncols]:
            ax.tick_params(labelbottom=False)
    return legend, axes


def count(n: int, noun: str) -> str:
    """``1 dispute``, ``2 disputes``."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def plot_daily(out: str | os.PathLike, names: str | list[str], path: str | os.PathLike | None = None, *,
               version: str | None = None, title: str | None = None) -> Daily:
    """Draw running totals as per-day changes (:func:`daily_figure`) and save it to ``out``.

    Written like :func:`plot`: beside ``out``, renamed into place, the same data giving the same
    bytes. Returns the :class:`Daily` drawn.

    Examples
    --------
    >>> plot_daily("daily.png", "tank,personnel")                 # doctest: +SKIP
    """
    require("matplotlib", EXTRA)
    data = daily_series(names, path, version=version)
    save(daily_figure(data, title=title), out)
    return data


# ---------------------------------------------------------------------------------------------
# The third picture: one event, claim by claim, its disputes and contradictions marked.

DISPUTE = "#c0392b"


@dataclass
class Claims:
    """What :func:`event_figure` draws: one event's latest claims, its disputes and contradictions."""

    event_id: str
    name: str
    rows: list[dict]  # event_figures rows (latest claims) of the event, with "side"
    disputes: dict[tuple, int]  # (measure, munition_type_id, scope_detail) -> spread
    contradictions: list[dict]  # event_contradictions rows of the event
    label: str
    sides: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # actor and munition type id -> name


def event_claims(event_id: str, path: str | os.PathLike | None = None, *, version: str | None = None) -> Claims:
    """One event's latest claims, claimant by claimant, with the groups in dispute and the contradictions.

    Raises ``ValueError`` (with the closest ids) for an event the package does not have.

    Examples
    --------
    >>> c = event_claims("2024-10-08-overnight-missile-and-drone-attack")
    >>> sorted({r["claimant_id"] for r in c.rows}), c.disputes, c.contradictions
    (['armed-forces-of-ukraine', 'ukrainian-air-force'], {}, [])
    """
    import polars as pl

    from .events import contradictions_frame, disputes_frame, figures_frame, side_label
    from .suggest import did_you_mean

    package = open_package_or_version(path, version)
    names = {**_names(package, "actors", "actor_id", "name"),
             **_names(package, "munition_types", "munition_type_id", "name")}
    known = _names(package, "events", "event_id", "name")
    if event_id not in known:
        hint = did_you_mean(event_id, list(known))
        raise ValueError(f"no event {event_id!r} in the package" + (f"; {hint}" if hint else "")
                         + " (cd.load('events') lists them)")
    rows = figures_frame(package, latest=True).filter(pl.col("event_id") == event_id).with_columns(side_label())
    group = ["measure", "munition_type_id", "scope_detail"]
    spreads = (disputes_frame(package).filter(pl.col("event_id") == event_id)
               .unique(group, maintain_order=True).select(*group, "spread"))
    found = contradictions_frame(package).filter(pl.col("event_id") == event_id)
    label = package.descriptor.get("title") or package.root.name
    label += f" (version {package.version})" if package.version else ""
    return Claims(event_id, known[event_id], rows.to_dicts(),
                  {tuple(r[:3]): r[3] for r in spreads.iter_rows()}, found.to_dicts(), label,
                  list(rows.unique("side", maintain_order=True)["side"]), names)


def event_figure(data: Claims, *, title: str | None = None) -> Figure:
    """Draw one event: a bar per claimant in each group, coloured by side; disputes and contradictions marked.

    A group (measure, munition type, scope) whose claimants' figures cannot all be true gets a
    red bracket over its bars with the spread; each contradiction across measures is written
    under the panel, naming both claimants and what each says.
    """
    require("matplotlib", EXTRA)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    groups = list(dict.fromkeys((r["measure"], r["munition_type_id"], r.get("scope_detail")) for r in data.rows))
    lines = [_contradiction(c, data.names) for c in data.contradictions]
    inches = max(8.0, 2.2 * len(groups) + 3)
    fig = Figure(figsize=(inches, 6.4 + 0.3 * len(lines)), layout="constrained", dpi=120)
    FigureCanvasAgg(fig)
    fig.suptitle(title or f"{data.name}: what each claimant says", fontsize=13, fontweight="bold")
    colours = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(data.sides)}
    legend, (ax,) = _panels(fig, 1, 1)
    top: float = 0
    for i, group in enumerate(groups):
        rows = sorted((r for r in data.rows if (r["measure"], r["munition_type_id"], r.get("scope_detail")) == group),
                      key=lambda r: (data.sides.index(r["side"]), r["claimant_id"]))
        width = min(0.8 / len(rows), 0.35)
        for j, row in enumerate(rows):
            x = i + width * (j + 0.5 - len(rows) / 2)
            exact = row["best"] is not None
            height = row["best"] if exact else (row["low"] or 0)
            high = row["high"] if row["high"] is not None else height
            ax.bar(x, height, width=width * 0.92, color=colours[row["side"]], hatch=None if exact else "//",
                   edgecolor="white" if exact else colours[row["side"]], alpha=1 if exact else 0.5)
            if not height:
                ax.hlines(0, x - width * 0.46, x + width * 0.46, colors=colours[row["side"]], linewidth=3)
            if row["low"] is not None and row["high"] is not None and row["low"] != row["high"]:
                ax.vlines(x, row["low"], row["high"], color="#222222", linewidth=1.2)
            figure_text = str(row["best"]) if exact else f"{_n(row['low'])}–{_n(row['high'])}"
            who = "\n".join(textwrap.wrap(data.names.get(row["claimant_id"], row["claimant_id"]), 14))
            ax.annotate(f"{figure_text}\n{who}", (x, max(height, high)), xytext=(0, 2), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7)
            top = max(top, height, high)
        if group in data.disputes:
            left, right = i - 0.42, i + 0.42
            peak = max(max(r["best"] or 0, r["high"] or 0, r["low"] or 0) for r in rows)
            y = peak * 1.3 + 1
            ax.plot([left, left, right, right], [y * 0.97, y, y, y * 0.97], color=DISPUTE, linewidth=1.6)
            ax.annotate(f"dispute: spread {data.disputes[group]}", (i, y), xytext=(0, 3),
                        textcoords="offset points", ha="center", va="bottom", fontsize=9, color=DISPUTE,
                        fontweight="bold")
            top = max(top, y * 1.08)
    ax.set_xticks(range(len(groups)), [_group(g, data.names, 16) for g in groups], fontsize=8)
    ax.set_xlim(-0.6, len(groups) - 0.4)
    ax.set_ylim(0, max(1, top) * 1.25)  # room for the figures and names above the bars
    ax.set_ylabel(YLABEL, fontsize=8)
    ax.set_xlabel(XLABEL + " (one bar per claimant, its latest claim)", fontsize=8, color="#444444")
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.yaxis.get_major_locator().set_params(integer=True)
    if not groups:
        ax.text(0.5, 0.5, "No claim of this event states a figure.", transform=ax.transAxes, ha="center")
    handles = [Patch(color=colours[s], label=data.names.get(s, s)) for s in data.sides]
    legend.legend(handles=handles, title="side (the party a claimant speaks for), or a non-party", loc="center",
                  ncols=max(1, min(len(handles), 4)), frameon=False, fontsize=9, title_fontsize=9)
    note = [f"Latest claims about one event in {data.label}. Red: a dispute, figures of one scope that "
            "cannot all be true (spread = the gap between the claimants' ranges).", *lines,
            "The counts are the claimants' own, not verified facts."]
    # the caption wraps to the figure's width (about 13 characters an inch at this size)
    fig.supxlabel("\n".join(part for line in note for part in textwrap.wrap(line, int(inches * 13))),
                  fontsize=8, color="#444444")
    return fig


def _contradiction(row: dict, names: dict[str, str]) -> str:
    """One contradiction in words: who says all were stopped, who says one hit (or what was struck)."""
    who = names.get(row["all_claimant_id"], row["all_claimant_id"])
    other = names.get(row["hit_claimant_id"], row["hit_claimant_id"])
    classes = f" ({row['munition_classes']})" if row.get("munition_classes") else ""
    says = (f"{row['hit']} hit" if row.get("hit") is not None else "a hit") + (
        f"; struck: {row['hit_objects']}" if row.get("hit_objects") else "")
    return (f"Contradiction: {who} ({row['all_side']}) says every munition launched{classes} was stopped; "
            f"{other} ({row['hit_side']}) says {says}.")


def plot_event(out: str | os.PathLike, event_id: str, path: str | os.PathLike | None = None, *,
               version: str | None = None, title: str | None = None) -> Claims:
    """Draw one event claim by claimant (:func:`event_figure`) and save it to ``out``, as :func:`plot` does.

    Examples
    --------
    >>> plot_event("night.png", "2024-10-08-overnight-missile-and-drone-attack")   # doctest: +SKIP
    """
    require("matplotlib", EXTRA)
    data = event_claims(event_id, path, version=version)
    save(event_figure(data, title=title), out)
    return data
