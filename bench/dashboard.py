"""Benchmark: the coverage dashboard's province view on the full Jambi region list with 200,000 activities.

    python bench/dashboard.py [--regions outreach/data/jambi_regions.csv] [--records 200000] [--runs 7]

Builds a fresh SQLite database (through the migrations) in a temporary folder, imports the regions with the
project's importer, designates every village a desa binaan of one of the four Kanim, and spreads the
activities over the last year (60% visits, 25% sessions, 10% hand-outs, 5% early warnings). Prints the median
and best time of the province figures (the domain call) and of the whole page (a manager's request), then
of the two images the page shows (map, activity chart) and of the Kanwil's monthly report for last month.
"""

import argparse
import random
import statistics
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--regions", default=str(ROOT / "outreach" / "data" / "jambi_regions.csv"))
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from outreach import coverage, create_app, periods
    from outreach.extensions import db
    from outreach.models import (
        DesaBinaan,
        EarlyWarning,
        EducationSession,
        Handout,
        Material,
        Office,
        OfficeKind,
        RecordId,
        Region,
        RegionLevel,
        RiskLevel,
        Role,
        User,
        Visit,
    )
    from outreach.regions import import_regions

    folder = tempfile.mkdtemp(prefix="pimpasa-bench-")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
            "SECRET_KEY": "bench",
            "TESTING": True,
        }
    )
    rng = random.Random(7)
    with app.app_context():
        upgrade()
        with open(args.regions, encoding="utf-8") as stream:
            import_regions(db.session, stream)
        kanwil = Office(code="kanwil", name="Kanwil", kind=OfficeKind.kanwil)
        kanims = [
            Office(code=f"kanim-{n}", name=f"Kanim {n}", kind=OfficeKind.kanim, parent=kanwil)
            for n in range(4)
        ]
        db.session.add_all([kanwil, *kanims])
        admin = User(username="admin", role=Role.admin, password_hash="x", active=True)
        officers = [
            User(
                username=f"petugas{n}",
                role=Role.officer,
                office=kanims[n % 4],
                password_hash="x",
                active=True,
            )
            for n in range(40)
        ]
        db.session.add_all([admin, *officers, Material(slug="leaflet", title_id="Leaflet", kind="leaflet")])
        villages = list(db.session.scalars(select(Region.code).where(Region.level == RegionLevel.village)))
        db.session.flush()
        db.session.execute(
            insert(DesaBinaan),
            [
                {
                    "village_code": code,
                    "office_id": kanims[i % 4].id,
                    "risk_level": rng.choice(list(RiskLevel)),
                    "designated_on": date(2025, 1, 1),
                    "reason": "",
                }
                for i, code in enumerate(villages)
            ],
        )
        now = datetime.now()
        common = lambda: {  # noqa: E731
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "officer_id": rng.choice(officers).id,
            "village_code": rng.choice(villages),
            "occurred_at": now - timedelta(minutes=rng.randint(0, 525_600)),
            "client_updated_at": now,
            "rev": 0,
            "version": 1,
            "voided": rng.random() < 0.01,
            "device_id": "",
            "received_at": now,
            "lat": None,
            "lng": None,
            "accuracy": None,
        }
        plan = [
            (Visit, 0.60, lambda: {"purpose": "Koordinasi", "notes": ""}),
            (
                EducationSession,
                0.25,
                lambda: {
                    "venue": "Balai desa",
                    "topics": ["tppo"],
                    "male_under_18": rng.randint(0, 10),
                    "female_under_18": rng.randint(0, 10),
                    "male_adult": rng.randint(0, 30),
                    "female_adult": rng.randint(0, 30),
                    "audience_groups": [],
                    "partners": [],
                    "materials_used": "",
                    "notes": "",
                    "visit_id": None,
                },
            ),
            (
                Handout,
                0.10,
                lambda: {
                    "material_slug": "leaflet",
                    "quantity": rng.randint(1, 50),
                    "format": "printed",
                    "recipient_group": "public",
                    "session_id": None,
                },
            ),
            (
                EarlyWarning,
                0.05,
                lambda: {
                    "category": "recruiter",
                    "urgency": "biasa",
                    "description": "x",
                    "people_involved": "",
                    "source": "villager",
                },
            ),
        ]
        started = time.perf_counter()
        for model, share, extra in plan:
            count = int(args.records * share)
            for chunk in range(0, count, 10_000):
                rows = [common() | extra() for _ in range(min(10_000, count - chunk))]
                db.session.execute(
                    insert(RecordId),
                    [
                        {"id": row["id"], "record_type": model.record_type, "officer_id": row["officer_id"]}
                        for row in rows
                    ],
                )
                db.session.execute(insert(model), rows)
        db.session.commit()
        admin_id, kanwil_id = admin.id, kanwil.id
        print(
            f"built: {len(villages)} desa binaan, {args.records:,} activities in {time.perf_counter() - started:.1f} s"
        )

        today = date.today()
        start, end = periods.period("90", None, None, today=today)
        domain = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            result = coverage.coverage(db.session, region_code="15", start=start, end=end, offices=None)
            domain.append(time.perf_counter() - t0)
        print(
            f"province figures, last 90 days: {result.totals.covered:,} of {result.totals.desa_binaan:,} covered, "
            f"{result.totals.visits:,} visits, {result.totals.sessions:,} sessions"
        )

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(admin_id)
        session["_fresh"] = True

    def timed(path):
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - t0)
            assert response.status_code == 200, (path, response.status_code)
        return times

    last_month = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    page = timed("/kelola/?region=15&period=90")
    images = {
        path: timed(path)
        for path in ("/kelola/peta.svg?region=15&period=90", "/kelola/aktivitas.svg?period=90")
    }
    report = timed(f"/kelola/laporan/{kanwil_id}/{last_month}")
    ms = lambda xs: f"median {statistics.median(xs) * 1000:.0f} ms, best {min(xs) * 1000:.0f} ms"  # noqa: E731
    print(f"coverage(province) domain call: {ms(domain)} over {args.runs} runs")
    print(f"GET /kelola/ province page:     {ms(page)} over {args.runs} runs (target: under 300 ms)")
    for path, times in images.items():
        print(f"GET {path} (an image of the page): {ms(times)}")
    print(f"GET the Kanwil's monthly report for {last_month} (the whole province): {ms(report)}")


if __name__ == "__main__":
    main()
