"""Charts drawn as SVG on the server: nothing from another server, readable without JavaScript, and the same
numbers as the table beside them."""

from collections.abc import Callable

from markupsafe import escape

from .coverage import MapPoint

MAP_WIDTH, MAP_HEIGHT = 640, 440
COVERED, NOT_COVERED, BACKGROUND = "#0b5d4b", "#a11d1d", "#eef3f1"


def village_map_svg(points: list[MapPoint], *, title: str, covered: str, not_covered: str) -> str:
    """A standalone SVG image: each desa binaan a dot, green when covered, red when not, named on hover."""
    said = {True: escape(covered), False: escape(not_covered)}
    dots = "".join(
        f'<circle cx="{p.x}" cy="{p.y}" r="5" fill="{COVERED if p.covered else NOT_COVERED}">'
        f"<title>{escape(p.name)}: {said[p.covered]}</title></circle>"
        for p in points
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}" width="{MAP_WIDTH}" '
        f'height="{MAP_HEIGHT}" role="img"><title>{escape(title)}</title>'
        f'<rect width="{MAP_WIDTH}" height="{MAP_HEIGHT}" fill="{BACKGROUND}"/>{dots}</svg>'
    )


# Okabe–Ito hues, darkened where needed to stand out at 3:1 or more against white; each series also has its own
# marker, so lines can be told apart without colour.
SERIES_COLOURS = ("#0072b2", "#c44e00", "#00795c", "#a8447f", "#8a6100", "#1b1f1e", "#5e3c99")
CHART_WIDTH, PLOT_HEIGHT, LEGEND_ROW = 640, 220, 20
LEFT, RIGHT, TOP, AXIS_BAND = 48, 28, 16, 32
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
            f'<text x="{LEFT - 6}" y="{y(count) + 4}" text-anchor="end">{escape(number(count))}</text>'
        )
    every = -(-len(labels) // max(1, plot_width // 60))  # at most one date label per 60 pixels
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
            f'<text x="{LEFT + 32}" y="{row + 4}">{escape(name)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_WIDTH} {height}" width="{CHART_WIDTH}" '
        f'height="{height}" role="img" font-family="system-ui, sans-serif" font-size="12" fill="{INK}">'
        f'<title>{escape(title)}</title><rect width="{CHART_WIDTH}" height="{height}" fill="#fff"/>{"".join(parts)}</svg>'
    )
