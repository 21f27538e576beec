"""The Swedish catalogue: complete, faithful to its placeholders, compiled, and actually used."""

import re
from collections.abc import Callable
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from samverkan.accounts.models import Role
from samverkan.records.models import Gender

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "sv" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

# A printf-style specifier, named (%(name)s) or bare (%s, %d, %r, ...); %% is a literal percent.
_SPECIFIER = re.compile(r"%(?:\((?P<name>\w+)\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?(?P<type>[a-zA-Z%])")


def _specifiers(text: str) -> tuple[set[str], list[str]]:
    """The named specifiers as a set, the bare ones in order ("%%" excluded)."""
    named, bare = set(), []
    for match in _SPECIFIER.finditer(text):
        if match["type"] == "%":
            continue
        if match["name"] is not None:
            named.add(match.group(0))
        else:
            bare.append(match.group(0))
    return named, bare


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _entries(catalogue: polib._BaseFile) -> list[polib._BaseEntry]:
    return [entry for entry in catalogue if entry.msgid and not entry.obsolete]


def test_header_declares_swedish_utf8_and_plural_forms(po: polib.POFile) -> None:
    assert po.metadata["Language"] == "sv"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert not po.metadata_is_fuzzy


def test_every_entry_is_translated(po: polib.POFile) -> None:
    entries = _entries(po)
    assert entries, "the catalogue is empty"
    untranslated = [e.msgid for e in entries if not (e.msgstr or all(e.msgstr_plural.values()))]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []
    assert po.percent_translated() == 100


def test_placeholders_are_kept(po: polib.POFile) -> None:
    wrong = []
    for entry in _entries(po):
        expected = _specifiers(entry.msgid)
        translations = [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values()
        for msgstr in translations:
            if _specifiers(msgstr) != expected:
                wrong.append((entry.msgid, msgstr))
    assert wrong == []


def test_specifiers_are_recognised() -> None:
    assert _specifiers("%(value)r is not one of %(values)s; 100%% %s, %d") == (
        {"%(value)r", "%(values)s"},
        ["%s", "%d"],
    )


def test_compiled_catalogue_matches_the_po(po: polib.POFile) -> None:
    assert MO_PATH.exists(), "run `samverkan compilemessages --locale sv`"
    mo = polib.mofile(str(MO_PATH))
    from_po = {(e.msgctxt, e.msgid): e.msgstr for e in _entries(po)}
    from_mo = {(e.msgctxt, e.msgid): e.msgstr for e in _entries(mo)}
    assert from_mo == from_po


def test_swedish_is_the_default_language() -> None:
    assert settings.LANGUAGE_CODE == "sv"


@pytest.mark.parametrize(
    ("label", "swedish", "english"),
    [
        (lambda: Gender.GIRL.label, "tjej", "girl"),
        (lambda: Role.VOLUNTEER.label, "chattvolontär", "chat volunteer"),
        (lambda: translation.gettext("steering group"), "styrgrupp", "steering group"),
    ],
)
def test_labels_follow_the_active_language(
    label: Callable[[], object], swedish: str, english: str
) -> None:
    with translation.override("sv"):
        assert str(label()) == swedish
    with translation.override("en"):
        assert str(label()) == english


def test_catalogue_has_every_string_of_the_code(tmp_path):
    """Extract the strings again into a copy and compare: a new string without a Swedish
    translation fails here (fix with `make messages`, then translate)."""
    import shutil
    import subprocess
    import sys

    package = Path(__file__).resolve().parents[2]
    copy = tmp_path / "samverkan"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        # -P: the copy, whose statistics/ would shadow the standard library, stays off sys.path.
        [
            sys.executable,
            "-P",
            "-m",
            "samverkan",
            "makemessages",
            "--locale",
            "sv",
            "--no-obsolete",
            "--no-location",
            "-v0",
        ],
        cwd=copy,
        check=True,
    )
    extracted = {
        (entry.msgctxt, entry.msgid)
        for entry in polib.pofile(copy / "locale/sv/LC_MESSAGES/django.po")
    }
    committed = {(entry.msgctxt, entry.msgid) for entry in polib.pofile(PO_PATH)}
    assert extracted - committed == set(), "strings missing from the catalogue"
    assert committed - extracted == set(), "strings in the catalogue that the code no longer has"
