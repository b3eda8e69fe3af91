"""Bar and line charts as accessible SVG, drawn on the server from evidence figures.

Hand-written rather than a charting library: the same markup must print in WeasyPrint (no
JavaScript, no external fonts) and carry <title>/<desc> and a data table for screen readers;
the Python charting libraries (matplotlib, pygal) either rasterise or emit SVG that relies on
scripts or CSS WeasyPrint ignores, and would add a heavy dependency for two chart types."""

import itertools
from dataclasses import dataclass, field, replace
from decimal import Decimal
from html import escape

from .figures import axis_unit, format_figure, scale


@dataclass(frozen=True)
class Layout:
    """The geometry of one drawing of a chart, in SVG user units. The SVG scales to its column
    (viewBox, width 100%), so a font size in user units reads at that size times the scale: the
    site shows the wide drawing in wide columns and the narrow one, drawn at about the width of
    a phone's column, below 34rem (static/briefs/css/site.css)."""

    name: str
    width: int
    plot_height: int
    left: int
    right: int
    top: int = 24
    font: int = 13


WIDE = Layout("wide", 640, 280, 72, 16)
NARROW = Layout("narrow", 360, 220, 60, 14)
LAYOUTS = (WIDE, NARROW)
# Width of a character as a share of the font size: an overestimate for the UI sans-serif, used
# to keep labels from colliding (the server cannot measure text).
CHAR_WIDTH = 0.62
TIME_INSET = 28  # a timeline's first and last years sit this far inside the plot
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
        return " ".join(["; ".join(parts) + ".", self.gap_note]).strip()

    @property
    def is_timeline(self) -> bool:
        """A line chart's categories are years (build_chart requires them): its x axis is time."""
        return self.kind == "line" and all(c.isdigit() for c in self.categories)

    @property
    def missing_years(self) -> list[tuple[int, int]]:
        """The runs of years (first, last) inside a timeline's span with no value at all."""
        if not self.is_timeline:
            return []
        years = sorted(int(c) for c in self.categories)
        return [(a + 1, b - 1) for a, b in itertools.pairwise(years) if b - a > 1]

    @property
    def gap_note(self) -> str:
        """The visible note under a timeline with missing years, e.g. "No data for 2000-2007
        and 2009-2010" (with en dashes); dashed lines join the years either side."""
        runs = [str(a) if a == b else f"{a}\N{EN DASH}{b}" for a, b in self.missing_years]
        if not runs:
            return ""
        listed = runs[0] if len(runs) == 1 else f"{', '.join(runs[:-1])} and {runs[-1]}"
        return f"No data for {listed}; dashed lines join the years either side."

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


def _text_width(text: str, font: float) -> float:
    return len(text) * font * CHAR_WIDTH


def x_positions(chart: Chart, layout: Layout = WIDE) -> dict[str, float]:
    """The x of each category: on a timeline, proportional to the year (inset from the plot's
    edges by TIME_INSET so the end labels fit); otherwise the centres of equal bands."""
    plot_w = layout.width - layout.left - layout.right
    if chart.is_timeline:
        years = [int(c) for c in chart.categories]
        first, last = min(years), max(years)
        if first == last:
            return {c: layout.left + plot_w / 2 for c in chart.categories}
        span = plot_w - 2 * TIME_INSET
        return {
            c: layout.left + TIME_INSET + (int(c) - first) / (last - first) * span
            for c in chart.categories
        }
    band = plot_w / len(chart.categories)
    return {c: layout.left + band * (i + 0.5) for i, c in enumerate(chart.categories)}


def _thin(labels: list[tuple[float, str]], font: float, gap: float = 6) -> list[tuple[float, str]]:
    """Keep the labels (x, text), left to right, that do not overlap the last one kept; the
    last label always shows (it replaces its neighbour if they collide)."""
    kept: list[tuple[float, str]] = []
    for x, text in labels:
        if (
            kept
            and x - kept[-1][0]
            < (_text_width(kept[-1][1], font) + _text_width(text, font)) / 2 + gap
        ):
            continue
        kept.append((x, text))
    if labels and kept[-1] != labels[-1]:
        if len(kept) > 1:
            kept.pop()
        kept.append(labels[-1])
    return kept


