"""Every address of the app, each method of it, against who may use it: anyone, an officer, a manager (of a
Kanim or of the Kanwil) or an admin. A new route must be added to EXPECTED (the test names it until it is),
and a route whose role check goes missing lets in someone it should refuse, which fails here by name.

Only the role check is under test: an allowed user is not refused (no 401, no 403, no trip to the log-in page,
no 500), whatever else the view answers (a form's 400, a 404 for a row that is not there); a refused user gets
401 or the log-in page when not logged in, 403 when logged in with another role. Writes carry the CSRF token,
so that the role check, not the token check, is what answers.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from outreach import assets, guidance, proposals
from outreach.extensions import db
from outreach.models import Material, Office, User
from tests.conftest import Auth, form_token, make_user

ROLES = ("anonymous", "officer", "kanim_manager", "kanwil_manager", "admin")
USERNAMES = {"officer": "ani", "kanim_manager": "maya", "kanwil_manager": "wulan", "admin": "root"}

PUBLIC = frozenset(ROLES)
LOGGED_IN = PUBLIC - {"anonymous"}
OFFICER = frozenset({"officer"})
MANAGER = frozenset({"kanim_manager", "kanwil_manager", "admin"})
PUBLISHER = frozenset({"kanwil_manager", "admin"})  # the guidance is the Kanwil's; a Kanim proposes changes
ADMIN = frozenset({"admin"})

EXPECTED = {
    # the public site and the language switch
    "GET /": PUBLIC,
    "GET /kantor": PUBLIC,
    "GET /kontak": PUBLIC,
    "GET /tentang": PUBLIC,
    "GET /luring": PUBLIC,
    "GET /panduan.json": PUBLIC,
    "GET /panduan/istilah": PUBLIC,
    "GET /panduan/<slug>": PUBLIC,
    "GET /panduan/<slug>/berkas": PUBLIC,
    "GET /panduan/<slug>/cetak": PUBLIC,
    "GET /panduan/<slug>/qr.svg": PUBLIC,
    "POST /bahasa/<code>": PUBLIC,
    "POST /csp-report": PUBLIC,
    "GET /static/<path:filename>": PUBLIC,
    "GET /static/<release:fingerprint>/<path:filename>": PUBLIC,
    # the operators' tools: health for a load balancer, metrics behind a token of their own (test_operations)
    "GET /healthz": PUBLIC,
    "GET /readyz": PUBLIC,
    "GET /metrics": PUBLIC,
    # logging in and one's own account
    "GET /masuk": PUBLIC,
    "POST /masuk": PUBLIC,
    "GET /keluar": LOGGED_IN,
    "POST /keluar": LOGGED_IN,
    "GET /akun": LOGGED_IN,
    "GET /akun/kata-sandi": LOGGED_IN,
    "POST /akun/pemberitahuan": frozenset({"kanim_manager", "kanwil_manager"}),  # notices go to managers
    "POST /akun/push": frozenset({"kanim_manager", "kanwil_manager"}),
    "DELETE /akun/push": frozenset({"kanim_manager", "kanwil_manager"}),
    "POST /akun/kata-sandi": LOGGED_IN,
    "POST /akun/perangkat/<int:session_id>/keluar": LOGGED_IN,
    "POST /akun/perangkat/keluar-semua": LOGGED_IN,
    # the officer's app: the shell is an officer's; the browser installs and updates it from the other two
    "GET /petugas": OFFICER,
    "GET /sw.js": PUBLIC,
    "GET /manifest.webmanifest": PUBLIC,
    # the API
    "GET /api/v1/openapi.json": PUBLIC,
    "POST /api/v1/sms": PUBLIC,  # the office's SMS gateway, with its own secret (tests/test_sms.py)
    "GET /api/v1/me": LOGGED_IN,
    "POST /api/v1/logout": LOGGED_IN,
    "POST /api/v1/sync": OFFICER,
    "GET /api/v1/changes": OFFICER,
    "PUT /api/v1/photos/<photo_id>": OFFICER,
    "GET /api/v1/coverage": MANAGER,
    # the managers' pages
    "GET /kelola/": MANAGER,
    "GET /kelola/petugas": MANAGER,
    "GET /kelola/peta.svg": MANAGER,
    "GET /kelola/aktivitas.svg": MANAGER,
    "GET /kelola/desa-binaan": MANAGER,
    "GET /kelola/desa-binaan/baru": MANAGER,
    "POST /kelola/desa-binaan/baru": MANAGER,
    "GET /kelola/desa-binaan/<int:desa_id>": MANAGER,
    "POST /kelola/desa-binaan/<int:desa_id>": MANAGER,
    "POST /kelola/desa-binaan/<int:desa_id>/akhiri": MANAGER,
    "POST /kelola/desa-binaan/<int:desa_id>/petugas": MANAGER,
    "POST /kelola/desa-binaan/<int:desa_id>/petugas/<int:officer_id>/hapus": MANAGER,
    "GET /kelola/desa/<code>": MANAGER,
    "GET /kelola/ekspor/<kind>.<fmt>": MANAGER,
    "GET /kelola/foto/<photo_id>": MANAGER,
    "GET /kelola/impor": MANAGER,
    "POST /kelola/impor": MANAGER,
    "GET /kelola/sosialisasi": MANAGER,
    "GET /kelola/peringatan": MANAGER,
    "GET /kelola/peringatan/<warning_id>": MANAGER,
    "POST /kelola/peringatan/<warning_id>": MANAGER,
    "GET /kelola/laporan": MANAGER,
    "GET /kelola/laporan/<int:office_id>/<month>": MANAGER,
    "GET /kelola/laporan/<int:office_id>/<month>/petugas.<fmt>": MANAGER,
    "GET /kelola/materi": MANAGER,
    "GET /kelola/materi/baru": PUBLISHER,
    "POST /kelola/materi/baru": PUBLISHER,
    "GET /kelola/materi/<int:material_id>": MANAGER,
    "POST /kelola/materi/<int:material_id>": MANAGER,
    "GET /kelola/materi/<int:material_id>/berkas": MANAGER,
    "GET /kelola/materi/<int:material_id>/versi": MANAGER,
    "POST /kelola/materi/<int:material_id>/versi/<int:version>/pulihkan": MANAGER,
    "POST /kelola/materi/<int:material_id>/tinjau": PUBLISHER,
    "GET /kelola/materi/<int:material_id>/usulan/<int:proposal_id>": MANAGER,
    "GET /kelola/materi/<int:material_id>/usulan/<int:proposal_id>/berkas": MANAGER,
    "POST /kelola/materi/<int:material_id>/usulan/<int:proposal_id>/<any(terbitkan, tolak):decision>": PUBLISHER,
    "GET /kelola/kontak": MANAGER,
    "GET /kelola/kontak/<int:contact_id>": MANAGER,
    "POST /kelola/kontak/<int:contact_id>": MANAGER,
    "GET /kelola/kantor/<int:office_id>": MANAGER,
    "POST /kelola/kantor/<int:office_id>": MANAGER,
    "GET /kelola/pengguna": MANAGER,
    "GET /kelola/pengguna/baru": MANAGER,
    "POST /kelola/pengguna/baru": MANAGER,
    "GET /kelola/pengguna/<int:user_id>": MANAGER,
    "POST /kelola/pengguna/<int:user_id>": MANAGER,
    "POST /kelola/pengguna/<int:user_id>/sandi": MANAGER,
    "POST /kelola/pengguna/<int:user_id>/perangkat/<int:session_id>/keluar": MANAGER,
    "POST /kelola/pengguna/<int:user_id>/perangkat/keluar-semua": MANAGER,
    # the admin's pages: the audit log and the offices' regions
    "GET /kelola/audit": ADMIN,
    "GET /kelola/kantor": ADMIN,
    "GET /kelola/kantor/baru": ADMIN,
    "POST /kelola/kantor/baru": ADMIN,
    "GET /kelola/kantor/<int:office_id>/wilayah": ADMIN,
    "POST /kelola/kantor/<int:office_id>/wilayah": ADMIN,
}

UNKNOWN = 999_999  # an id no row has: a 404 for whoever gets past the role check
VALUE = re.compile(r"<(?:[^<>:]*:)?(\w+)>")  # a rule's variable, its converter (e.g. `any(a, b)`) left out


def routes(app) -> list[str]:
    """Each rule of the app with each method it answers (HEAD and OPTIONS being Flask's), as `METHOD /rule`."""
    return sorted(
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def test_every_route_has_an_expectation(app):
    found = routes(app)
    missing = sorted(set(found) - set(EXPECTED))
    assert not missing, "routes without an entry in EXPECTED (who may use them?): " + ", ".join(missing)
    gone = sorted(set(EXPECTED) - set(found))
    assert not gone, "entries in EXPECTED for routes that no longer exist: " + ", ".join(gone)


@pytest.fixture
def samples(app, world):
    """A value for each variable of a rule: a row of the world where one is at hand, else a harmless one. The
    user whose password and devices are at stake is budi, whom no role here logs in as."""
    with app.app_context():
        kanwil = db.session.scalar(select(Office).where(Office.code == "kanwil-jambi"))
        make_user(USERNAMES["kanwil_manager"], "manager", kanwil)
        material = db.session.scalar(select(Material).where(Material.slug == "kenali-tppo"))
        proposal = proposals.propose(
            db.session, material, guidance.snapshot(material), by=db.session.get(User, world.manager)
        )
        db.session.commit()
        material, proposal = material.id, proposal.id
    return {
        "session_id": UNKNOWN,
        "desa_id": world.desa["15.71.01.1001"],
        "officer_id": world.ani,
        "user_id": world.budi,
        "office_id": world.kanim,
        "material_id": material,
        "version": 1,
        "proposal_id": proposal,
        "decision": "tolak",
        "contact_id": UNKNOWN,
        "code": "15.71.01.1001",
        "kind": "visit",
        "fmt": "csv",
        "month": "2025-06",
        "photo_id": "00000000-0000-4000-8000-000000000001",
        "warning_id": "00000000-0000-4000-8000-000000000002",
        "slug": "kenali-tppo",
        "filename": "css/app.css",
        "fingerprint": assets.release(),
    }


def address(rule: str, samples: dict) -> str:
    if rule == "/bahasa/<code>":  # a language, where the managers' `<code>` is a village's
        return "/bahasa/en"

    def value(found) -> str:
        assert found.group(1) in samples, f"{rule}: give <{found.group(1)}> a value in samples()"
        return str(samples[found.group(1)])

    return VALUE.sub(value, rule)


def sent_to_log_in(response) -> bool:
    """The answer to someone not logged in: a 401 (the API), or the log-in page asked to come back here."""
    if response.status_code == 401:
        return True
    location = urlsplit(response.headers.get("Location", ""))
    return response.status_code == 302 and location.path == "/masuk" and "next" in parse_qs(location.query)


class Visitor:
    """A browser of one role. Writes carry a fresh CSRF token; a write that ended the session (a log-out) is
    followed by a new log-in, so that the next route is tried by the same role."""

    def __init__(self, client, role):
        self.auth, self.role = Auth(client), role
        self.log_in()

    def log_in(self):
        if self.role != "anonymous":
            assert self.auth.login(USERNAMES[self.role]).status_code == 302

    def token(self) -> str:
        if self.role == "anonymous":
            return form_token(self.auth.client, "/masuk")
        return self.auth.token()

    def request(self, method: str, path: str):
        """The answer's status and headers (its body, a file perhaps, is closed unread)."""
        headers = {} if method == "GET" else {"X-CSRFToken": self.token()}
        response = self.auth.client.open(path, method=method, headers=headers)
        response.close()
        if (
            method != "GET"
            and self.role != "anonymous"
            and self.auth.client.get("/api/v1/me").status_code == 401
        ):
            self.log_in()
        return response


@pytest.mark.parametrize("role", ROLES)
def test_each_route_lets_in_exactly_the_roles_it_should(app, samples, role):
    visitor = Visitor(app.test_client(), role)
    wrong = []
    for route in routes(app):
        method, rule = route.split(" ", 1)
        allowed = EXPECTED.get(route, frozenset())
        response = visitor.request(method, address(rule, samples))
        status = response.status_code
        if role in allowed:
            if sent_to_log_in(response) or status == 403 or status >= 500:
                wrong.append(f"{route}: refused with {status}, but {role} may use it")
        elif role == "anonymous":
            if not sent_to_log_in(response):
                wrong.append(
                    f"{route}: answered {status} to someone not logged in, not the log-in page or 401"
                )
        elif status != 403:
            wrong.append(f"{route}: answered {status} to {role}, not 403")
    assert not wrong, "\n".join(wrong)
