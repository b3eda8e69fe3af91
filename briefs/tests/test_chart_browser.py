"""Charts in Chromium: on a 390 px phone and in a desktop column they fit, every data point lies
inside the drawing, and the labels stay a legible size."""

import pytest

from conftest import ARTIFACTS_DIR

from .conftest import build_corpus, chart, make_brief, make_evidence, section

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clear_cache"),
]

REGIONS = [
    "Almaty",
    "Astana",
    "Shymkent",
    "East Kazakhstan Region",
    "West Kazakhstan Region",
    "North Kazakhstan Region",
    "Karaganda",
    "Mangystau",
]


@pytest.fixture
def chart_brief(transactional_db, brief_index):
    corpus = build_corpus()
    fdi_2011 = make_evidence(
        corpus["kaz"],
        "Kazakhstan and China have traded since independence",
        figures=[("1620000000", "USD", 2011, "Chinese FDI")],
    )
    regions = make_evidence(
        corpus["kaz"],
        "the elite welcomes it",
        figures=[(str(10 + 7 * i), "%", None, region) for i, region in enumerate(REGIONS)],
    )
    return make_brief(
        brief_index,
        "Charts on phones",
        [
            section("Money"),
            chart(
                "Chinese FDI in Kazakhstan",
                [corpus["fdi_1999"], corpus["fdi_2008"], fdi_2011],
                chart_type="line",
            ),
            chart("Approval of Chinese investment by region", [regions]),
        ],
    )


def visible_chart_geometry(page):
    """For each chart: the figure's and the shown SVG's boxes, the boxes of its data points and
    the height of its smallest text."""
    return page.evaluate(
        """() => [...document.querySelectorAll('figure.chart')].map((figure) => {
            const svg = [...figure.querySelectorAll('svg.chart-svg')]
                .find((s) => getComputedStyle(s).display !== 'none');
            const box = (el) => el.getBoundingClientRect().toJSON();
            return {
                figure: box(figure),
                svg: box(svg),
                layout: svg.classList.contains('chart-svg--narrow') ? 'narrow' : 'wide',
                points: [...svg.querySelectorAll('.chart-point')].map(box),
                shown: figure.querySelectorAll('svg.chart-svg').length,
                smallestText: Math.min(
                    ...[...svg.querySelectorAll('text')].map((t) => t.getBBox().height
                        * svg.getScreenCTM().a)),
            };
        })"""
    )


def inside(inner, outer, slack=0.5):
    return (
        inner["left"] >= outer["left"] - slack
        and inner["right"] <= outer["right"] + slack
        and inner["top"] >= outer["top"] - slack
        and inner["bottom"] <= outer["bottom"] + slack
    )


@pytest.mark.parametrize(
    ("width", "layout"), [(390, "narrow"), (1280, "wide")], ids=["phone", "desktop"]
)
def test_charts_fit_their_column_with_every_point_visible(
    browser, live_server, chart_brief, width, layout
):
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    try:
        page.goto(live_server.url + chart_brief.url)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        charts = visible_chart_geometry(page)
        assert len(charts) == 2
        for index, found in enumerate(charts):
            assert found["layout"] == layout, index
            assert found["figure"]["right"] <= width and found["figure"]["left"] >= 0
            assert inside(found["svg"], found["figure"]), index
            assert found["points"] and all(inside(p, found["svg"]) for p in found["points"])
            # Labels read at 10 px or more: a 640-unit drawing squeezed into a phone's
            # column would set them at about 7 px.
            assert found["smallestText"] >= 10, (index, found["smallestText"])
        assert [len(c["points"]) for c in charts] == [3, len(REGIONS)]
        # The time axis as drawn: 1999-2008 is three times 2008-2011.
        x1999, x2008, x2011 = (p["left"] + p["width"] / 2 for p in charts[0]["points"])
        assert (x2008 - x1999) / (x2011 - x2008) == pytest.approx(3, rel=0.02)
        assert page.locator(".chart__gaps").first.is_visible()
        page.locator("figure.chart").first.scroll_into_view_if_needed()
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS_DIR / f"charts-{width}.png"), full_page=True)
    finally:
        context.close()
