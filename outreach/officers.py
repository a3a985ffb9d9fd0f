"""How each officer's phones are syncing: the last sync, the devices, what they say is still waiting, the last
activity. An officer silent for more than two weeks stands out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from .extensions import DbSession
from .models import Device, Role, User
from .records import RECORD_TYPES

SILENT_AFTER = timedelta(days=14)


@dataclass
class OfficerHealth:
    officer: User
    devices: list[Device]
    last_sync: datetime | None
    pending: int
    last_activity: datetime | None

    def silent(self, now: datetime) -> bool:
        return self.last_sync is None or now - self.last_sync > SILENT_AFTER


def health(session: DbSession, *, offices: set[int] | None) -> list[OfficerHealth]:
    """Every active officer of the given offices (None: all), the silent ones first."""
    query = select(User).where(User.role == Role.officer, User.active.is_(True))
    if offices is not None:
        query = query.where(User.office_id.in_(offices))
    officers = list(session.scalars(query.order_by(User.full_name)))
    ids = [o.id for o in officers]
    devices: dict[int, list[Device]] = {}
    for device in session.scalars(
        select(Device).where(Device.officer_id.in_(ids)).order_by(Device.last_sync.desc())
    ):
        devices.setdefault(device.officer_id, []).append(device)
    last: dict[int, datetime] = {}
    for kind in RECORD_TYPES.values():
        model = kind.model
        for officer_id, when in session.execute(
            select(model.officer_id, func.max(model.occurred_at))
            .where(model.officer_id.in_(ids))
            .group_by(model.officer_id)
        ):
            if officer_id not in last or when > last[officer_id]:
                last[officer_id] = when
    rows = []
    for officer in officers:
        mine = devices.get(officer.id, [])
        rows.append(
            OfficerHealth(
                officer,
                mine,
                max((d.last_sync for d in mine), default=None),
                sum(d.pending for d in mine),
                last.get(officer.id),
            )
        )
    rows.sort(key=lambda h: (h.last_sync is not None, h.last_sync or datetime.min))
    return rows
