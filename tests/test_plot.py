"""The picture: each side's figures per event, real PNGs from matplotlib's Agg canvas, tiny and empty packages."""

import subprocess
import sys

import pytest
from click.testing import CliRunner

from conflictdata import plot as pl
from conflictdata.cli import cli
from conflictdata.errors import MissingExtraError

from .conftest import ROOT, read_rows, write_rows
from .test_daily import running_totals

pytest.importorskip("matplotlib", reason="matplotlib is in the test extra: pip install '.[test]'")

PNG = b"\x89PNG\r\n\x1a\n"
NIGHT = "2024-10-08-overnight-missile-and-drone-attack"


def run(*args):
    return CliRunner().invoke(cli, list(args))


def png_size(path):
    from PIL import Image  # matplotlib's own dependency

    with Image.open(path) as im:
        return im.size


def bars(fig):
    """(panel title without the event's kind, bar height) of every bar drawn."""
    return [(ax.get_title(loc="left").replace("\n", " ").rsplit(" (", 1)[0], p.get_height())
            for ax in fig.axes for p in ax.patches]


def add_claim(pkg, **cells):
    """A munitions claim like the Armed Forces' 19 drones, with ``cells`` changed."""
    header, rows = read_rows(pkg / "data" / "munitions.csv")
    template = dict(zip(header, next(r for r in rows if r[0] == "dw-2024-10-08-overnight-drones-launched"),
                        strict=True))
    rows.append([cells.get(h, template[h]) for h in header])
    write_rows(pkg / "data" / "munitions.csv", header, rows)


def test_the_shipped_package_draws_each_side_per_event():
    e = pl.events()
    assert NIGHT in dict(e.events)
    night = [r for r in e.rows if r["event_id"] == NIGHT]
    assert {(r["measure"], r["munition_type_id"], r["side_id"], r["best"]) for r in night} == {
        ("launched", "drone-type-not-stated", "ukraine", 19), ("launched", "iskander-m", "ukraine", 2),
        ("intercepted", "drone-type-not-stated", "ukraine", 18), ("returned", "drone-type-not-stated", "ukraine", 1)}
    fig = pl.figure(e)
    name = dict(e.events)[NIGHT]
    assert sorted(h for t, h in bars(fig) if t == name) == [1, 2, 18, 19]  # alternatives, never summed
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == len(e.events) and all(ax.get_ylabel() == pl.YLABEL for ax in panels)
    # the legend names each side by its actor's name, from actors.csv; a non-party by what it is
    header, rows = read_rows(ROOT / "data" / "actors.csv")
    names = {r[header.index("actor_id")]: r[header.index("name")] for r in rows}
    assert {t.get_text() for t in legend_of(fig).get_texts()} == {names.get(s, s) for s in e.sides}
    assert "Ukraine" in names.values() and any(s.startswith("non-party ") for s in e.sides)


def legend_of(fig):
    """The figure's one legend (in a row of its own)."""
    (legend,) = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    return legend


def extents(fig):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def assert_legend_clear(fig, panels):
    """The legend covers no panel (so no bar, label or title in it) and not the figure's title."""
    renderer = extents(fig)
    legend = legend_of(fig).get_window_extent(renderer)
    for ax in panels:
        assert not legend.overlaps(ax.get_tightbbox(renderer)), ax.get_title(loc="left")
        for patch in ax.patches:
            assert not legend.overlaps(patch.get_window_extent(renderer))
    assert not legend.overlaps(fig._suptitle.get_window_extent(renderer))


def assert_tick_labels_apart(fig, panels):
    renderer = extents(fig)
    for ax in panels:
        boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text() and t.get_visible()]
        for a, b in zip(boxes, boxes[1:], strict=False):
            assert not a.overlaps(b), ax.get_title(loc="left")


def test_the_legend_covers_no_bar():
    fig = pl.figure(pl.events())
    assert_legend_clear(fig, [ax for ax in fig.axes if ax.axison])


def test_every_event_panel_has_its_title_axis_labels_and_readable_ticks():
    e = pl.events()
    fig = pl.figure(e)
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == len(e.events)  # one panel per event, never pooled
    header, rows = read_rows(ROOT / "data" / "events.csv")
    kinds = {r[header.index("event_id")]: r[header.index("kind")] for r in rows}
    for ax, (event_id, name) in zip(panels, e.events, strict=True):
        assert ax.get_title(loc="left").replace("\n", " ") == f"{name} ({kinds[event_id]})"
        assert ax.get_ylabel() == pl.YLABEL and "count" in ax.get_ylabel()
        assert ax.get_xlabel() == pl.XLABEL
    assert_tick_labels_apart(fig, panels)


