"""The picture: each side's figures per event, real PNGs from matplotlib's Agg canvas, tiny and empty packages."""

import subprocess
import sys

import pytest
from click.testing import CliRunner

from conflictdata import plot as pl
from conflictdata.cli import cli
from conflictdata.errors import MissingExtraError

from .conftest import read_rows, write_rows

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
    """(panel title, bar height) of every bar drawn."""
    return [(ax.get_title(loc="left"), p.get_height()) for ax in fig.axes for p in ax.patches]


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
    assert {t.get_text() for t in fig.legends[0].get_texts()} == set(e.sides)


def test_the_legend_covers_no_bar():
    fig = pl.figure(pl.events())
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = fig.legends[0].get_window_extent(renderer)
    for ax in fig.axes:
        for patch in ax.patches:
            assert not legend.overlaps(patch.get_window_extent(renderer))


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
    with pytest.raises(MissingExtraError, match=r"conflictdata\[plot\]"):
        pl.plot(tmp_path / "x.png")
    r = run("plot", str(tmp_path / "x.png"))
    assert r.exit_code == 2 and "pip install 'conflictdata[plot]'" in r.output
    assert list(tmp_path.iterdir()) == []
