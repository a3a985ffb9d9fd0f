"""Each list of codes is said in the same words wherever it is shown: the managers' pages, the forms, the
monthly report and the officer's phone, in both languages (outreach/vocabulary.py)."""

import json
import re
from datetime import date, timedelta

import pytest

from outreach import periods, vocabulary
from outreach.early_warnings import is_overdue
from outreach.models import EarlyWarning, RiskLevel, WarningFollowUp, utcnow
from tests.conftest import Auth


def page_json(page: str, name: str) -> dict:
    return json.loads(
        re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', page).group(1)
    )


def phone_page(app, language: str) -> str:
    phone = app.test_client()
    phone.set_cookie("lang", language)
    Auth(phone).login("ani")
    return phone.get("/petugas").get_data(as_text=True)


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_warnings_page_and_the_phone_name_the_same_statuses_in_the_same_words(
    app, client, auth, world, language
):
    client.set_cookie("lang", language)
    auth.login("maya")
    listing = client.get("/kelola/peringatan").get_data(as_text=True)
    filters = re.findall(r'href="/kelola/peringatan\?status=(\w+)"[^>]*>([^<]+)</a>', listing)
    codes = page_json(phone_page(app, language), "codes")
    assert filters == [(value, codes["warning_status"][value]) for value in codes["order"]["warning_status"]]
    assert [value for value, _ in filters] == ["new", "follow_up", "closed"]


def test_the_phone_says_a_warnings_status_and_a_records_state_in_indonesian_words(app, world):
    codes = page_json(phone_page(app, "id"), "codes")
    assert codes["warning_status"] == {
        "new": "Baru",
        "follow_up": "Sedang ditindaklanjuti",
        "closed": "Selesai",
    }
    assert codes["sentence"]["warning_status"]["follow_up"] == "Kantor sedang menindaklanjuti"
    assert (
        codes["sync_state"]["rejected"] == "Perlu diperbaiki"
        and codes["sync_state"]["failed"] == "Gagal dikirim"
    )


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_phone_page_carries_words_for_every_code_in_order(app, world, language):
    codes = page_json(phone_page(app, language), "codes")
    for vocab in vocabulary.ALL:
        assert codes["order"][vocab.name] == list(vocab.values)
        assert set(codes[vocab.name]) == set(vocab.values)
        assert all(codes[vocab.name].values()), vocab.name
        if (
            language == "id"
        ):  # English words may be spelt as the code is ("waiting"); Indonesian ones never are
            assert all(label != value for value, label in codes[vocab.name].items()), vocab.name
    assert set(codes["sentence"]["warning_status"]) == set(vocabulary.WARNING_STATUS.values)


def test_a_warnings_choices_read_the_same_on_the_phones_record_as_in_the_codes(app, world):
    page = phone_page(app, "id")
    codes, choices = page_json(page, "codes"), page_json(page, "labels")["warning"]["choices"]
    assert choices["urgency"] == codes["urgency"] and choices["urgency"]["segera"] == "Segera"
    assert choices["category"] == codes["warning_category"] and choices["source"] == codes["warning_source"]


def test_the_phone_and_its_service_worker_send_warnings_in_the_servers_order_of_urgency(app, client, world):
    codes = page_json(phone_page(app, "en"), "codes")
    assert codes["order"]["urgency"] == ["segera", "tinggi", "biasa"]
    assert f"const URGENCY = {json.dumps(codes['order']['urgency'])};" in client.get("/sw.js").get_data(
        as_text=True
    )


def test_every_urgency_has_a_deadline_and_a_more_urgent_warning_is_due_sooner():
    deadlines = [code.within for code in vocabulary.URGENCY]
    assert all(deadlines) and deadlines == sorted(deadlines) and len(set(deadlines)) == len(deadlines)


@pytest.mark.parametrize("urgency", [*vocabulary.URGENCY.values, "unknown"])
def test_a_new_warning_is_overdue_once_its_urgency_allows_no_longer(urgency):
    received = utcnow()
    within = vocabulary.URGENCY.within(urgency) or vocabulary.URGENCY.within("biasa")
    warning = EarlyWarning(urgency=urgency, received_at=received)
    assert not is_overdue(warning, received + within - timedelta(minutes=1))
    assert is_overdue(warning, received + within + timedelta(minutes=1))


def test_a_warning_in_follow_up_is_overdue_after_its_deadline_and_a_closed_one_never():
    updated = utcnow()
    within = vocabulary.WARNING_STATUS.within("follow_up")
    in_follow_up = EarlyWarning(
        urgency="segera",
        received_at=updated,
        follow_up=WarningFollowUp(status="follow_up", updated_at=updated),
    )
    closed = EarlyWarning(
        urgency="segera", received_at=updated, follow_up=WarningFollowUp(status="closed", updated_at=updated)
    )
    assert not is_overdue(in_follow_up, updated + within - timedelta(minutes=1))
    assert is_overdue(in_follow_up, updated + within + timedelta(minutes=1))
    assert not is_overdue(closed, updated + timedelta(days=365))


def test_every_risk_level_a_village_can_have_has_words():
    assert set(vocabulary.RISK_LEVEL.values) == {level.value for level in RiskLevel}


@pytest.mark.parametrize("preset", vocabulary.PERIOD_PRESET.values)
def test_the_dashboard_offers_each_period_preset_and_shows_the_one_chosen(client, auth, world, preset):
    auth.login("maya")
    page = client.get(f"/kelola/?period={preset}").get_data(as_text=True)
    assert re.findall(r'<option value="([^"]+)" selected>', page) == [preset]


def test_each_period_preset_gives_its_own_days():
    today = date(2026, 5, 20)
    starts = {
        preset: periods.period(preset, None, None, today=today)[0]
        for preset in vocabulary.PERIOD_PRESET.values
    }
    assert len(set(starts.values())) == len(starts)
