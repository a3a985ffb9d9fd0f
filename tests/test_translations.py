"""Every sentence a user sees has its Indonesian translation in the catalogue."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def test_every_string_in_the_code_is_in_the_catalogue_with_its_indonesian_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    assert len(wanted) > 50
    with (ROOT / "translations" / "id" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalogue = {m.id: m for m in read_po(f) if m.id}
    missing = sorted(str(i) for i in wanted - catalogue.keys())
    untranslated = sorted(
        str(i) for i in wanted & catalogue.keys() if not catalogue[i].string or catalogue[i].fuzzy
    )
    assert missing == [], "not in translations/id: run pybabel update (see README)"
    assert untranslated == [], "no Indonesian translation yet"


def test_the_english_catalogue_knows_every_string_too():
    with (ROOT / "translations" / "id" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        indonesian = {m.id for m in read_po(f) if m.id}
    with (ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        english = {m.id for m in read_po(f) if m.id}
    assert indonesian == english


def avoided_words_in(sentence: str, glossary: dict) -> list[str]:
    """The words of `sentence` the glossary says to avoid, as whole words in any case."""
    return [
        word
        for term in glossary["term"]
        for word in term.get("avoid", [])
        if re.search(rf"(?<!\w){re.escape(word.strip())}(?!\w)", sentence, re.IGNORECASE)
    ]


def test_the_indonesian_catalogue_says_one_thing_one_way():
    glossary = tomllib.loads((ROOT / "translations" / "glossary.toml").read_text(encoding="utf-8"))
    assert avoided_words_in("Serahkan kepada manajer Anda.", glossary) == ["manajer"]
    with (ROOT / "translations" / "id" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalogue = [m for m in read_po(f) if m.id]
    found = {
        str(m.id): avoided_words_in(text, glossary)
        for m in catalogue
        for text in ([m.string] if isinstance(m.string, str) else m.string)
        if avoided_words_in(text, glossary)
    }
    assert found == {}, "use the glossary's word (translations/glossary.toml)"
