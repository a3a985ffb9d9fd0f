"""Benchmark: the coverage dashboard, nationally on PostgreSQL (a synthetic country) or for Jambi on SQLite.

    python bench/dashboard.py --database postgresql [--url postgresql://postgres@127.0.0.1:5432] [--runs 5]
    python bench/dashboard.py --database sqlite [--records 200000] [--runs 5]

PostgreSQL: creates the database `bench_country` (dropped at the end unless `--keep`; `--reuse` measures a kept
one again after running the migrations), and builds a country in SQL (INSERT … SELECT from generate_series): 38
provinces, 514 regencies, 7,196 districts, 84,000 villages, 33 Kanwil over 125 Kanim (each serving about four
regencies), 5,000 desa binaan (40 per Kanim), four officers per Kanim and 2,000,000 records over the last year
(60% visits, 25% sessions, 10% hand-outs, 5% early warnings), each belonging to its village's Kanim, and their
activity per village and month and per office and day (`outreach.village_activity.refill`: the records go in
past the ORM).
SQLite: the shipped Jambi regions, every village a desa binaan of one of four Kanim, `--records` records.

Logs in through /masuk (real password hashes, server-side sessions) and prints the median and best time of:
the admin's national view (the domain call and the page, 90 days and a year) and its two images; a Kanim
manager's view (40 desa binaan) and, on PostgreSQL, the same view again after the rest of the country's desa
binaan and records are doubled, as a ratio: the Kanim's cost follows its own desa binaan, not the country's.
"""

import argparse
import gc
import random
import re
import statistics
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, insert, select, text
from werkzeug.security import generate_password_hash

from outreach import village_activity

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-1"
DATABASE = "bench_country"
KANIM_DESA = 40  # desa binaan per Kanim in the synthetic country

COMMON = "client_updated_at, rev, version, voided, device_id, received_at, lat, lng, accuracy"  # besides id, who, when


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432", help="server, no database")
    parser.add_argument("--regions", default=str(ROOT / "outreach" / "data" / "jambi_regions.csv"))
    parser.add_argument(
        "--records", type=int, default=None, help="2,000,000 on PostgreSQL, 200,000 on SQLite"
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="PostgreSQL: keep the database for --reuse")
    parser.add_argument("--reuse", action="store_true", help="PostgreSQL: measure a kept database again")
    parser.add_argument("--no-double", action="store_true", help="PostgreSQL: skip doubling the rest")
    args = parser.parse_args()
    if args.database == "postgresql":
        national(args)
    else:
        jambi(args)


# Measuring


def ms(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:6.0f} ms, best {min(times) * 1000:6.0f} ms"


def timed(call, runs: int) -> list[float]:
    call()  # warm: the first request compiles templates and fills caches that every later request has
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return times


def logged_in(app, username: str):
    """A test client logged in through the log-in page, as a browser would."""
    client = app.test_client()
    page = client.get("/masuk").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = client.post("/masuk", data={"csrf_token": token, "username": username, "password": PASSWORD})
    assert answer.status_code == 302, (username, answer.status_code)
    return client


def get(client, path: str):
    def call():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response

    return call


def page_and_images(client, region: str, query: str, runs: int) -> dict[str, list[float]]:
    """The page, its map and its chart, each timed, and the three one after the other (what a browser asks)."""
    paths = {
        "page": f"/kelola/?region={region}&{query}",
        "map": f"/kelola/peta.svg?region={region}&{query}",
        "chart": f"/kelola/aktivitas.svg?{query}",
    }
    times = {name: timed(get(client, path), runs) for name, path in paths.items()}
    times["page + map + chart"] = timed(lambda: [get(client, path)() for path in paths.values()], runs)
    return times


def report(label: str, times: dict[str, list[float]], target: str = "") -> None:
    for name, values in times.items():
        aim = f" (target {target})" if target and name == "page" else ""
        print(f"  {label:<28} {name:<20} {ms(values)}{aim}")


