"""The officer's app in a real Chromium, as the officer reads it on a phone: a photo chosen shows as a thumbnail
with its size in KB and can be removed; the language switch changes the app at once, and offline after; a
warning's details start with its village and urgency; the tab of the view shown is marked."""

from playwright.sync_api import expect

from tests.browser.conftest import SAVE_UNCHECKED_SESSION
from tests.browser.test_field_day import camera_photo


def test_a_photo_chosen_shows_its_thumbnail_and_size_and_can_be_removed(phone, world):
    page = phone.ready()
    phone.context.set_offline(True)
    page.evaluate("location.hash = '#new/session'")
    form = page.locator("#form-session")
    for kind, name in (("session", "balai.png"), ("attendance", "daftar-hadir.png")):
        form.locator(f"[data-photo-kind={kind}]").set_input_files(
            {"name": name, "mimeType": "image/png", "buffer": camera_photo(page, 800, 600)}
        )
    photos = form.locator(".photo-list li")
    expect(photos).to_have_count(2)
    first = photos.nth(0)
    expect(first).to_contain_text("Foto kegiatan sosialisasi")
    expect(first).to_contain_text(" KB, siap dikirim setelah catatannya")
    expect(first).not_to_contain_text("MB")
    thumbnail = first.locator("img")
    expect(thumbnail).to_have_attribute("alt", "Foto 1")
    assert thumbnail.get_attribute("src").startswith("blob:")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    removed_url = photos.nth(1).locator("img").get_attribute("src")

    page.get_by_role("button", name="Hapus foto 2").click()
    expect(photos).to_have_count(1)
    # the focus is not lost to the page: it goes to the photo left
    expect(page.get_by_role("button", name="Hapus foto 1")).to_be_focused()
    # The removed photo's thumbnail is let go of: its object URL no longer reads.
    shown = """url => new Promise((resolve) => {
        const image = new Image();
        image.onload = () => resolve('shown');
        image.onerror = () => resolve('gone');
        image.src = url;
    })"""
    assert page.evaluate(shown, thumbnail.get_attribute("src")) == "shown"
    assert page.evaluate(shown, removed_url) == "gone"

    phone.record("session", village="15.71.01.1001", venue="Masjid", topics=["tppo"], female_adult=9)
    kept = page.evaluate("""async () => {
        const store = await import(new URL('store.js', document.querySelector('script[type=module]').src));
        return (await store.listPhotos()).map((photo) => [photo.kind, Object.keys(photo).sort().join(',')]);
    }""")
    assert [kind for kind, _keys in kept] == ["session"]
    assert "url" not in kept[0][1].split(",") and "label" not in kept[0][1].split(",")


def test_the_language_switch_changes_the_app_at_once_and_when_it_opens_offline(phone, world):
    page = phone.ready()
    expect(page.locator("[data-language=id]")).to_have_attribute("aria-current", "true")
    page.click("[data-language=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".tabs a[href='#home']")).to_have_text("Home")
    expect(page.locator("[data-language=en]")).to_have_attribute("aria-current", "true")
    expect(page.locator("#sync-count")).to_have_text("Everything is synced")

    phone.close()
    page = phone.open(offline=True)
    phone.goto("/petugas")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".tabs a[href='#records']")).to_have_text("My records")
    expect(page.locator("#village-list li .risk").first).to_have_text("Risk: High")

    page.click("[data-language=id]")  # no connection: the server cannot be told, and the app says so
    expect(page.locator("#language-message")).to_have_text(
        "The language can be changed only with a connection."
    )
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_warnings_details_start_with_its_village_then_its_urgency(phone, world):
    page = phone.ready()
    phone.context.set_offline(True)
    phone.record(
        "warning",
        village="15.71.01.1002",
        category=page.locator("#form-warning select[name=category] option").nth(1).get_attribute("value"),
        urgency="segera",
        description="Calo menawarkan kerja ke Malaysia tanpa dokumen",
        source=page.locator("#form-warning select[name=source] option").nth(1).get_attribute("value"),
    )
    record_id = page.locator("#today-list li").get_attribute("data-id")
    page.evaluate(f"location.hash = '#record/{record_id}'")
    terms = page.locator("#record-fields dt")
    expect(terms.first).to_have_text("Desa binaan")
    expect(terms.nth(1)).to_have_text("Tingkat urgensi")
    expect(terms.nth(2)).to_have_text("Waktu")
    expect(page.locator("#record-fields dd").nth(1)).to_have_text("Segera")
    expect(page.locator(".tabs a[aria-current=page]")).to_have_attribute("href", "#records")


def test_the_tab_of_the_view_shown_is_marked(phone, world):
    page = phone.ready()
    current = page.locator(".tabs a[aria-current=page]")
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("href", "#home")
    page.click(".tabs a[href='#new']")
    expect(current).to_have_attribute("href", "#new")
    page.click("[data-new=visit]")
    expect(current).to_have_attribute("href", "#new")  # a form belongs to the tab it was opened from
    page.click(".tabs a[href='#records']")
    expect(current).to_have_attribute("href", "#records")
    expect(current).to_have_count(1)
    expect(page.locator("#today-none")).to_be_hidden()  # on the home view only
    page.click(".tabs a[href='#home']")
    expect(page.locator("#today-none")).to_have_text("Belum ada catatan hari ini.")
    expect(page.locator("#storage")).to_have_text("")  # nothing waits: nothing to warn about


def test_the_app_opens_in_the_language_chosen_on_a_public_page_at_once(phone, world):
    page = phone.ready()
    phone.goto("/")
    page.click("button[lang=en]")  # the public pages' switch, at the foot of the page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    phone.goto("/petugas")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".tabs a[href='#home']")).to_have_text("Home")
    phone.context.set_offline(True)
    phone.goto("/petugas")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_village_s_last_visit_counts_only_what_the_server_took(phone, world):
    page = phone.ready()
    village = page.locator("#village-list li", has_text="Sungai Putri")
    expect(village).to_contain_text("belum ada kunjungan")
    # A session saved as it was by a release that did not check it yet: nobody counted, no topic; refused.
    page.evaluate(SAVE_UNCHECKED_SESSION)
    page.click("#sync-now")
    expect(page.locator("#to-fix-list li")).to_have_count(1)
    expect(village).to_contain_text("belum ada kunjungan")

    phone.record_visit("15.71.01.1001", "Koordinasi")
    expect(page.locator("#sync-count")).not_to_contain_text("menunggu")
    expect(village).to_contain_text("kunjungan terakhir")