def test_a_claimed_zero_is_drawn_in_its_sides_colour():
    e = pl.events()
    zero = next(r for r in e.rows if r["best"] == 0)
    fig = pl.figure(e)
    name = dict(e.events)[zero["event_id"]]
    (panel,) = [ax for ax in fig.axes if ax.axison and ax.get_title(loc="left").replace("\n", " ").startswith(name)]
    strokes = [c for c in panel.collections if all(seg[0][1] == seg[1][1] == 0 for seg in c.get_segments())]
    assert strokes, "a 0 claimed leaves no mark"


def test_two_sides_get_a_bar_each_and_a_range_is_hatched(pkg):
    add_claim(pkg, claim_id="russian-mod-12", claimant_id="russian-armed-forces", launched="12")
    add_claim(pkg, claim_id="russian-mod-range", claimant_id="russian-armed-forces", launched="",
              munition_type_id="iskander-m", launched_low="1", launched_high="3")
    e = pl.events(pkg)
    assert e.sides[-1] == "russia"
    fig = pl.figure(e)
    name = dict(e.events)[NIGHT]
    assert sorted(h for t, h in bars(fig) if t == name) == [1, 1, 2, 12, 18, 19]
    hatched = [p for ax in fig.axes for p in ax.patches if p.get_hatch()]
    assert [p.get_height() for p in hatched] == [1]  # the range's low end
    texts = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert {"12", "1–3"} <= texts


def test_plot_writes_a_readable_png_and_the_same_bytes_twice(tmp_path):
    out = tmp_path / "shipped.png"
    r = run("plot", str(out))
    assert r.exit_code == 0, r.output
    e = pl.events()
    assert f"{len(e.events)} events, {len(e.sides)} sides, {e.claims} claims" in r.output
    assert out.read_bytes().startswith(PNG)
    width, height = png_size(out)
    assert width >= 800 and height >= 400
    again = tmp_path / "again.png"
    pl.plot(again)
    assert again.read_bytes() == out.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.png", "shipped.png"]  # no temporary file left


def test_more_events_than_panels_are_counted_and_left_out(pkg):
    header, rows = read_rows(pkg / "data" / "events.csv")
    night = dict(zip(header, next(r for r in rows if r[0] == NIGHT), strict=True))
    for i in range(pl.MAX_PANELS):
        rows.append([dict(night, event_id=f"synthetic-{i}", name=f"synthetic {i}")[h] for h in header])
        add_claim(pkg, claim_id=f"synthetic-claim-{i}", event_id=f"synthetic-{i}", launched=str(i + 1))
    write_rows(pkg / "data" / "events.csv", header, rows)
    e = pl.events(pkg)
    assert len(e.events) == pl.MAX_PANELS and e.left_out == 4  # the seed's 4 events with figures + 8 more
    assert len([ax for ax in pl.figure(e).axes if ax.axison]) == pl.MAX_PANELS


def test_a_package_without_event_figures_still_gives_a_picture_that_says_so(pkg, tmp_path):
    for table in ("munitions", "casualty_reports"):
        header, _ = read_rows(pkg / "data" / f"{table}.csv")
        write_rows(pkg / "data" / f"{table}.csv", header, [])
    out = tmp_path / "empty.png"
    r = run("plot", str(out), "--path", str(pkg))
    assert r.exit_code == 0 and "no event has a claimed figure" in r.output
    assert out.read_bytes().startswith(PNG)
    fig = pl.figure(pl.events(pkg))
    assert any("No event has a claimed figure" in t.get_text() for ax in fig.axes for t in ax.texts)


def test_svg_by_suffix(tmp_path):
    out = tmp_path / "p.svg"
    pl.plot(out)
    assert out.read_text(encoding="utf-8").lstrip().startswith("<?xml") and "<svg" in out.read_text()


def test_pyplot_and_its_global_state_are_never_touched(tmp_path):
    code = (f"import sys; from conflictdata.plot import plot; plot({str(tmp_path / 'x.png')!r}); "
            "print('matplotlib.pyplot' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"


def test_without_matplotlib_the_error_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingExtraError, match=r"the .plot. extra.: pip install .matplotlib>="):
        pl.plot(tmp_path / "x.png")
    r = run("plot", str(tmp_path / "x.png"))
    assert r.exit_code == 2 and "pip install 'matplotlib>=" in r.output and "'plot' extra" in r.output
    assert list(tmp_path.iterdir()) == []


