"""The picture: sums by period and category, real PNGs from matplotlib's Agg canvas, tiny and empty packages."""

import subprocess
import sys

import pytest
from click.testing import CliRunner

from conflictdata import plot as pl
from conflictdata.cli import cli
from conflictdata.errors import MissingExtraError

from .conftest import SHARED, read_rows, write_rows

pytest.importorskip("matplotlib", reason="matplotlib is in the test extra: pip install '.[test]'")

PNG = b"\x89PNG\r\n\x1a\n"
MA = SHARED / "external" / "missile-attacks"


def run(*args):
    return CliRunner().invoke(cli, list(args))


def png_size(path):
    from PIL import Image  # matplotlib's own dependency

    with Image.open(path) as im:
        return im.size


def totals(series):
    out = {}
    for r in series.rows:
        t = out.setdefault(r["category"], [0, 0])
        t[0] += r["launched"]
        t[1] += r["intercepted"]
    return out


def test_the_shipped_package_sums_by_day_and_category():
    s = pl.series()
    assert s.period == "day" and s.claims == 3 and s.undated == 0
    assert totals(s) == {"drone": [19, 18], "ballistic_missile": [2, 0]}
    assert s.categories == ["drone", "ballistic_missile"]
    assert str(s.first) == str(s.last) == "2024-10-07"  # the attack window, not the day of the report


def test_plot_writes_a_readable_png_and_the_same_bytes_twice(tmp_path):
    out = tmp_path / "shipped.png"
    r = run("plot", str(out))
    assert r.exit_code == 0, r.output
    assert "3 claims, 2 categories, per day" in r.output
    assert out.read_bytes().startswith(PNG)
    width, height = png_size(out)
    assert width >= 800 and height >= 400
    again = tmp_path / "again.png"
    pl.plot(again)
    assert again.read_bytes() == out.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.png", "shipped.png"]  # no temporary file left


def add_claims(pkg, claims):
    """Append munitions claims: (munition_type_id, window_start or '', launched, intercepted)."""
    header, rows = read_rows(pkg / "data" / "munitions.csv")
    template = dict(zip(header, rows[-1], strict=True))
    for i, (kind, start, launched, intercepted) in enumerate(claims):
        row = dict(template, claim_id=f"synthetic-{i}", munition_type_id=kind, window_start=start,
                   window_end=start, window_precision="day" if start else "", launched=str(launched),
                   intercepted=str(intercepted), notes="")
        rows.append([row[h] for h in header])
    write_rows(pkg / "data" / "munitions.csv", header, rows)


def add_types(pkg, categories):
    header, rows = read_rows(pkg / "data" / "munition_types.csv")
    for c in categories:
        rows.append([c.replace("_", "-") + "-synthetic" if h == "munition_type_id" else c if h in ("name", "category")
                     else "" for h in header])
    write_rows(pkg / "data" / "munition_types.csv", header, rows)


@pytest.mark.parametrize("days, period", [(10, "day"), (300, "week"), (1000, "month")])
def test_the_period_follows_the_span(pkg, days, period):
    import datetime as dt

    end = dt.date(2024, 10, 7) + dt.timedelta(days=days)
    add_claims(pkg, [("iskander-m", f"{end}T00:00:00", 5, 1)])
    s = pl.series(pkg)
    assert s.period == period and str(s.last) == str(end)
    assert sum(r["launched"] for r in s.rows) == 19 + 2 + 5
    if period == "month":
        assert all(r["period"].day == 1 for r in s.rows)
    if period == "week":
        assert all(r["period"].weekday() == 0 for r in s.rows)  # weeks start on Monday


def test_undated_claims_are_counted_and_left_out(pkg):
    header, rows = read_rows(pkg / "data" / "updates.csv")
    rows = [[("" if h == "published_date" else v) for h, v in zip(header, row, strict=True)] for row in rows]
    write_rows(pkg / "data" / "updates.csv", header, rows)
    add_claims(pkg, [("iskander-m", "", 4, 0)])
    s = pl.series(pkg)
    assert s.undated == 1 and s.claims == 3


def test_more_categories_than_panels_share_the_last_one(pkg):
    categories = ["cruise_missile", "anti_ship_missile", "guided_missile", "air_defence_missile", "missile",
                  "guided_aerial_bomb", "rocket", "mixed", "other"]
    add_types(pkg, categories)
    add_claims(pkg, [(c.replace("_", "-") + "-synthetic", "2024-10-07T00:00:00", 10 + i, i)
                     for i, c in enumerate(categories)])
    s = pl.series(pkg)
    assert len(s.categories) == 11
    panels = pl._panels(s)
    assert len(panels) == pl.MAX_PANELS and panels[-1][0].startswith("others: ")
    assert sum(r["launched"] for r in panels[-1][1]) == sum(totals(s)[c][0] for c in s.categories[7:])
    fig = pl.figure(s)
    assert len([ax for ax in fig.axes if ax.get_visible() and ax.axison]) == pl.MAX_PANELS


def test_an_empty_package_still_gives_a_picture_that_says_so(pkg, tmp_path):
    header, _ = read_rows(pkg / "data" / "munitions.csv")
    write_rows(pkg / "data" / "munitions.csv", header, [])
    out = tmp_path / "empty.png"
    r = run("plot", str(out), "--path", str(pkg))
    assert r.exit_code == 0 and "no munitions claims" in r.output
    assert out.read_bytes().startswith(PNG)
    fig = pl.figure(pl.series(pkg))
    assert any("No munitions claims" in t.get_text() for ax in fig.axes for t in ax.texts)


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


@pytest.mark.skipif(not (MA / "missile_attacks_daily.csv").is_file(),
                    reason="the missile-attacks dataset is not in ../shared/external (third-party data, not shipped)")
def test_an_imported_package_is_drawn_by_month(tmp_path):
    from conflictdata.importers import import_missile_attacks

    import_missile_attacks(MA / "missile_attacks_daily.csv", tmp_path / "ma", catalog=MA / "missiles_and_uavs.csv")
    out = tmp_path / "attacks.png"
    r = run("plot", str(out), "--path", str(tmp_path / "ma"))
    assert r.exit_code == 0, r.output
    s = pl.series(tmp_path / "ma")
    assert s.period == "month" and s.categories[0] == "drone" and s.claims > 3000
    width, height = png_size(out)
    assert height > width / 2  # one panel per category, in a grid
