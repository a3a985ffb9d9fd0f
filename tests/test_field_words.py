"""What the officer's app is told by the server so that it shows words, in order, in the officer's language: a
record's details in its form's order (a warning's urgency first), counted sentences in their plural forms, the
language switch, and the way back from a material shown full screen."""

import json
import re

import pytest

from outreach.records import RECORD_TYPES


def shell_json(page: str, name: str) -> dict:
    return json.loads(
        re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', page).group(1)
    )


def officers_app(client, auth, language="id") -> str:
    auth.login("ani")
    client.set_cookie("lang", language)
    return client.get("/petugas").get_data(as_text=True)


def test_a_records_details_follow_its_form_with_the_village_first_and_a_warnings_urgency_next(
    client, auth, world
):
    labels = shell_json(officers_app(client, auth), "labels")
    assert labels["visit"]["order"] == [
        "village",
        "occurred_at",
        "purpose",
        "notes",
        "lat",
        "lng",
        "accuracy",
    ]
    assert labels["warning"]["order"][:4] == ["village", "urgency", "occurred_at", "category"]
    for name, kind in RECORD_TYPES.items():
        assert sorted(labels[name]["order"]) == sorted(kind.field_names), name
        assert labels[name]["order"][-3:] == ["lat", "lng", "accuracy"], name  # as the form shows them


@pytest.mark.parametrize(
    ("language", "one", "other"),
    [
        ("en", "The oldest has waited %(count)s hour.", "The oldest has waited %(count)s hours."),
        (
            "id",
            "Catatan tertua sudah menunggu %(count)s jam.",
            "Catatan tertua sudah menunggu %(count)s jam.",
        ),
    ],
)
def test_the_app_gets_a_counted_sentence_in_each_plural_form_of_the_officers_language(
    client, auth, world, language, one, other
):
    strings = shell_json(officers_app(client, auth, language), "strings")
    assert strings["oldest"] == {"one": one, "other": other}
    assert "%(count)s" in strings["oldestMinutes"]["other"]


@pytest.mark.parametrize(("language", "current"), [("id", "Bahasa Indonesia"), ("en", "English")])
def test_the_officers_app_has_the_language_switch_with_its_language_marked(
    client, auth, world, language, current
):
    page = officers_app(client, auth, language)
    switch = re.search(r'<footer class="foot" id="languages">(.*?)</footer>', page, re.S).group(1)
    buttons = re.findall(r"<button[^>]*data-language=\"(\w+)\"[^>]*>([^<]+)</button>", switch)
    assert [code for code, _name in buttons] == ["id", "en"]
    marked = re.findall(r'<button[^>]*aria-current="true"[^>]*>([^<]+)</button>', switch)
    assert marked == [current]


def test_voiding_a_record_and_closing_a_form_say_different_words(client, auth, world):
    page = officers_app(client, auth)
    assert re.search(r'<button type="button" id="record-void" class="danger">Tandai batal</button>', page)
    assert page.count('<button type="button" class="cancel">Tutup tanpa menyimpan</button>') == len(
        RECORD_TYPES
    )


def test_a_material_shown_full_screen_has_a_way_back_to_the_app_first(client, auth, world, library):
    auth.login("ani")
    page = client.get("/panduan/tanda-lowongan-palsu?layar=penuh").get_data(as_text=True)
    close = re.search(r'<a class="button" href="/petugas">Tutup</a>', page)
    assert close and close.start() < page.index("<h1>")
    # the text alone, lighter for the phone that keeps it: no site menu, language forms, sources or sharing
    assert not any(
        part in page
        for part in ('<header class="top">', '<footer class="foot">', 'class="sources"', 'class="share"')
    )
    assert 'href="/petugas">Tutup' not in client.get("/panduan/tanda-lowongan-palsu").get_data(as_text=True)


def test_the_account_page_an_officer_opens_from_the_app_shows_times_to_the_minute(client, auth, world):
    auth.login("ani")
    page = client.get("/akun").get_data(as_text=True)
    times = re.findall(r"\d{4}, (\d{2}[.:]\d{2}(?:[.:]\d{2})?)", page)
    assert times and all(len(time) == 5 for time in times), times