def periods_of(today: date) -> dict[str, tuple[date, date, str]]:
    year_start = today - timedelta(days=364)
    return {
        "90 days": (today - timedelta(days=89), today, "period=90"),
        "a year": (year_start, today, f"from={year_start}&to={today}"),
    }


def measure(app, *, admin: str, kanim_manager: str, kanim_id: int, runs: int, home: str) -> dict[str, float]:
    """Print the national and the Kanim's figures; answer the Kanim's medians (page, domain) for a ratio."""
    from outreach import clock, coverage
    from outreach.extensions import db

    with app.app_context():
        zone = clock.zone()  # WIB: every office of the synthetic country keeps the default zone
        today = clock.today(zone)
    # As gunicorn.conf.py does in each worker once the app is loaded: what lives as long as the process is no
    # longer scanned by every full garbage collection (else one took about 90 ms of a national page).
    gc.collect()
    gc.freeze()
    targets = {"90 days": "≤ 300 ms", "a year": "≤ 500 ms"}
    admin_client = logged_in(app, admin)
    print("admin, national view (region=):")
    for name, (start, end, query) in periods_of(today).items():
        with app.app_context():
            domain = timed(
                lambda s=start, e=end: coverage.coverage(
                    db.session, region_code=coverage.NATION, start=s, end=e, offices=None, zone=zone
                ),
                runs,
            )
            totals = coverage.coverage(
                db.session, region_code=coverage.NATION, start=start, end=end, offices=None, zone=zone
            ).totals
        print(
            f"  {name}: {totals.covered:,} of {totals.desa_binaan:,} desa binaan covered, "
            f"{totals.visits:,} visits, {totals.sessions:,} sessions, {totals.open_warnings:,} open warnings"
        )
        report(f"national, {name}", {"coverage() call": domain})
        report(f"national, {name}", page_and_images(admin_client, "", query, runs), targets[name])
    manager = logged_in(app, kanim_manager)
    start, end, query = periods_of(today)["90 days"]
    with app.app_context():
        domain = timed(
            lambda: coverage.coverage(
                db.session, region_code=home, start=start, end=end, offices={kanim_id}, zone=zone
            ),
            runs,
        )
    page = page_and_images(manager, home, query, runs)
    print(f"a Kanim manager ({KANIM_DESA} desa binaan), region {home!r}, 90 days:")
    report("Kanim, 90 days", {"coverage() call": domain})
    report("Kanim, 90 days", page, "≤ 100 ms")
    return {"page": statistics.median(page["page"]), "domain": statistics.median(domain)}


# PostgreSQL: a synthetic country built in SQL


def national(args) -> None:
    from outreach import create_app

    server = create_engine(args.url.replace("postgresql://", "postgresql+psycopg://") + "/postgres")
    url = args.url.replace("postgresql://", "postgresql+psycopg://") + f"/{DATABASE}"
    with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": DATABASE})
        if not args.reuse or not exists:
            conn.execute(text(f"DROP DATABASE IF EXISTS {DATABASE}"))
            conn.execute(text(f"CREATE DATABASE {DATABASE}"))
            args.reuse = False
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    try:
        with app.app_context():
            upgrade()
        engine = create_engine(url)
        if not args.reuse:
            started = time.perf_counter()
            with engine.begin() as conn:
                build_country(conn, args.records or 2_000_000)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
            print(f"built the country in SQL in {time.perf_counter() - started:.1f} s")
        with engine.connect() as conn:
            counts = conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM regions WHERE level = 'village'), "
                    "(SELECT count(*) FROM desa_binaan), (SELECT count(*) FROM offices), "
                    "(SELECT count(*) FROM visits) + (SELECT count(*) FROM education_sessions) "
                    "+ (SELECT count(*) FROM handouts) + (SELECT count(*) FROM early_warnings)"
                )
            ).one()
            kanim_id = conn.scalar(text("SELECT id FROM offices WHERE code = 'kanim-001'"))
        print(
            f"country: {counts[0]:,} villages, {counts[1]:,} desa binaan, {counts[2]} offices, "
            f"{counts[3]:,} records"
        )
        from outreach import coverage
        from outreach.extensions import db
        from outreach.models import User

        with app.app_context():
            home = coverage.home_region(
                db.session, db.session.scalar(select(User).where(User.username == "kanim001"))
            )
        before = measure(
            app, admin="admin", kanim_manager="kanim001", kanim_id=kanim_id, runs=args.runs, home=home
        )
        if args.no_double:
            return
        started = time.perf_counter()
        with engine.begin() as conn:
            double_the_rest(conn, kanim_id)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        print(
            f"\ndoubled the rest of the country (desa binaan and records) in {time.perf_counter() - started:.1f} s"
        )
        after = measure(
            app, admin="admin", kanim_manager="kanim001", kanim_id=kanim_id, runs=args.runs, home=home
        )
        print(
            f"\nthe Kanim's view after / before doubling the rest of the country: page "
            f"{after['page'] / before['page']:.2f}, coverage() call {after['domain'] / before['domain']:.2f} "
            "(1.00: its cost follows its own desa binaan)"
        )
        engine.dispose()
    finally:
        with app.app_context():
            from outreach.extensions import db

            db.engine.dispose()
        if not args.keep:
            with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {DATABASE}"))
        server.dispose()


