"""Charts drawn as SVG on the server: nothing from another server, readable without JavaScript, and the same
numbers as the table beside them."""

from collections.abc import Callable

from markupsafe import escape

from .coverage import AreaFigures, MapLayout

COVERED, NOT_COVERED, BACKGROUND = "#0b5d4b", "#a11d1d", "#ffffff"
# The shades of an area by the share of its desa binaan covered, light to dark (one hue family, told apart in
# grey too); an area with no desa binaan is pale grey. The map's key and the table beside it name each shade.
SHADES = ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8")
NO_DESA_BINAAN = "#eceeed"
BORDER = "#4a5552"


def shade(figures: AreaFigures) -> int | None:
    """The shade of an area: 0 under a quarter of its desa binaan covered, 1 under half, 2 under three quarters,
    3 from there; None without desa binaan."""
    rate = figures.rate
    return None if rate is None else min(3, int(rate * 4))


def fill(figures: AreaFigures) -> str:
    n = shade(figures)
    return NO_DESA_BINAAN if n is None else SHADES[n]


def village_map_svg(
    layout: MapLayout,
    *,
    title: str,
    describe: Callable[[AreaFigures], str],
    covered: str,
    not_covered: str,
) -> str:
    """A standalone SVG image: each area's outline shaded by its coverage and named with its figures on hover
    (`describe`), and on top each desa binaan, a green disc when covered, a red ring when not."""
    said = {True: escape(covered), False: escape(not_covered)}
    areas = "".join(
        f'<path d="{a.path}" fill="{fill(a.figures)}"><title>{escape(describe(a.figures))}</title></path>'
        for a in layout.areas
    )
    dots = "".join(
        (
            f'<circle cx="{p.x}" cy="{p.y}" r="6" fill="{COVERED}" stroke="#fff" stroke-width="1.5">'
            if p.covered
            else f'<circle cx="{p.x}" cy="{p.y}" r="5" fill="#fff" stroke="{NOT_COVERED}" stroke-width="3">'
        )
        + f"<title>{escape(p.name)}: {said[p.covered]}</title></circle>"
        for p in layout.points
    )
    w, h = layout.width, layout.height
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img">'
        f'<title>{escape(title)}</title><rect width="{w}" height="{h}" fill="{BACKGROUND}"/>'
        f'<g stroke="{BORDER}" stroke-width="0.75" stroke-linejoin="round" fill-rule="evenodd">{areas}</g>'
        f"{dots}</svg>"
    )


# Okabe–Ito hues, darkened where needed to stand out at 3:1 or more against white; each series also has its own
# marker, so lines can be told apart without colour.
SERIES_COLOURS = ("#0072b2", "#c44e00", "#00795c", "#a8447f", "#8a6100", "#1b1f1e", "#5e3c99")
# Narrow and in big type, so that it reads on a phone: drawn 328 px wide (a 360 px screen less the page's
# margins) its 14-unit text is 11.5 px; a wider screen shows it at its own size.
CHART_WIDTH, PLOT_HEIGHT, LEGEND_ROW, FONT_SIZE = 400, 200, 22, 14
LEFT, RIGHT, TOP, AXIS_BAND = 48, 20, 16, 34
LEGEND_CHARACTERS = 38  # what fits beside a legend's marker at FONT_SIZE
INK, MUTED, GRID = "#1b1f1e", "#4a5552", "#d5dcda"


def activity_chart_height(series_count: int) -> int:
    """The chart's height: the plot, its date labels and a legend row per series."""
    return TOP + PLOT_HEIGHT + AXIS_BAND + LEGEND_ROW * series_count + 8


def _marker(n: int, x: float, y: float, colour: str, title: str = "") -> str:
    """The n-th series' marker: a circle, square, triangle or diamond."""
    tag, shape = (
        ("circle", f'cx="{x}" cy="{y}" r="4"'),
        ("rect", f'x="{x - 3.5}" y="{y - 3.5}" width="7" height="7"'),
        ("path", f'd="M{x} {y - 5}L{x + 4.5} {y + 3.5}L{x - 4.5} {y + 3.5}Z"'),
        ("path", f'd="M{x} {y - 5}L{x + 5} {y}L{x} {y + 5}L{x - 5} {y}Z"'),
    )[n % 4]
    named = f"<title>{escape(title)}</title>" if title else ""
    return f'<{tag} {shape} fill="{colour}">{named}</{tag}>'


def _fitted(name: str, longest: int = LEGEND_CHARACTERS) -> str:
    """A legend's name cut to what fits the chart's width (the table beside it and the hover give it whole)."""
    return name if len(name) <= longest else name[: longest - 1].rstrip() + "…"


def _step(largest: int) -> int:
    """A round step for the count axis (1, 2 or 5 times a power of ten) giving about four grid lines."""
    raw, power = max(largest / 4, 1), 1
    while True:
        for factor in (1, 2, 5):
            if factor * power >= raw:
                return factor * power
        power *= 10


def activity_chart_svg(
    labels: list[str], series: list[tuple[str, list[int]]], *, title: str, number: Callable[[int], str] = str
) -> str:
    """A standalone SVG image: one line per office over the buckets named by `labels`, count grid lines on the
    left, and a legend; each point is named with its office, bucket and count on hover. `number` writes a
    count the way the table beside the chart does."""
    height = activity_chart_height(len(series))
    plot_width = CHART_WIDTH - LEFT - RIGHT
    largest = max((max(counts, default=0) for _, counts in series), default=0)
    step = _step(largest)
    top_count = step * max(1, -(-largest // step))
    bottom = TOP + PLOT_HEIGHT

    def x(i: int) -> float:
        return round(LEFT + (plot_width / 2 if len(labels) == 1 else i * plot_width / (len(labels) - 1)), 1)

    def y(count: int) -> float:
        return round(bottom - count * PLOT_HEIGHT / top_count, 1)

    parts = []
    for count in range(0, top_count + 1, step):
        parts.append(
            f'<line x1="{LEFT}" x2="{CHART_WIDTH - RIGHT}" y1="{y(count)}" y2="{y(count)}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 6}" y="{y(count) + 5}" text-anchor="end">{escape(number(count))}</text>'
        )
    every = -(-len(labels) // max(1, plot_width // 66))  # at most one date label per 66 units
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(f'<text x="{x(i)}" y="{bottom + 18}" text-anchor="middle">{escape(label)}</text>')
    parts.append(
        f'<line x1="{LEFT}" x2="{CHART_WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" stroke="{MUTED}"/>'
    )
    for n, (name, counts) in enumerate(series):
        colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
        points = " ".join(f"{x(i)},{y(c)}" for i, c in enumerate(counts))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        parts.extend(
            _marker(n, x(i), y(c), colour, f"{name}, {labels[i]}: {number(c)}") for i, c in enumerate(counts)
        )
        row = bottom + AXIS_BAND + n * LEGEND_ROW + 6
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + 24}" y1="{row}" y2="{row}" stroke="{colour}" stroke-width="2.5"/>'
            f"{_marker(n, LEFT + 12, row, colour)}"
            f'<text x="{LEFT + 32}" y="{row + 5}">{escape(_fitted(name))}<title>{escape(name)}</title></text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_WIDTH} {height}" width="{CHART_WIDTH}" '
        f'height="{height}" role="img" font-family="system-ui, sans-serif" font-size="{FONT_SIZE}" fill="{INK}">'
        f'<title>{escape(title)}</title><rect width="{CHART_WIDTH}" height="{height}" fill="#fff"/>{"".join(parts)}</svg>'
    )
