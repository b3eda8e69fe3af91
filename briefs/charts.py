"""Bar and line charts as accessible SVG, drawn on the server from evidence figures.

Hand-written rather than a charting library: the same markup must print in WeasyPrint (no
JavaScript, no external fonts) and carry <title>/<desc> and a data table for screen readers;
the Python charting libraries (matplotlib, pygal) either rasterise or emit SVG that relies on
scripts or CSS WeasyPrint ignores, and would add a heavy dependency for two chart types."""

from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from .figures import axis_unit, format_figure, scale

WIDTH, HEIGHT = 640, 360
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 72, 16, 24, 56
# Colour-blind-safe palette (after Okabe and Ito), dark enough for 3:1 contrast on white.
PALETTE = ["#0b5394", "#b45f06", "#38761d", "#741b47", "#3d5a80", "#7f6000"]


class ChartError(ValueError):
    """The figures cannot make this chart; the message says why, for the editor."""


@dataclass
class Series:
    label: str
    points: list = field(default_factory=list)  # [(category, Decimal)]


@dataclass
class Chart:
    kind: str
    title: str
    unit: str
    categories: list
    series: list
    scale_word: str = ""
    scale_factor: Decimal = Decimal(1)

    @property
    def description(self):
        parts = []
        for series in self.series:
            values = ", ".join(
                f"{category}: {format_figure(value, self.unit)}"
                for category, value in series.points
            )
            parts.append(f"{series.label}: {values}")
        return "; ".join(parts) + "."

    @property
    def table(self):
        """[(series label, [value or None for each category])]: the data table's rows, aligned
        on the categories (a series need not have a value for every category)."""
        rows = []
        for series in self.series:
            values = dict(series.points)
            rows.append((series.label, [values.get(c) for c in self.categories]))
        return rows


def build_chart(kind: str, title: str, evidence_list) -> Chart:
    """Collect the figures of the evidence into series (one per figure label)."""
    figures = [figure for evidence in evidence_list for figure in evidence.figures.all()]
    if not figures:
        raise ChartError("The chosen evidence carries no figures to chart.")
    units = sorted({figure.unit for figure in figures})
    if len(units) > 1:
        raise ChartError(
            f"The chosen evidence mixes units ({', '.join(units)}); a chart needs one unit."
        )
    if kind == "line" and any(figure.year is None for figure in figures):
        raise ChartError("A line chart needs a year on every figure; use a bar chart instead.")
    by_label: dict[str, Series] = {}
    categories = []
    for figure in figures:
        category = str(figure.year) if figure.year is not None else figure.label
        if category not in categories:
            categories.append(category)
        series_label = figure.label
        series = by_label.setdefault(series_label, Series(series_label))
        series.points.append((category, Decimal(figure.value)))
    if all(figure.year is not None for figure in figures):
        categories.sort(key=int)
        for series in by_label.values():
            series.points.sort(key=lambda point: int(point[0]))
    largest = max(abs(Decimal(figure.value)) for figure in figures)
    scaled, word = scale(largest)
    factor = largest / scaled if word else Decimal(1)
    return Chart(kind, title, units[0], categories, list(by_label.values()), word, factor)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1) if value >= 1 else 0.1
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _tick(value: float) -> str:
    """12.5 -> "12.5", 1000.0 -> "1,000", 0.25 -> "0.25"."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text or "0"


def render_svg(chart: Chart, element_id: str) -> str:
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    factor = float(chart.scale_factor)
    values = [float(v) / factor for s in chart.series for _, v in s.points]
    top = _nice_max(max([*values, 0]))
    unit_label = axis_unit(chart.unit) + (f", {chart.scale_word}s" if chart.scale_word else "")
    if chart.scale_word and chart.unit in ("USD", "EUR", "GBP"):
        unit_label = f"{chart.scale_word}s of {axis_unit(chart.unit)}"

    def y(value):
        return MARGIN_TOP + plot_h - (value / top) * plot_h

    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="chart-svg" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'font-family="inherit" font-size="13">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(chart.description)}</desc>',
    ]
    for i in range(5):
        value = top * i / 4
        yy = y(value)
        out.append(
            f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{yy:.1f}" y2="{yy:.1f}" '
            f'stroke="#d0d0d0" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{MARGIN_LEFT - 8}" y="{yy + 4:.1f}" text-anchor="end" fill="#333">'
            f"{_tick(value)}</text>"
        )
    out.append(
        f'<text x="14" y="{MARGIN_TOP + plot_h / 2:.1f}" text-anchor="middle" fill="#333" '
        f'transform="rotate(-90 14 {MARGIN_TOP + plot_h / 2:.1f})">{escape(unit_label)}</text>'
    )
    n_cat = len(chart.categories)
    band = plot_w / n_cat
    for index, category in enumerate(chart.categories):
        cx = MARGIN_LEFT + band * (index + 0.5)
        out.append(
            f'<text x="{cx:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 18}" text-anchor="middle" '
            f'fill="#333">{escape(category[:24])}</text>'
        )
    n_series = len(chart.series)
    for s_index, series in enumerate(chart.series):
        colour = PALETTE[s_index % len(PALETTE)]
        points = {category: float(value) / factor for category, value in series.points}
        if chart.kind == "line":
            coords = [
                (MARGIN_LEFT + band * (chart.categories.index(c) + 0.5), y(v))
                for c, v in points.items()
            ]
            path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in coords)
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="3"/>'
            )
            for (x, yy), value in zip(coords, points.values(), strict=True):
                out.append(f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="4" fill="{colour}"/>')
                out.append(
                    f'<text x="{x:.1f}" y="{yy - 9:.1f}" text-anchor="middle" fill="#222">'
                    f"{_tick(value)}</text>"
                )
        else:
            bar_w = band * 0.7 / n_series
            for category, value in points.items():
                x = (
                    MARGIN_LEFT
                    + band * chart.categories.index(category)
                    + band * 0.15
                    + bar_w * s_index
                )
                yy = y(max(value, 0))
                out.append(
                    f'<rect x="{x:.1f}" y="{yy:.1f}" width="{bar_w:.1f}" '
                    f'height="{MARGIN_TOP + plot_h - yy:.1f}" fill="{colour}"/>'
                )
                out.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{yy - 6:.1f}" text-anchor="middle" '
                    f'fill="#222">{_tick(value)}</text>'
                )
    out.append(
        f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{MARGIN_TOP + plot_h}" '
        f'y2="{MARGIN_TOP + plot_h}" stroke="#333" stroke-width="1"/>'
    )
    if n_series > 1:
        x = MARGIN_LEFT
        for s_index, series in enumerate(chart.series):
            colour = PALETTE[s_index % len(PALETTE)]
            label = escape(series.label[:40])
            out.append(
                f'<rect x="{x}" y="{HEIGHT - 22}" width="12" height="12" fill="{colour}"/>'
                f'<text x="{x + 18}" y="{HEIGHT - 12}" fill="#222">{label}</text>'
            )
            x += 30 + 7 * min(len(series.label), 40)
    out.append("</svg>")
    return "".join(out)
