"""The Spanish and Portuguese catalogues: complete, compiled, placeholders kept, and each
language's typography (Spanish opens questions with ¿, no language sets a plain space
before its punctuation except French, which takes a narrow no-break space)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

import beacon

LOCALE = Path(beacon.__file__).parent / "locale"
ENTRY = re.compile(
    r'^(?:msgctxt "(?P<ctx>.*)"\n)?msgid (?P<id>(?:".*"\n)+)'
    r'(?:msgid_plural (?P<plural>(?:".*"\n)+))?'
    r'(?P<strs>(?:msgstr(?:\[\d\])? (?:".*"\n)+)+)',
    re.M,
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
NEW_LANGUAGES = ("es", "pt")


def _join(quoted: str) -> str:
    return (
        "".join(re.findall(r'"(.*)"', quoted))
        .encode()
        .decode("unicode_escape")
        .encode("latin-1")
        .decode("utf-8")
    )


def catalogue(lang: str) -> list[tuple[str | None, str, str, list[str], str]]:
    """(context, msgid, msgid_plural, msgstrs, flags) of every entry but the header."""
    text = (LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    found = []
    for block in text.split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue
        match = ENTRY.search(block + "\n")
        if match is None:
            continue
        msgid = _join(match.group("id"))
        if not msgid:
            continue  # the header
        strs = [
            _join(s) for s in re.findall(r'msgstr(?:\[\d\])? ((?:".*"\n)+)', match.group("strs"))
        ]
        flags = "\n".join(line for line in block.splitlines() if line.startswith("#,"))
        found.append((match.group("ctx"), msgid, _join(match.group("plural") or ""), strs, flags))
    return found


def test_spanish_and_portuguese_are_offered_on_every_page() -> None:
    assert [code for code, _name in settings.LANGUAGES] == ["en", "fr", "es", "pt"]


@pytest.mark.parametrize("lang", NEW_LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(lang: str) -> None:
    entries = catalogue(lang)
    assert len(entries) > 550
    assert [e[1] for e in entries if "fuzzy" in e[4]] == []
    assert [e[1] for e in entries if not all(e[3])] == []


def test_spanish_and_portuguese_translate_the_same_messages() -> None:
    spanish = {(e[0], e[1]) for e in catalogue("es")}
    portuguese = {(e[0], e[1]) for e in catalogue("pt")}
    assert spanish == portuguese


@pytest.mark.parametrize("lang", NEW_LANGUAGES)
def test_every_french_message_has_a_translation(lang: str) -> None:
    # The French catalogue may keep a few messages no longer in the code; every message
    # French translates and the code still uses is translated here too.
    ours = {(e[0], e[1]) for e in catalogue(lang)}
    french = {(e[0], e[1]) for e in catalogue("fr")}
    source = _source_text()
    missing = [m for m in french - ours if _used(m[1], source)]
    assert missing == []


def _source_text() -> str:
    root = Path(beacon.__file__).parent
    parts = [p.read_text(encoding="utf-8") for p in root.rglob("*.py")]
    parts += [p.read_text(encoding="utf-8") for p in root.rglob("*.html")]
    return "\n".join(parts)


def _used(msgid: str, source: str) -> bool:
    # A message spanning lines in the source is split there; its first words suffice.
    head = msgid.split("%(")[0][:30]
    return head in source or head.replace("'", "\\'") in source


@pytest.mark.parametrize("lang", NEW_LANGUAGES)
def test_placeholders_are_kept(lang: str) -> None:
    wrong = []
    for _ctx, msgid, plural, strs, _flags in catalogue(lang):
        wanted = sorted(set(PLACEHOLDER.findall(msgid + plural)))
        for text in strs:
            got = sorted(set(PLACEHOLDER.findall(text)))
            # The singular may say "one" in words ("Un campo requiere su atención:").
            if got != wanted and not (plural and set(got) < set(wanted) and text is strs[0]):
                wrong.append((msgid, text))
    assert wrong == []


@pytest.mark.parametrize("lang", NEW_LANGUAGES)
def test_the_compiled_catalogue_is_committed_and_up_to_date(lang: str) -> None:
    compiled = LOCALE / lang / "LC_MESSAGES" / "django.mo"
    with compiled.open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    stale = []
    for ctx, msgid, plural, strs, _flags in catalogue(lang):
        if plural:
            got = [translations.ngettext(msgid, plural, n) for n in (1, 5)]
            if got != [strs[0], strs[-1]]:
                stale.append(msgid)
        elif ctx is not None:
            if translations.pgettext(ctx, msgid) != strs[0]:
                stale.append(msgid)
        elif translations.gettext(msgid) != strs[0]:
            stale.append(msgid)
    assert stale == []


def _translations(lang: str) -> list[str]:
    return [text for entry in catalogue(lang) for text in entry[3]]


@pytest.mark.parametrize("lang", NEW_LANGUAGES)
def test_no_space_before_high_punctuation_outside_french(lang: str) -> None:
    # Spanish and Portuguese set : ; ! ? right after the word ("Clave:", not "Clave :").
    wrong = [t for t in _translations(lang) if re.search(r"[ \u00a0\u202f][:;!?]", t)]
    assert wrong == []


def test_spanish_questions_and_exclamations_open_with_inverted_marks() -> None:
    wrong = [
        t
        for t in _translations("es")
        if t.count("?") != t.count("¿") or t.count("!") != t.count("¡")
    ]
    assert wrong == []


def test_portuguese_uses_no_inverted_marks() -> None:
    assert [t for t in _translations("pt") if "¿" in t or "¡" in t] == []


def test_each_language_quotes_with_its_own_marks() -> None:
    # Spanish quotes with «», Portuguese (Brazil) with “”; neither keeps English "straight".
    assert [t for t in _translations("es") if re.search(r'["“”]', t)] == []
    assert [t for t in _translations("pt") if re.search(r'["«»]', t)] == []


@pytest.mark.parametrize(
    ("lang", "recovered", "outstanding"),
    [("es", "Puestos a salvo", "Aún buscados"), ("pt", "Resgatadas", "Ainda procuradas")],
)
def test_children_are_put_in_safety_not_recovered_like_property(
    lang: str, recovered: str, outstanding: str
) -> None:
    # "Recovered" said of a child is "puesto a salvo" / "resgatado", never the word for
    # recovering goods ("recuperado"); "outstanding" children are still sought.
    metric = {e[1]: e[3][0] for e in catalogue(lang) if e[0] == "metric"}
    assert metric["Recovered"] == recovered
    assert metric["Outstanding"] == outstanding
    assert [t for t in _translations(lang) if "recuperad" in t.lower()] == []


def test_french_translates_every_message_the_other_languages_translate() -> None:
    # The Spanish and Portuguese catalogues were written from the code's messages; French,
    # the oldest, had fallen 37 messages behind them (release statuses, qualifiers, the
    # outcome explanations), so those pages were half English.
    french = {(e[0], e[1]) for e in catalogue("fr") if all(e[3])}
    spanish = {(e[0], e[1]) for e in catalogue("es")}
    assert sorted(spanish - french, key=lambda key: key[1]) == []


@pytest.mark.parametrize("lang", ("fr", "es", "pt"))
def test_every_entry_of_the_catalogue_is_read(lang: str) -> None:
    # Two entries with no blank line between them read as one (msgfmt does not mind, these
    # checks did): French "Last updated" was hidden that way after a merge.
    text = (LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    written = len(re.findall(r"^msgid ", text, re.M)) - 1  # the header
    assert len(catalogue(lang)) == written


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "expected"),
    [("pt", "27 de agosto de 2021"), ("es", "27 de agosto de 2021"), ("fr", "27 août 2021")],
)
def test_month_names_in_dates_are_lowercase(lang: str, expected: str) -> None:
    """Django's Portuguese catalogue wrote "27 de Agosto de 2021"; Brazil and Portugal
    write month names in lowercase."""
    from datetime import date

    from django.utils import formats, translation

    with translation.override(lang):
        assert formats.date_format(date(2021, 8, 27)) == expected