# --- the second picture: running totals per day (--daily), on a fixture of daily reports ------

@pytest.fixture
def gs(pkg):
    """The package with a few daily running totals (tests/test_daily.py): a revision, a merge."""
    return running_totals(pkg)


def daily_bars(ax):
    """(height, colour) of every bar of a panel (each a vertical line from 0)."""
    from matplotlib.colors import to_hex

    return [(seg[1][1], to_hex(c.get_colors()[0], keep_alpha=False))
            for c in ax.collections for seg in c.get_segments()]


def test_daily_draws_each_series_with_its_revision_in_another_colour(gs):
    d = pl.daily_series("tank,personnel", gs)
    assert [s.name for s in d.series] == ["tank", "personnel"] and d.empty == []
    assert d.revisions == 1 and d.reports == 10
    fig = pl.daily_figure(d)
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == 2
    tank = daily_bars(panels[0])
    assert sorted(h for h, _ in tank) == [-13, 8, 65, 66, 802]  # the first report has no change
    assert [c for h, c in tank if h < 0] == [pl.REVISION] and {c for h, c in tank if h > 0} == {pl.RISE}
    assert panels[0].get_ylabel() == "tanks per day,\nas claimed"
    assert "1 revision;" in panels[0].get_title(loc="left") and "0 revisions" in panels[1].get_title(loc="left")
    assert "killed or wounded" in panels[1].get_ylabel()
    assert "about 9,000" in panels[1].get_title(loc="left")
    caption = fig._supxlabel.get_text()
    assert "General Staff of the Armed Forces of Ukraine" in caption and "not verified" in caption
    assert "Derived per day from" in caption and "running totals since 24 February 2022" in caption
    assert "1 revision " in caption
    # the revision is marked so that it stays visible among a thousand bars
    assert any(line.get_marker() == "v" and len(line.get_xdata()) == 1 for line in panels[0].lines)


def test_daily_panels_share_a_labelled_date_axis_and_a_legend_row_clear_of_them(gs):
    d = pl.daily_series("tank,personnel,captured", gs)
    fig = pl.daily_figure(d)
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == len(d.series) == 3  # one panel per series
    assert all(ax.get_ylabel().endswith("per day,\nas claimed") for ax in panels)
    assert panels[-1].get_xlabel() == pl.DAILY_XLABEL and all(not ax.get_xlabel() for ax in panels[:-1])
    extents(fig)
    assert all(not any(t.get_visible() and t.get_text() for t in ax.get_xticklabels()) for ax in panels[:-1])
    assert_tick_labels_apart(fig, panels[-1:])
    assert_legend_clear(fig, panels)
    assert {t.get_text() for t in legend_of(fig).get_texts()} >= {"rise since the report before",
                                                                  "revision (total lowered)"}


def test_a_merged_series_starts_without_a_change_and_says_why(gs):
    d = pl.daily_series(["vehicles-and-fuel-tanks"], gs)
    fig = pl.daily_figure(d)
    (panel,) = [ax for ax in fig.axes if ax.axison]
    assert daily_bars(panel) == [] and any("One report only" in t.get_text() for t in panel.texts)


def test_cli_daily_writes_the_picture_and_counts_what_it_drew(gs, tmp_path):
    out = tmp_path / "daily.png"
    r = run("plot", str(out), "--path", str(gs), "--daily", "tank,personnel")
    assert r.exit_code == 0, r.output
    assert "2 series, 10 reports, 1 revision" in r.output
    assert out.read_bytes().startswith(PNG)
    width, height = png_size(out)
    assert width >= 1000 and height >= 600
    again = tmp_path / "again.png"
    pl.plot_daily(again, "tank,personnel", gs)
    assert again.read_bytes() == out.read_bytes()


def test_cli_daily_names_the_series_it_knows_for_a_wrong_one(gs, tmp_path):
    r = run("plot", str(tmp_path / "x.png"), "--path", str(gs), "--daily", "tanks")
    assert r.exit_code == 2 and "no series 'tanks'" in r.output and "tank" in r.output
    assert not (tmp_path / "x.png").exists()


def test_daily_without_running_totals_still_gives_a_picture_that_says_so(gs, tmp_path):
    out = tmp_path / "empty.png"
    r = run("plot", str(out), "--path", str(gs), "--daily", "helicopter")
    assert r.exit_code == 0 and "no running totals of helicopter" in r.output
    assert out.read_bytes().startswith(PNG)
    fig = pl.daily_figure(pl.daily_series("helicopter", gs))
    assert any("No running totals of helicopter" in t.get_text() for ax in fig.axes for t in ax.texts)
