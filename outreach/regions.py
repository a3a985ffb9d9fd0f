"""Importing the Kemendagri region list (code,name,level,parent_code,lat,lng).

The whole file is checked before anything is written, so a bad row stops the import with its line number and
nothing is half imported. Importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import bindparam, select

from .domain import DomainError
from .extensions import DbSession
from .models import REGION_LEVELS, Region, RegionLevel

COLUMNS = ["code", "name", "level", "parent_code", "lat", "lng"]
CODE_PATTERNS = {
    "province": re.compile(r"^\d{2}$"),
    "regency": re.compile(r"^\d{2}\.\d{2}$"),
    "district": re.compile(r"^\d{2}\.\d{2}\.\d{2}$"),
    "village": re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"),
}


class RegionFileError(DomainError):
    """A row of the region file is wrong; `line` is its line number in the file, and begins the text."""

    def __init__(self, message: str, *, line: int):
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass
class ImportReport:
    added: Counter[str]
    updated: Counter[str]
    unchanged: Counter[str]

    def lines(self) -> list[str]:
        return [
            f"{level}: {self.added[level]} added, {self.updated[level]} updated, {self.unchanged[level]} unchanged"
            for level in REGION_LEVELS
        ]


def _coordinate(value: str, line: int, name: str, limit: float) -> float | None:
    if value.strip() == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise RegionFileError(f"{name} '{value}' is not a number", line=line) from None
    if not -limit <= number <= limit:
        raise RegionFileError(f"{name} {number} is out of range", line=line)
    return number


def read_rows(stream: IO[str], known_codes: dict[str, str]) -> list[dict[str, Any]]:
    """Parse and check every row; `known_codes` maps codes already in the database to their level."""
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None or [h.strip() for h in header] != COLUMNS:
        raise RegionFileError(f"the header must be {','.join(COLUMNS)}", line=1)
    rows, levels = [], dict(known_codes)
    seen: set[str] = set()
    next_line = reader.line_num + 1
    while True:
        line = next_line  # where the row starts: a quoted name may span lines
        try:
            fields = next(reader, None)
        except csv.Error as exc:
            raise RegionFileError(f"the row cannot be read ({exc})", line=line) from None
        if fields is None:
            break
        next_line = reader.line_num + 1
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != len(COLUMNS):
            raise RegionFileError(f"expected {len(COLUMNS)} columns, found {len(fields)}", line=line)
        code, name, level, parent, lat, lng = (f.strip() for f in fields)
        if level not in CODE_PATTERNS:
            raise RegionFileError(
                f"unknown level '{level}' (expected one of {', '.join(REGION_LEVELS)})", line=line
            )
        if not CODE_PATTERNS[level].match(code):
            raise RegionFileError(f"code '{code}' does not have the form of a {level} code", line=line)
        if code in seen:
            raise RegionFileError(f"code {code} appears twice", line=line)
        if not name:
            raise RegionFileError("the name is empty", line=line)
        depth = REGION_LEVELS.index(level)
        if depth == 0:
            if parent:
                raise RegionFileError("a province has no parent", line=line)
        else:
            if parent != code.rsplit(".", 1)[0]:
                raise RegionFileError(f"parent '{parent}' does not match code {code}", line=line)
            if levels.get(parent) != REGION_LEVELS[depth - 1]:
                raise RegionFileError(
                    f"parent {parent} is not a {REGION_LEVELS[depth - 1]} listed above or stored", line=line
                )
        seen.add(code)
        levels[code] = level
        rows.append(
            {
                "code": code,
                "name": name,
                "level": RegionLevel(level),
                "parent_code": parent or None,
                "lat": _coordinate(lat, line, "lat", 90),
                "lng": _coordinate(lng, line, "lng", 180),
            }
        )
    return rows


def import_regions(session: DbSession, stream: IO[str]) -> ImportReport:
    """Add new regions and update changed ones from a CSV stream. The caller commits.

    Rows are added in file order, parents before children, which is the order they are inserted in.
    """
    existing = {region.code: region for region in session.scalars(select(Region))}
    rows = read_rows(stream, {code: region.level.value for code, region in existing.items()})
    report = ImportReport(Counter(), Counter(), Counter())
    for row in rows:
        level = row["level"].value
        region = existing.get(row["code"])
        if region is None:
            session.add(Region(**row))
            report.added[level] += 1
        elif any(getattr(region, key) != value for key, value in row.items()):
            for key, value in row.items():
                setattr(region, key, value)
            report.updated[level] += 1
        else:
            report.unchanged[level] += 1
    return report


def ancestor_names(session: DbSession, regions: list[Region]) -> dict[str, list[str]]:
    """The names of each region's ancestors, the top first, by the region's code. One query finds them by the
    codes a Kemendagri code starts with (`15.71.01.1001` is in `15.71.01`, `15.71`, `15`); a parent a code does
    not name costs one more query for each level where one is missing."""
    known = {region.code: (region.name, region.parent_code) for region in regions}  # by code: name, parent
    wanted = {
        ".".join(region.code.split(".")[:depth])
        for region in regions
        for depth in range(1, region.code.count(".") + 1)
    }
    asked: set[str] = set()
    while wanted := wanted - asked:
        asked |= wanted
        known.update(
            (code, (name, parent)) for code, name, parent in session.execute(_NAMES, {"codes": list(wanted)})
        )
        wanted = {parent for _, parent in known.values() if parent and parent not in known}
    names: dict[str, list[str]] = {}
    for region in regions:
        chain: list[str] = []
        parent = region.parent_code
        while parent is not None and parent in known:
            name, parent = known[parent]
            chain.append(name)
        names[region.code] = chain[::-1]
    return names


# `ancestor_names`' query, made once (the phone's /api/v1/me runs it), reading only what it needs of each region
_NAMES = select(Region.code, Region.name, Region.parent_code).where(
    Region.code.in_(bindparam("codes", expanding=True))
)
