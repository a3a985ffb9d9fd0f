"""Charts drawn as SVG on the server: nothing from another server, readable without JavaScript, and the same
numbers as the table beside them."""
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