def _unit_label(chart: Chart) -> str:
    if chart.scale_word and chart.unit in ("USD", "EUR", "GBP"):
        return f"{chart.scale_word}s of {axis_unit(chart.unit)}"
    return axis_unit(chart.unit) + (f", {chart.scale_word}s" if chart.scale_word else "")


def render_svg(chart: Chart, element_id: str, layout: Layout = WIDE) -> str:
    """The chart as one SVG drawing with its own viewBox; no width or height: it takes the width
    of its container and a height from its aspect ratio."""
    font = layout.font
    factor = float(chart.scale_factor)
    values = [float(v) / factor for s in chart.series for _, v in s.points]
    top_value = _nice_max(max([*values, 0]))
    # Room on the left for the unit (rotated, at x=14) and the longest tick label.
    widest_tick = max(_text_width(_tick(top_value * i / 4), font) for i in range(5))
    layout = replace(layout, left=max(layout.left, round(24 + widest_tick + 10)))
    left, right, top = layout.left, layout.width - layout.right, layout.top
    plot_w, plot_h = right - left, layout.plot_height
    base = top + plot_h
    xs = x_positions(chart, layout)
    n_series = len(chart.series)

    def y(value):
        return base - (value / top_value) * plot_h

    body = []
    for i in range(5):
        value = top_value * i / 4
        yy = y(value)
        body.append(
            f'<line x1="{left}" x2="{right}" y1="{yy:.1f}" y2="{yy:.1f}" '
            f'stroke="#d0d0d0" stroke-width="1"/>'
            f'<text x="{left - 8}" y="{yy + 4:.1f}" text-anchor="end" fill="#333">'
            f"{_tick(value)}</text>"
        )
    body.append(
        f'<text x="14" y="{top + plot_h / 2:.1f}" text-anchor="middle" fill="#333" '
        f'transform="rotate(-90 14 {top + plot_h / 2:.1f})">{escape(_unit_label(chart))}</text>'
    )

    # Category labels: level when they fit their band, slanted otherwise.
    band = plot_w / len(chart.categories)
    texts = [c[:24] for c in chart.categories]
    widest = max(_text_width(t, font) for t in texts)
    label_y = base + 18
    if chart.kind == "line":
        shown = _thin([(xs[c], t) for c, t in zip(chart.categories, texts, strict=True)], font)
        slanted = False
    else:
        shown = [(xs[c], t) for c, t in zip(chart.categories, texts, strict=True)]
        slanted = widest > band - 6
    if chart.is_timeline:  # a tick on the axis at every year with data, labelled or not
        body.extend(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{base}" y2="{base + 5}" stroke="#333"/>'
            for x in xs.values()
        )
    for x, text in shown:
        if slanted:
            # A slanted label runs down to the left: shorten it rather than cross the edge.
            room = int((x - 4) / (font * CHAR_WIDTH * 0.77))
            text = text if len(text) <= room else text[: max(room - 1, 1)] + "…"
            body.append(
                f'<text x="{x:.1f}" y="{label_y - 4}" text-anchor="end" fill="#333" '
                f'transform="rotate(-40 {x:.1f} {label_y - 4})">{escape(text)}</text>'
            )
        else:
            body.append(
                f'<text x="{x:.1f}" y="{label_y}" text-anchor="middle" fill="#333">'
                f"{escape(text)}</text>"
            )
    axis_height = (widest * 0.65 + font + 14) if slanted else 30

    for s_index, series in enumerate(chart.series):
        colour = PALETTE[s_index % len(PALETTE)]
        points = [(category, float(value) / factor) for category, value in series.points]
        if chart.kind == "line":
            body.extend(_line(series, points, xs, y, colour, font))
        else:
            for category, value in points:
                # Bars side by side for the series that have a value in this category.
                present = [s for s in chart.series if category in dict(s.points)]
                slot = band * 0.7 / len(present)
                x = xs[category] - band * 0.35 + slot * present.index(series)
                yy = y(max(value, 0))
                body.append(
                    f'<rect class="chart-point" {_data(series, category, value)} '
                    f'x="{x:.1f}" y="{yy:.1f}" width="{slot:.1f}" '
                    f'height="{base - yy:.1f}" fill="{colour}"/>'
                )
                label = _tick(value)
                if _text_width(label, font) <= band / len(present):  # else: in the data table
                    body.append(
                        f'<text x="{x + slot / 2:.1f}" y="{yy - 6:.1f}" text-anchor="middle" '
                        f'fill="#222">{label}</text>'
                    )
    body.append(
        f'<line x1="{left}" x2="{right}" y1="{base}" y2="{base}" stroke="#333" stroke-width="1"/>'
    )

    # The legend flows in rows under the axis labels.
    legend_top = base + axis_height
    height = legend_top + 4
    # No legend when each series is one category: the axis already names them.
    if n_series > 1 and sorted(s.label for s in chart.series) != sorted(chart.categories):
        x, row = left, 0
        for s_index, series in enumerate(chart.series):
            room = int((layout.width - 30) / (font * CHAR_WIDTH))  # the data table has it all
            label = series.label if len(series.label) <= room else series.label[: room - 1] + "…"
            item_w = 18 + _text_width(label, font)
            if x > left and x + item_w > layout.width - 4:
                x, row = left, row + 1
            if x + item_w > layout.width - 4:
                x = 8
            yy = legend_top + 20 * row
            body.append(
                f'<rect x="{x:.1f}" y="{yy}" width="12" height="12" '
                f'fill="{PALETTE[s_index % len(PALETTE)]}"/>'
                f'<text x="{x + 18:.1f}" y="{yy + 10}" fill="#222">{escape(label)}</text>'
            )
            x += item_w + 12
        height = legend_top + 20 * (row + 1) + 4

    suffix = "" if layout.name == WIDE.name else f"-{layout.name}"
    title_id, desc_id = f"{element_id}{suffix}-title", f"{element_id}{suffix}-desc"
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {layout.width} {height:.0f}" '
        f'class="chart-svg chart-svg--{layout.name}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="inherit" font-size="{font}">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(chart.description)}</desc>',
    ]
    return "".join([*head, *body, "</svg>"])