def build_country(conn, records: int) -> None:
    """Regions, offices, desa binaan, people and records, each table filled by one INSERT … SELECT."""
    run = lambda sql, **params: conn.execute(text(sql), params)  # noqa: E731
    run("SELECT setseed(0.42)")
    run("SET LOCAL synchronous_commit = off")
    run("SET LOCAL maintenance_work_mem = '256MB'")
    run(
        "SET LOCAL session_replication_role = replica"
    )  # no foreign-key triggers: the rows agree by construction
    run(
        "INSERT INTO regions (code, name, level, parent_code, lat, lng) "
        "SELECT (10 + p)::text, 'Provinsi ' || p, 'province', NULL, NULL, NULL FROM generate_series(1, 38) p"
    )
    # Regencies 1..514 in order, each province a run of them; districts 14 per regency; villages spread evenly.
    run(
        "INSERT INTO regions (code, name, level, parent_code, lat, lng) "
        "SELECT province || '.' || lpad(row_number() OVER (PARTITION BY province ORDER BY r)::text, 2, '0'), "
        "'Kabupaten ' || r, 'regency', province, NULL, NULL "
        "FROM (SELECT r, (11 + (r - 1) * 38 / 514)::text AS province FROM generate_series(1, 514) r) s"
    )
    run(
        "INSERT INTO regions (code, name, level, parent_code, lat, lng) "
        "SELECT g.code || '.' || lpad(d::text, 2, '0'), 'Kecamatan ' || g.code || '.' || d, 'district', g.code, "
        "NULL, NULL FROM regions g CROSS JOIN generate_series(1, 14) d WHERE g.level = 'regency'"
    )
    run(
        "INSERT INTO regions (code, name, level, parent_code, lat, lng) "
        "SELECT d.code || '.' || (1000 + v.n)::text, 'Desa ' || d.code || '.' || v.n, 'village', d.code, "
        "-10 + 15 * random(), 95 + 45 * random() "
        "FROM (SELECT code, row_number() OVER (ORDER BY code) - 1 AS i FROM regions WHERE level = 'district') d "
        "JOIN generate_series(1, 12) v(n) ON d.i * 84000 / 7196 + v.n <= (d.i + 1) * 84000 / 7196"
    )
    empty = "'', '', '', '', NULL"  # address, phone, whatsapp, hours, verified_on
    run(
        f"INSERT INTO offices (code, name, kind, parent_id, address, phone, whatsapp, hours, verified_on) "
        f"SELECT 'kanwil-' || lpad(w::text, 2, '0'), 'Kanwil ' || w, 'kanwil', NULL, {empty} "
        f"FROM generate_series(1, 33) w"
    )
    run(
        f"INSERT INTO offices (code, name, kind, parent_id, address, phone, whatsapp, hours, verified_on) "
        f"SELECT 'kanim-' || lpad(k::text, 3, '0'), 'Kanim ' || k, 'kanim', w.id, {empty} "
        f"FROM generate_series(1, 125) k "
        f"JOIN offices w ON w.code = 'kanwil-' || lpad((1 + (k - 1) * 33 / 125)::text, 2, '0')"
    )
    run(
        "INSERT INTO office_regencies (office_id, regency_code) "
        "SELECT o.id, g.code FROM (SELECT code, row_number() OVER (ORDER BY code) - 1 AS i FROM regions "
        "WHERE level = 'regency') g "
        "JOIN offices o ON o.code = 'kanim-' || lpad((1 + g.i * 125 / 514)::text, 3, '0')"
    )
    run(
        "INSERT INTO desa_binaan (village_code, office_id, risk_level, designated_on, reason, ended_on) "
        "SELECT code, office_id, (ARRAY['tinggi', 'sedang', 'rendah'])[1 + (n % 3)], DATE '2024-01-01', '', NULL "
        "FROM (SELECT v.code, r.office_id, row_number() OVER (PARTITION BY r.office_id ORDER BY random()) AS n "
        "FROM regions v JOIN regions d ON d.code = v.parent_code "
        "JOIN office_regencies r ON r.regency_code = d.parent_code WHERE v.level = 'village') s "
        f"WHERE n <= {KANIM_DESA}"
    )
    hashed = generate_password_hash(PASSWORD)
    columns = "username, full_name, password_hash, role, office_id, active, created_at, must_change_password"
    run(
        f"INSERT INTO users ({columns}) VALUES ('admin', 'Admin', :h, 'admin', NULL, true, now(), false)",
        h=hashed,
    )
    run(
        f"INSERT INTO users ({columns}) SELECT 'kanim' || substr(code, 7), 'Manager ' || name, :h, 'manager', "
        f"id, true, now(), false FROM offices WHERE kind = 'kanim'",
        h=hashed,
    )
    run(
        f"INSERT INTO users ({columns}) SELECT 'petugas-' || id || '-' || j, 'Petugas ' || j, :h, 'officer', id, "
        f"true, now(), false FROM offices CROSS JOIN generate_series(0, 3) j WHERE kind = 'kanim'",
        h=hashed,
    )
    run(
        "INSERT INTO materials (slug, kind, topics, published, title_id, title_en, summary_id, summary_en, "
        "body_id, body_en, sources, video_url, file_name, file_type, reviewed_by, version, updated_at) "
        "VALUES ('leaflet', 'leaflet', '[]', true, 'Leaflet', '', '', '', '', '', '[]', '', '', '', '', 1, now())"
    )
    # Each record: a desa binaan (its office) and one of that office's officers, at a moment in the last year.
    run(
        "CREATE TEMPORARY TABLE bench_place ON COMMIT DROP AS "
        "SELECT row_number() OVER (ORDER BY d.id) - 1 AS i, d.village_code, d.office_id, "
        "array_agg(u.id ORDER BY u.id) AS officers FROM desa_binaan d "
        "JOIN users u ON u.office_id = d.office_id AND u.role = 'officer' GROUP BY d.id"
    )
    places = conn.scalar(text("SELECT count(*) FROM bench_place"))
    run("CREATE INDEX ON bench_place (i)")
    run("ANALYZE bench_place")
    indexes = without_indexes(conn)
    for table, kind, share, columns, values in (
        ("visits", "visit", 0.60, "purpose, notes", "'Koordinasi', ''"),
        (
            "education_sessions",
            "session",
            0.25,
            "venue, topics, male_under_18, female_under_18, male_adult, female_adult, audience_groups, "
            "partners, materials_used, notes, visit_id",
            "'Balai desa', '[\"tppo\"]', (n % 11), (n % 7), (n % 31), (n % 29), '[]', '[]', '', '', NULL",
        ),
        (
            "handouts",
            "handout",
            0.10,
            "material_slug, quantity, format, recipient_group, session_id",
            "'leaflet', 1 + n % 50, 'printed', 'public', NULL",
        ),
        (
            "early_warnings",
            "warning",
            0.05,
            "category, urgency, description, people_involved, source",
            "'recruiter', 'biasa', 'x', '', 'villager'",
        ),
    ):
        count = int(records * share)
        rows = (
            f"FROM (SELECT n, md5('{kind}' || n)::uuid::text AS id, "
            f"now()::timestamp - (random() * interval '365 days') AS at, "
            f"(n::bigint * 7919) % {places} AS place FROM generate_series(1, {count}) n) r "
            f"JOIN bench_place p ON p.i = r.place"
        )
        officer = "p.officers[1 + r.n % 4]"
        run(f"INSERT INTO record_ids (id, record_type, officer_id) SELECT r.id, '{kind}', {officer} {rows}")
        run(
            f"INSERT INTO {table} (id, officer_id, village_code, office_id, occurred_at, {COMMON}, {columns}) "
            f"SELECT r.id, {officer}, p.village_code, p.office_id, r.at, r.at, r.n, 1, r.n % 100 = 0, '', r.at, "
            f"NULL, NULL, NULL, {values} {rows}"
        )
    for definition in indexes:
        run(definition)
    # the records went in past the ORM: so does their activity per village and month, and per office and day
    village_activity.refill(conn)
    run("UPDATE sync_state SET revision = :r WHERE id = 1", r=records)


