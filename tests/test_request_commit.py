"""A request commits once, at its end: what a view changed is stored when it answers with success or a
redirect, and none of it when it fails, however it fails."""

import pytest
from flask import abort

from outreach.extensions import db
from outreach.models import Office
from tests.conftest import Auth


def renamed_kanim(app, world) -> str:
    with app.app_context():
        return db.session.get(Office, world.kanim).name


def add_route_that_renames_the_kanim_then(app, world, end):
    """A view that changes the database, then ends as `end` does (added before the app's first request)."""

    def view():
        db.session.get(Office, world.kanim).name = "Renamed"
        db.session.flush()  # the change has reached the database, inside the request's transaction
        return end()

    app.add_url_rule("/test/rename", "rename_then", view)


def raise_error():
    raise RuntimeError("after the change")


@pytest.mark.parametrize(
    "end, propagate, status",
    [
        (raise_error, True, None),  # as in tests: the exception reaches the caller
        (raise_error, False, 500),  # as in production: the error page
        (lambda: abort(409), False, 409),
        (lambda: ("the form, sent back with its errors", 400), False, 400),
    ],
)
def test_a_request_that_fails_after_changing_the_database_leaves_nothing_stored(
    app, world, end, propagate, status
):
    app.config["PROPAGATE_EXCEPTIONS"] = propagate
    add_route_that_renames_the_kanim_then(app, world, end)
    client = app.test_client()
    if status is None:
        with pytest.raises(RuntimeError):
            client.get("/test/rename")
    else:
        assert client.get("/test/rename").status_code == status
    assert renamed_kanim(app, world) == "Kanim Jambi"


def test_a_request_that_succeeds_is_stored_without_the_view_committing(app, world):
    add_route_that_renames_the_kanim_then(app, world, lambda: ("done", 200))
    assert app.test_client().get("/test/rename").status_code == 200
    assert renamed_kanim(app, world) == "Renamed"


def test_a_successful_form_post_is_stored(app, client, world):
    auth = Auth(client)
    auth.login("maya")
    path = f"/kelola/kantor/{world.kanim}"
    details = {"address": "Jl. Arif Rahman Hakim No. 63", "phone": "0741-123", "hours": "08.00-16.00"}
    assert auth.submit(path, details).status_code == 302
    with app.app_context():
        office = db.session.get(Office, world.kanim)
        assert {"address": office.address, "phone": office.phone, "hours": office.hours} == details
