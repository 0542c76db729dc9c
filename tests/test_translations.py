"""The French catalogue is complete and compiled, so a fresh machine needs no gettext."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = [ROOT / "locale/fr/LC_MESSAGES/django.po"]
SOURCE_FOLDERS = ("core", "ptf_portal", "instances", "membership", "meetings", "secretariat", "templates")


def test_french_catalogue_is_complete_and_compiled():
    po_path = CATALOGUES[0]
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run make messages"
    compiled = {e.msgid for e in polib.mofile(str(mo_path)) if e.msgstr or any(e.msgstr_plural.values())}
    assert {e.msgid for e in po.translated_entries()} <= compiled, "the .mo file is older than the .po file"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
def test_every_marked_string_is_in_the_catalogue(tmp_path):
    """makemessages over a copy of the sources finds no string the catalogue lacks."""
    known = set()
    for po_path in CATALOGUES:
        known |= {e.msgid for e in polib.pofile(str(po_path)) if not e.obsolete}
    copy = tmp_path / "src"
    copy.mkdir()
    for name in SOURCE_FOLDERS:
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "makemessages", "-l", "fr", "--no-location"],
        cwd=copy, check=True, capture_output=True,
    )
    found = {e.msgid for e in polib.pofile(str(copy / "locale/fr/LC_MESSAGES/django.po"))}
    missing = sorted(found - known)
    assert not missing, f"strings marked for translation but absent from the catalogue: {missing[:20]}"
