"""Turning the notices on in a real Chromium, from the manager's account page: the button is there, the page's
worker (the guidance pages' one) gets installed to receive pushes, and when the browser cannot subscribe (the
permission refused; no push service reachable, as for headless Chromium here) the page says so in words, with
nothing blocked by the Content-Security-Policy. A push reaching a subscribed browser is tested on the server's
side in tests/test_push.py: no push service exists on this machine for Chromium to subscribe with."""

from playwright.sync_api import expect

from outreach import push
from tests.browser.conftest import Phone, csp_violations


def open_account(app, playwright, live_server, tmp_path):
    private, _public = push.new_keys()
    app.config.update(VAPID_PRIVATE_KEY=private, VAPID_SUBJECT="mailto:it@kanim.example.go.id")
    office = Phone(playwright, tmp_path / "office", live_server.url)
    page = office.open()
    page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    office.login("maya", home="/kelola/")
    office.goto("/akun")
    return office, page


def test_a_refused_permission_is_said_on_the_page(app, playwright, live_server, world, tmp_path):
    office, page = open_account(app, playwright, live_server, tmp_path)
    try:
        page.context.clear_permissions()  # as a manager who answered "Block"
        state = page.locator("#push-state")
        expect(state).to_have_text("Notifications are off in this browser.")
        page.get_by_role("button", name="Enable notifications on this browser").click()
        expect(state).to_contain_text("Notifications are blocked for this site")
        expect(state).to_have_class("error")
        expect(page.get_by_role("button", name="Enable notifications on this browser")).to_be_enabled()
        assert csp_violations(live_server, office) == []
    finally:
        office.close()


def test_a_browser_without_a_push_service_says_it_cannot_turn_notices_on(
    app, playwright, live_server, world, tmp_path
):
    office, page = open_account(app, playwright, live_server, tmp_path)
    try:
        page.context.grant_permissions(["notifications"], origin=live_server.url)
        page.get_by_role("button", name="Enable notifications on this browser").click()
        state = page.locator("#push-state")
        expect(state).to_contain_text("could not reach its push service", timeout=30_000)
        expect(state).to_have_class("error")
        worker = page.evaluate(
            "navigator.serviceWorker.getRegistration('/').then((r) => r && r.active.scriptURL)"
        )
        assert worker.endswith("/sw.js?guidance")  # installed to receive pushes, once one can subscribe
        page.wait_for_timeout(300)  # a report of anything blocked reaches the server
        assert csp_violations(live_server, office) == []
    finally:
        office.close()
