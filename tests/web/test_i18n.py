"""Every message has its French translation, and the compiled catalogue is committed."""

from __future__ import annotations

import re
from pathlib import Path

import beacon

MSGSTR = re.compile(r'^msgstr(\[\d\])? ((?:".*"\n)+)', re.M)
LOCALE = Path(beacon.__file__).parent / "locale" / "fr" / "LC_MESSAGES"


def entries() -> list[str]:
    return (LOCALE / "django.po").read_text(encoding="utf-8").split("\n\n")[1:]


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    untranslated = []
    for entry in entries():
        if "#, fuzzy" in entry:
            untranslated.append(entry)
        for _index, text in MSGSTR.findall(entry + "\n"):
            if not "".join(re.findall(r'"(.*)"', text)):
                untranslated.append(entry)
    assert untranslated == []


def test_the_compiled_catalogue_is_committed() -> None:
    compiled = LOCALE / "django.mo"
    assert compiled.exists()
    assert compiled.stat().st_size > 10000


def _translations() -> list[str]:
    found = []
    for entry in entries():
        for _index, text in MSGSTR.findall(entry + "\n"):
            found.append("".join(re.findall(r'"(.*)"', text)))
    return found


def test_french_high_punctuation_takes_a_narrow_no_break_space() -> None:
    # French sets : ; ! ? after a narrow no-break space (U+202F): never a plain or a
    # breaking space (a line could start with the colon), never glued to the word.
    wrong = [
        text
        for text in _translations()
        if re.search(r"[ \u00a0][:;!?]", text) or re.search(r"[^\W\d_][;!?]", text)
    ]
    assert wrong == []
