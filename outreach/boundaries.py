"""Region outlines for the coverage map, imported from a GeoJSON FeatureCollection (one feature per region, its
properties `code`, `name` and `level`, a Polygon or MultiPolygon in longitude and latitude).

The whole file is checked before anything is written, so a bad feature stops the import with its position and
nothing is half imported. Importing the same file again changes nothing; a feature whose code is stored already
replaces its outline. Coordinates are kept to `DECIMALS` places (about 11 m), finer than any map here draws.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import IO, Any

from sqlalchemy import insert, select, update

from . import regions
from .domain import DomainError
from .extensions import DbSession
from .models import REGION_LEVELS, RegionBoundary, RegionLevel
from .regions import CODE_PATTERNS

DECIMALS = 4
EXAMPLE_CODES = {"province": "15", "regency": "15.71", "district": "15.71.01", "village": "15.71.01.1001"}
# A polygon: rings of [longitude, latitude] points, the outline first and then its holes.
Polygon = list[list[list[float]]]


class BoundaryFileError(DomainError):
    """The boundary file, or one of its features, cannot be imported; the text says where and why."""


class ImportReport(regions.ImportReport):
    """What an import of boundaries did per level, as the regions' report, leaving out levels it had none of."""

    def lines(self) -> list[str]:
        return [
            f"{level} boundaries: {self.added[level]} added, {self.updated[level]} updated, "
            f"{self.unchanged[level]} unchanged"
            for level in REGION_LEVELS
            if self.added[level] or self.updated[level] or self.unchanged[level]
        ]


def _ring(points: Any, where: str) -> list[list[float]]:
    """One ring's points rounded to DECIMALS, repeated neighbours dropped; BoundaryFileError when a point is
    not a longitude and latitude or the ring has fewer than four points."""
    if not isinstance(points, list):
        raise BoundaryFileError(f"{where}: a ring must be a list of points")
    ring: list[list[float]] = []
    for point in points:
        if (
            not isinstance(point, list)
            or len(point) < 2
            or not all(isinstance(n, int | float) and not isinstance(n, bool) for n in point[:2])
        ):
            raise BoundaryFileError(
                f"{where}: the point {json.dumps(point)[:40]} is not [longitude, latitude]"
            )
        lng, lat = point[0], point[1]
        if not (math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180 and -90 <= lat <= 90):
            raise BoundaryFileError(f"{where}: the point [{lng}, {lat}] is not on Earth (longitude first)")
        rounded = [round(lng, DECIMALS), round(lat, DECIMALS)]
        if not ring or ring[-1] != rounded:
            ring.append(rounded)
    if len(ring) < 4:
        raise BoundaryFileError(f"{where}: a ring needs at least four points, the last one the first again")
    return ring


def _polygons(geometry: Any, where: str) -> list[Polygon]:
    """The polygons of a Polygon or MultiPolygon geometry, checked and rounded."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise BoundaryFileError(f"{where}: the geometry must be a Polygon or a MultiPolygon")
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        raise BoundaryFileError(f"{where}: the geometry has no coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    checked = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise BoundaryFileError(f"{where}: a polygon must be a list of rings")
        checked.append([_ring(ring, where) for ring in polygon])
    return checked


def read_features(stream: IO[bytes] | IO[str]) -> list[dict[str, str]]:
    """Parse and check every feature of a GeoJSON file: its code, level, name and geometry (as stored)."""
    try:
        collection = json.load(stream)
    except json.JSONDecodeError as exc:
        raise BoundaryFileError(f"not GeoJSON: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise BoundaryFileError("the file must hold one GeoJSON FeatureCollection")
    features = collection.get("features")
    if not isinstance(features, list):
        raise BoundaryFileError("the FeatureCollection has no list of features")
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for number, feature in enumerate(features, start=1):
        where = f"feature {number}"
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            raise BoundaryFileError(f"{where}: a feature needs properties code, name and level")
        code, name, level = properties.get("code"), properties.get("name"), properties.get("level")
        if isinstance(code, str):
            where = f"feature {number} ({code})"
        if not isinstance(level, str) or level not in REGION_LEVELS:
            raise BoundaryFileError(f"{where}: level must be one of {', '.join(REGION_LEVELS)}")
        if not isinstance(code, str) or not CODE_PATTERNS[level].match(code):
            raise BoundaryFileError(
                f"{where}: the code is not a Kemendagri {level} code such as {EXAMPLE_CODES[level]}"
            )
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 120:
            raise BoundaryFileError(f"{where}: the name must be 1 to 120 characters")
        if code in seen:
            raise BoundaryFileError(f"{where}: the code {code} is in the file twice")
        seen.add(code)
        polygons = _polygons(feature.get("geometry"), where)
        rows.append(
            {
                "code": code,
                "level": level,
                "name": name.strip(),
                "geometry": json.dumps(polygons, separators=(",", ":")),
            }
        )
    return rows


def import_boundaries(session: DbSession, stream: IO[bytes] | IO[str]) -> ImportReport:
    """Check the whole file, then add new outlines and replace changed ones in two statements; the caller
    commits."""
    rows = read_features(stream)
    stored = {
        code: (level.value, name, geometry)
        for code, level, name, geometry in session.execute(
            select(RegionBoundary.code, RegionBoundary.level, RegionBoundary.name, RegionBoundary.geometry)
        )
    }
    report = ImportReport(Counter(), Counter(), Counter())
    new, changed = [], []
    for row in rows:
        before = stored.get(row["code"])
        if before is None:
            new.append(row)
            report.added[row["level"]] += 1
        elif before != (row["level"], row["name"], row["geometry"]):
            changed.append(row)
            report.updated[row["level"]] += 1
        else:
            report.unchanged[row["level"]] += 1
    if new:
        session.execute(insert(RegionBoundary), [{**r, "level": RegionLevel(r["level"])} for r in new])
    if changed:
        session.execute(update(RegionBoundary), [{**r, "level": RegionLevel(r["level"])} for r in changed])
    return report


def outlines(session: DbSession, codes: list[str]) -> dict[str, list[Polygon]]:
    """The stored outlines of these regions (those that have one), by code."""
    found: dict[str, list[Polygon]] = {}
    for i in range(0, len(codes), 1000):
        for code, geometry in session.execute(
            select(RegionBoundary.code, RegionBoundary.geometry).where(
                RegionBoundary.code.in_(codes[i : i + 1000])
            )
        ):
            found[code] = json.loads(geometry)
    return found
