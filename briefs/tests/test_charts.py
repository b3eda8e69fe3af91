"""The chart geometry, without a database: a line chart's x axis is proportional to time and says
which years are missing; both drawings keep every data point inside their viewBox."""

import re
from decimal import Decimal

import pytest

from briefs import charts
from briefs.charts import NARROW, WIDE, Chart, Series


def fdi_chart(years=(1999, 2008, 2011), kind="line"):
    """Chinese FDI in Kazakhstan as the demo's Kazakhstan brief charts it."""
    values = {1999: 500, 2008: 700, 2011: 1620, 2012: 1700, 2013: 1800}
    points = [(str(year), Decimal(values[year]) * 10**6) for year in years]
    return Chart(
        kind,
        "Chinese foreign direct investment in Kazakhstan",
        "USD",
        [str(year) for year in years],
        [Series("Chinese FDI in Kazakhstan", points)],
        "billion",
        Decimal(10) ** 9,
    )


def circles(svg):
    return [
        (float(cx), float(cy))
        for cx, cy in re.findall(
            r'<circle class="chart-point"[^>]* cx="([\d.]+)" cy="([\d.]+)"', svg
        )
    ]


@pytest.mark.parametrize("layout", [WIDE, NARROW], ids=["wide", "narrow"])
def test_a_line_chart_places_years_in_proportion_to_time(layout):
    chart = fdi_chart()
    xs = charts.x_positions(chart, layout)
    # 1999 to 2008 is nine years, 2008 to 2011 three: three times as far apart.
    assert (xs["2008"] - xs["1999"]) / (xs["2011"] - xs["2008"]) == pytest.approx(3)
    assert layout.left < xs["1999"] < xs["2011"] < layout.width - layout.right
    # The drawn points sit where the axis says.
    drawn = circles(charts.render_svg(chart, "fdi", layout))
    assert [x for x, _ in drawn] == pytest.approx([xs[c] for c in chart.categories], abs=0.05)


def test_a_bar_chart_of_years_keeps_equal_bands():
    xs = charts.x_positions(fdi_chart(kind="bar"), WIDE)
    assert xs["2008"] - xs["1999"] == pytest.approx(xs["2011"] - xs["2008"])


def test_missing_years_are_named_in_the_note_and_the_description():
    chart = fdi_chart()
    assert chart.missing_years == [(2000, 2007), (2009, 2010)]
    note = "No data for 2000–2007 and 2009–2010; dashed lines join the years either side."  # noqa: RUF001
    assert chart.gap_note == note
    assert chart.description == (
        "Chinese FDI in Kazakhstan: 1999: $500 million, 2008: $700 million, "
        "2011: $1.6 billion. " + note
    )
    svg = charts.render_svg(chart, "fdi")
    assert f" {note}</desc>" in svg
    # Both segments cross missing years: dashed, and no solid line joins them.
    assert svg.count('class="chart-gap"') == 2 and 'stroke-dasharray="6 5"' in svg
    assert "<polyline" not in svg


def test_one_missing_year_and_a_run_of_consecutive_years():
    chart = fdi_chart(years=(2008, 2011, 2012, 2013))
    assert chart.gap_note == "No data for 2009–2010; dashed lines join the years either side."  # noqa: RUF001
    svg = charts.render_svg(chart, "fdi")
    assert svg.count('class="chart-gap"') == 1
    (solid,) = re.findall(r'<polyline points="([^"]+)"', svg)
    assert len(solid.split()) == 3  # 2011, 2012, 2013 joined by a solid line
    assert fdi_chart(years=(2011, 2013)).gap_note.startswith("No data for 2012;")


def test_consecutive_years_and_bar_charts_need_no_note():
    assert fdi_chart(years=(2011, 2012, 2013)).gap_note == ""
    assert fdi_chart(kind="bar").gap_note == ""
    assert "chart-gap" not in charts.render_svg(fdi_chart(years=(2011, 2012)), "fdi")


def test_a_single_year_sits_in_the_middle():
    xs = charts.x_positions(fdi_chart(years=(2011,)), WIDE)
    assert xs["2011"] == pytest.approx((WIDE.left + WIDE.width - WIDE.right) / 2)


@pytest.mark.parametrize("layout", [WIDE, NARROW], ids=["wide", "narrow"])
def test_every_point_lies_inside_the_viewbox(layout):
    svg = charts.render_svg(fdi_chart(), "fdi", layout)
    width, height = map(float, re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
    assert width == layout.width
    assert all(0 < x < width and 0 < y < height for x, y in circles(svg))
    assert 'width="' not in svg.split(">", 1)[0]  # no fixed size: it scales to its column


def test_long_tick_labels_and_series_names_keep_clear_of_each_other():
    """The demo's transit chart: ticks up to "1,000,000" beside the rotated unit, and two
    series whose names differ only at the end."""
    flow = "China-Europe-China transit container flow"
    chart = Chart(
        "line",
        "Transit containers",
        "TEU",
        ["2016", "2017", "2018", "2020"],
        [
            Series(flow, [("2016", Decimal(104600)), ("2017", Decimal(201000))]),
            Series(f"{flow} (projected)", [("2018", Decimal(340000)), ("2020", Decimal(800000))]),
        ],
    )
    svg = charts.render_svg(chart, "teu")
    ticks = re.findall(
        r'<text x="([\d.]+)" y="[\d.]+" text-anchor="end" fill="#333">([\d,]+)<', svg
    )
    assert ("1,000,000" in dict((t, x) for x, t in ticks)) and len(ticks) == 5
    unit_label_right = 14 + WIDE.font / 2  # the rotated unit label (centred on x=14) ends here
    for x, text in ticks:
        assert float(x) - charts._text_width(text, WIDE.font) > unit_label_right, text
    assert f">{flow}</text>" in svg and f">{flow} (projected)</text>" in svg
    narrow = charts.render_svg(chart, "teu", NARROW)
    # Shortened to the narrow drawing's width (the data table has them in full).
    assert narrow.count("…</text>") == 2
