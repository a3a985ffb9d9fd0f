"""The Content-Security-Policy in a real Chromium: it blocks an injected inline style or script, and the check
every browser test ends with (`csp_violations`) sees it, from the server's report endpoint and the console."""

import pytest

from tests.browser.conftest import Phone, csp_violations, fail_on_csp_violations

INJECTED = {
    "style-src-attr": """() => { const p = document.createElement('p'); p.setAttribute('style', 'color: red');
                                 p.textContent = 'injected'; document.body.append(p); }""",
    "script-src-elem": """() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';
                                  document.body.append(s); return window.ran; }""",
}


def wait_for(condition, page, seconds=10):
    for _ in range(seconds * 4):
        if condition():
            return
        page.wait_for_timeout(250)


@pytest.mark.parametrize("directive", INJECTED)
def test_an_injected_inline_style_or_script_is_blocked_and_detected(live_server, phone, world, directive):
    page = phone.open()
    phone.goto("/")
    page.wait_for_load_state("load")
    assert csp_violations(live_server, phone) == []
    assert page.evaluate(INJECTED[directive]) is None  # the script never ran
    wait_for(lambda: live_server.csp_reports and phone.csp_messages, page)
    assert len(live_server.csp_reports) == 1 and directive in live_server.csp_reports[0]
    assert len(phone.csp_messages) == 1 and "Content Security Policy" in phone.csp_messages[0]
    with pytest.raises(pytest.fail.Exception, match=directive):
        fail_on_csp_violations(live_server, phone)  # what the fixtures' teardown calls
    live_server.csp_reports.clear()
    phone.csp_messages.clear()  # the test's own violation: teardown finds nothing else


def test_the_pages_of_each_surface_load_with_nothing_blocked(
    app, playwright, live_server, phone, world, tmp_path
):
    page = phone.ready("ani")  # the officer's app, with its service worker
    for path in ("/", "/panduan/kenali-tppo", "/kontak", "/kantor", "/tentang", "/akun"):
        phone.goto(path)
        page.wait_for_load_state("load")
    office = Phone(playwright, tmp_path / "office", live_server.url)
    try:
        manager = office.open()
        office.login("maya", home="/kelola/")
        for path in (
            "/kelola/",
            "/kelola/petugas",
            "/kelola/peringatan",
            "/kelola/materi",
            "/kelola/sosialisasi",
            "/kelola/desa-binaan",
            "/kelola/pengguna",
            "/kelola/laporan",
            "/kelola/audit",
        ):
            office.goto(path)
            manager.wait_for_load_state("load")
            assert manager.locator("h1").count(), path
        manager.wait_for_timeout(500)  # the reports of anything blocked reach the server
        assert csp_violations(live_server, office) == []
    finally:
        office.close()