RECORD_TABLES = ("record_ids", "visits", "education_sessions", "handouts", "early_warnings")


def without_indexes(conn):
    """Drop the record tables' indexes but their primary keys, and answer the statements that make them again:
    one sorted build of each index after a bulk load is much cheaper than millions of random inserts into it."""
    rows = conn.execute(
        text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(:t) AND i.indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))"
        ),
        {"t": list(RECORD_TABLES)},
    ).all()
    for name, _ in rows:
        conn.execute(text(f"DROP INDEX {name}"))
    return [definition for _, definition in rows]


def double_the_rest(conn, kanim_id: int) -> None:
    """Every other office gets as many desa binaan again (other villages of its regencies) and every record
    outside the Kanim is copied once more: the country doubles, the Kanim stays as it was."""
    run = lambda sql, **params: conn.execute(text(sql), params)  # noqa: E731
    run("SET LOCAL synchronous_commit = off")
    run("SET LOCAL session_replication_role = replica")
    run(
        "INSERT INTO desa_binaan (village_code, office_id, risk_level, designated_on, reason, ended_on) "
        "SELECT code, office_id, 'sedang', DATE '2024-01-01', '', NULL "
        "FROM (SELECT v.code, r.office_id, row_number() OVER (PARTITION BY r.office_id ORDER BY v.code) AS n "
        "FROM regions v JOIN regions d ON d.code = v.parent_code "
        "JOIN office_regencies r ON r.regency_code = d.parent_code "
        "WHERE v.level = 'village' AND r.office_id <> :k "
        "AND v.code NOT IN (SELECT village_code FROM desa_binaan)) s "
        f"WHERE n <= {KANIM_DESA}",
        k=kanim_id,
    )
    indexes = without_indexes(conn)
    for table in ("visits", "education_sessions", "handouts", "early_warnings"):
        columns = [
            c
            for c in conn.execute(
                text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = :t ORDER BY ordinal_position"
                ),
                {"t": table},
            ).scalars()
            if c != "id"
        ]
        listed = ", ".join(columns)
        run(
            f"CREATE TEMPORARY TABLE bench_copy ON COMMIT DROP AS SELECT md5('again' || id)::uuid::text AS new_id, "
            f"{listed} FROM {table} WHERE office_id <> :k",
            k=kanim_id,
        )
        kind = {"visits": "visit", "education_sessions": "session", "handouts": "handout"}.get(
            table, "warning"
        )
        run(
            f"INSERT INTO record_ids (id, record_type, officer_id) SELECT new_id, '{kind}', officer_id FROM bench_copy"
        )
        run(f"INSERT INTO {table} (id, {listed}) SELECT new_id, {listed} FROM bench_copy")
        run("DROP TABLE bench_copy")
    for definition in indexes:
        run(definition)
    village_activity.refill(conn)


