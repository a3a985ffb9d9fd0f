"""Every sentence a user sees has its Indonesian translation in the catalogue."""

import subprocess
import sys
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
