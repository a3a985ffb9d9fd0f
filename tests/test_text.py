"""What the server reads of a phone's JSON: text a database can store, and no body nested deeper than a phone's."""

import json

import pytest

from outreach import text


def nested(levels):
    """A JSON body `levels` deep, the innermost level a number."""
    value = 1
    for _ in range(levels - 1):
        value = [value]
    return json.dumps(value).encode()


def test_a_body_as_deep_as_allowed_is_read_and_one_level_more_is_refused():
    assert text.load_json(nested(text.MAX_DEPTH)) is not None
    with pytest.raises(text.BodyError, match="nested too deeply"):
        text.load_json(nested(text.MAX_DEPTH + 1))
    with pytest.raises(text.BodyError, match="nested too deeply"):
        text.load_json(b"[" * 5000 + b"]" * 5000)


def test_nul_characters_go_and_a_lone_surrogate_becomes_a_replacement_character():
    body = json.dumps({"notes": "Kunjungan\x00 ke desa", "purpose": "Sosialisasi \ud83d selesai"}).encode()
    assert text.load_json(body) == {"notes": "Kunjungan ke desa", "purpose": "Sosialisasi \ufffd selesai"}


def test_an_emoji_sent_as_an_escaped_pair_and_plain_text_come_back_as_sent():
    record = {"notes": "Warga senang \U0001f600", "data": [{"nama": "Desa Légok"}, 3, None]}
    assert text.load_json(json.dumps(record).encode()) == record  # the emoji escaped as \ud83d\ude00
    assert text.load_json(json.dumps(record, ensure_ascii=False).encode()) == record


def test_a_body_in_utf_16_is_cleaned_too():
    body = json.dumps({"notes": "a\x00b"}).encode("utf-16")
    assert text.load_json(body) == {"notes": "ab"}