def _data(series: Series, category: str, value: float) -> str:
    """The attributes naming a data point (for tests and for styling)."""
    return (
        f'data-series="{escape(series.label)}" data-category="{escape(category)}" '
        f'data-value="{_tick(value)}"'
    )


def _line(series: Series, points, xs, y, colour: str, font: int) -> list[str]:
    """A series as a line: solid between consecutive years, dashed across missing years."""
    coords = [(xs[category], y(value)) for category, value in points]
    out, run = [], coords[:1]

    def flush(run):
        if len(run) > 1:
            path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in run)
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="3" '
                f'stroke-linejoin="round"/>'
            )

    for ((before, _), (after, _)), (start, end) in zip(
        itertools.pairwise(points), itertools.pairwise(coords), strict=True
    ):
        if before.isdigit() and after.isdigit() and int(after) - int(before) > 1:
            flush(run)
            run = [end]
            out.append(
                f'<line class="chart-gap" x1="{start[0]:.1f}" y1="{start[1]:.1f}" '
                f'x2="{end[0]:.1f}" y2="{end[1]:.1f}" stroke="{colour}" stroke-width="2" '
                f'stroke-dasharray="6 5"/>'
            )
        else:
            run.append(end)
    flush(run)
    for (x, yy), (category, value) in zip(coords, points, strict=True):
        out.append(
            f'<circle class="chart-point" {_data(series, category, value)} '
            f'cx="{x:.1f}" cy="{yy:.1f}" r="4" fill="{colour}"/>'
        )
    labels = _thin(
        [(x, _tick(value)) for (x, _), (_, value) in zip(coords, points, strict=True)], font
    )
    shown = {x for x, _ in labels}
    for (x, yy), (_, value) in zip(coords, points, strict=True):
        if x in shown:
            out.append(
                f'<text x="{x:.1f}" y="{yy - 9:.1f}" text-anchor="middle" fill="#222">'
                f"{_tick(value)}</text>"
            )
    return out