# SQLite: Jambi


def jambi(args) -> None:
    from outreach import create_app
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

    records = args.records or 200_000
    folder = tempfile.mkdtemp(prefix="pimpasa-bench-")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
            "SECRET_KEY": "bench",
            "TESTING": True,
        }
    )
    rng = random.Random(7)
    hashed = generate_password_hash(PASSWORD)
    with app.app_context():
        upgrade()
        with open(args.regions, encoding="utf-8") as stream:
            import_regions(db.session, stream)
        kanwil = Office(code="kanwil", name="Kanwil", kind=OfficeKind.kanwil)
        kanims = [
            Office(code=f"kanim-{n:03d}", name=f"Kanim {n}", kind=OfficeKind.kanim, parent=kanwil)
            for n in range(1, 5)
        ]
        db.session.add_all([kanwil, *kanims])
        db.session.flush()
        regencies = list(db.session.scalars(select(Region).where(Region.level == RegionLevel.regency)))
        for i, regency in enumerate(regencies):
            kanims[i % 4].regencies.append(regency)
        people = [User(username="admin", role=Role.admin, password_hash=hashed, active=True)]
        people.append(User(username="kanim001", role=Role.manager, office=kanims[0], password_hash=hashed))
        officers = [
            User(username=f"petugas{n}", role=Role.officer, office=kanims[n % 4], password_hash=hashed)
            for n in range(40)
        ]
        db.session.add_all([*people, *officers, Material(slug="leaflet", title_id="Leaflet", kind="leaflet")])
        db.session.flush()
        served = {r.code: kanims[i % 4] for i, r in enumerate(regencies)}
        villages = list(db.session.scalars(select(Region.code).where(Region.level == RegionLevel.village)))
        office_of = {code: served[".".join(code.split(".")[:2])].id for code in villages}
        db.session.execute(
            insert(DesaBinaan),
            [
                {
                    "village_code": code,
                    "office_id": office_of[code],
                    "risk_level": rng.choice(list(RiskLevel)),
                    "designated_on": date(2024, 1, 1),
                    "reason": "",
                }
                for code in villages
            ],
        )
        officers_of = {k.id: [o.id for o in officers if o.office is k] for k in kanims}
        now = datetime.now()

        def common():
            village = rng.choice(villages)
            return {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "officer_id": rng.choice(officers_of[office_of[village]]),
                "village_code": village,
                "office_id": office_of[village],
                "occurred_at": now - timedelta(minutes=rng.randint(0, 525_600)),
                "client_updated_at": now,
                "rev": 0,
                "version": 1,
                "voided": rng.random() < 0.01,
                "device_id": "",
                "received_at": now,
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
            count = int(records * share)
            for chunk in range(0, count, 10_000):
                rows = [common() | extra() for _ in range(min(10_000, count - chunk))]
                db.session.execute(
                    insert(RecordId),
                    [
                        {"id": r["id"], "record_type": model.record_type, "officer_id": r["officer_id"]}
                        for r in rows
                    ],
                )
                db.session.execute(insert(model), rows)
        village_activity.refill(db.session.connection())
        db.session.commit()
        kanim_id = kanims[0].id
        desa = db.session.scalar(
            select(db.func.count()).select_from(DesaBinaan).where(DesaBinaan.office_id == kanim_id)
        )
        print(
            f"built: {len(villages):,} desa binaan, {records:,} records in {time.perf_counter() - started:.1f} s"
        )
        from outreach import coverage

        home = coverage.home_region(
            db.session, db.session.scalar(select(User).where(User.username == "kanim001"))
        )
    print(f"(the Kanim below has {desa:,} desa binaan, not {KANIM_DESA})")
    measure(app, admin="admin", kanim_manager="kanim001", kanim_id=kanim_id, runs=args.runs, home=home)


if __name__ == "__main__":
    main()
