"""Every page, for every role, in French, Spanish and Portuguese: no English message that
has a translation is left on the page (text, labels, buttons, placeholders, tooltips),
and numbers and dates come from the language's locale.

The pages are found from the URL table (tests/access/routes_table.py): each GET route
the role may call, its parameters filled from the demo data."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from html.parser import HTMLParser

import pytest
from django.db.models import Q
from django.test import Client
from django.utils import formats, translation

from beacon.access.models import Membership
from beacon.access.permissions import ROLE_PERMISSIONS
from beacon.access.routes import PUBLIC, SIGNED_IN
from beacon.agencies.models import Agency
from beacon.intake.models import Cluster, Intake
from beacon.operations.models import Operation, Referral, Target, Victim
from beacon.records.models import MissingPersonRecord
from beacon.web.forms import KINDS
from tests.access.routes_table import web_routes
from tests.web.test_languages_catalogues import catalogue

ClientAs = Callable[[str], Client]
LANGUAGES = ("fr", "es", "pt")
USERS = (
    "admin",
    "coordinator",
    "investigator.hsi",
    "investigator.lcpd",
    "analyst",
    "caseworker.zoe",
    "pio",
)
# Pages that are not pages (files, redirects, the sign-out and language switch forms).
SKIP = ("/static/", "/favicon.ico", "/geo/", "/healthz", "/language/", "/account/sign-out/")
SEEN = ("UNITED-FRONT", "RESCUE-ME-2021")  # operations the demo accounts work on
# Parameters whose every value is a page of its own (each kind of event has its form).
EVERY = ("kind",)
# Pages whose query shows more of them (search results and their reasons).
QUERIES = {
    "/records/": "?last_name=Examplar&first_name=Jon",
    "/administration/audit/": "?action=records.",
}
TRIES = 12  # parameter combinations tried per route before it counts as not reachable
PLACEHOLDER = re.compile(r"%\\\(\w+\\\)[sd]")
VISIBLE_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "label")


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Visible(HTMLParser):
    """The pieces of text a reader sees or hears: text nodes (not scripts or styles),
    tooltips, accessible names, placeholders, submit buttons' values and the strings
    pages hand to their scripts in data- attributes. Text inside an element marked as
    another language (``lang="en"`` on a report Beacon cannot write in the page's
    language, the names of the languages in the switch) is left out: it is meant so."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.lang = ""
        self._open: list[tuple[str, str | None]] = []  # (tag, its lang attribute)

    def _current(self) -> str:
        for _tag, lang in reversed(self._open):
            if lang is not None:
                return lang
        return self.lang

    def _hidden(self) -> bool:
        return any(tag in ("script", "style", "template") for tag, _lang in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.lang = values.get("lang", "")
            return
        if tag not in VOID:
            self._open.append((tag, values.get("lang")))
        if self._hidden() or (values.get("lang") or self._current()) != self.lang:
            return
        for name, value in values.items():
            if name in VISIBLE_ATTRIBUTES or (
                name == "value" and values.get("type") in ("submit", "button")
            ):
                self.pieces.append(value)
            elif name.startswith("data-"):
                self.pieces.extend(_strings_in(name, value))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self._hidden() and self._current() == self.lang:
            self.pieces.append(data)


def _strings_in(name: str, value: str) -> Iterator[str]:
    """The words a data- attribute hands a script to show: messages (data-msg-*) and the
    JSON map of labels (data-labels); other data attributes hold codes and figures."""
    if name.startswith("data-msg-"):
        yield value
    elif name == "data-labels":
        yield from _json_strings(json.loads(value))


def _json_strings(data: object) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for item in data.values():
            yield from _json_strings(item)
    elif isinstance(data, list):
        for item in data:
            yield from _json_strings(item)


def visible(html: str) -> tuple[str, list[str]]:
    parser = _Visible()
    parser.feed(html)
    pieces = [re.sub(r"\s+", " ", p).strip() for p in parser.pieces]
    return parser.lang, [p for p in pieces if p]


@cache
def english_patterns(lang: str) -> tuple[tuple[str, re.Pattern[str], bool], ...]:
    """(msgid, pattern, is_sentence) of every English message ``lang`` says otherwise.
    A short message is left untranslated when a whole piece of text is it (a heading,
    a button, a column); a sentence, when it appears anywhere."""
    found = []
    for _ctx, msgid, plural, strs, _flags in catalogue(lang):
        for english, text in ((msgid, strs[0]), (plural, strs[-1])):
            if not english or english == text:
                continue  # "Hotel", "Local", "ONG": the same word in that language
            pattern = PLACEHOLDER.sub(r".+?", re.escape(english))
            sentence = len(english.split()) >= 4
            found.append((english, re.compile(rf"(?<!\w){pattern}(?!\w)"), sentence))
    return tuple(found)


# Published words quoted in a report (a figure's note, as the release wrote it) are the
# publisher's, not ours to translate: what stands between the language's quotation marks
# is left out of the check.
QUOTED = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"")


@cache
def _checks(
    lang: str,
) -> tuple[
    frozenset[str],
    tuple[tuple[str, re.Pattern[str]], ...],
    tuple[tuple[str, re.Pattern[str]], ...],
    re.Pattern[str],
]:
    """english_patterns(lang) sorted for speed, each message still tested as it says: a
    message without placeholders matches a whole piece exactly when it is that piece (a
    set look-up); one with placeholders by its pattern; the sentences are searched for
    only in a piece where one of them is found (one pattern of them all)."""
    patterns = english_patterns(lang)
    literal = frozenset(e for e, _p, _s in patterns if not PLACEHOLDER.search(re.escape(e)))
    placeholders = tuple((e, p) for e, p, _s in patterns if e not in literal)
    sentences = tuple((e, p) for e, p, s in patterns if s)
    any_sentence = re.compile("|".join(f"(?:{p.pattern})" for _e, p in sentences) or "(?!)")
    return literal, placeholders, sentences, any_sentence


def untranslated(pieces: list[str], lang: str) -> set[str]:
    """The English messages (of those ``lang`` translates) that a piece of text is, or, for
    a sentence, contains."""
    literal, placeholders, sentences, any_sentence = _checks(lang)
    left = set()
    for piece in (QUOTED.sub("«»", p) for p in pieces):
        bare = piece.rstrip(":.").strip()
        left |= {bare, piece} & literal
        for english, pattern in placeholders:
            if pattern.fullmatch(bare) or pattern.fullmatch(piece):
                left.add(english)
        if any_sentence.search(piece):
            left |= {english for english, pattern in sentences if pattern.search(piece)}
    return left


# Words English has and French, Spanish and Portuguese have not ("a", "as", "no", "on",
# "or", "an", "has" are words of theirs too): text of ours with one of them, once the
# names of things are taken out, is English that no catalogue knows of (a string never
# marked for translation, or one Beacon stores and shows as stored).
ENGLISH_WORDS = re.compile(
    r"(?<![\w'\u2019-])(?:the|The|of|and|with|by|was|were|is|are|from|for|this|This|that|have|been|"
    r"during|which|who|not|will|your|Your|you|You|its|their|to|at|it|be|may|can|only|"
    r"after|before|into|than|then|there|these|those|what|when|where|should|would)(?![\w'\u2019-])"
)


def names_of_things() -> list[str]:
    """What goes by its own name in every language: agencies, operations, places (their
    English names too), people and the text people typed into the demo data."""
    from beacon.agencies.models import Jurisdiction
    from beacon.operations.models import Investigation, Lead, Person, ReportedFigure

    found: set[str] = set()
    for agency in Agency.objects.all():
        found |= {agency.name, agency.short_name}
    for operation in Operation.objects.all():
        found |= {operation.name, operation.description}
    found |= set(Jurisdiction.objects.values_list("name_en", flat=True))
    found |= {str(p) for p in Person.objects.all()}
    found |= set(Investigation.objects.values_list("summary", flat=True))
    found |= set(Lead.objects.values_list("description", flat=True))
    found |= set(Lead.objects.values_list("source", flat=True))
    for figure in ReportedFigure.objects.all():  # a publisher's words, cited as written
        found |= {figure.source_name, figure.source_document, figure.note}
    return sorted((n for n in found if n), key=len, reverse=True)


def english_left(pieces: list[str], names: list[str]) -> set[str]:
    """Pieces of text still in English once the names of things are taken out."""
    left = set()
    for piece in pieces:
        bare = QUOTED.sub("«»", piece)
        for name in names:
            if name in bare:
                bare = bare.replace(name, "·")
        if ENGLISH_WORDS.search(bare):
            left.add(piece)
    return left


def _candidates(username: str) -> dict[str, list[str]]:
    """Values for each route parameter, from the demo data (the user's agency's first)."""
    agency = Membership.objects.get(user__username=username).agency
    records = MissingPersonRecord.objects.order_by("pk").values_list("nic", flat=True)
    return {
        "code": list(SEEN),
        "kind": list(KINDS),
        "metric": ["arrests", "recovered"],
        "ref": [
            *Referral.objects.filter(to_agency=agency)
            .order_by("pk")
            .values_list("victim__ref", flat=True)[:2],
            *(
                ref
                for code in SEEN
                for ref in Victim.objects.filter(
                    Q(operation__code=code) | Q(operation__parent__code=code)
                )
                .order_by("pk")
                .values_list("ref", flat=True)[:1]
            ),
            *(
                ref
                for code in SEEN
                for ref in Target.objects.filter(operation__code=code, outcome__isnull=True)
                .order_by("pk")
                .values_list("ref", flat=True)[:1]
            ),
        ],
        "nic": [
            *records.filter(originating_agency=agency)[:3],
            *records[:3],
        ],
        "username": ["investigator.hsi"],
        "ori": [agency.ori or "x"],
        "intake_id": [str(i) for i in Intake.objects.values_list("pk", flat=True)[:2]],
        "cluster_id": [str(i) for i in Cluster.objects.values_list("pk", flat=True)[:2]],
    }


def _routes_for(username: str) -> list[str]:
    role = Membership.objects.get(user__username=username).role
    allowed = {str(p) for p in ROLE_PERMISSIONS[role]} | {PUBLIC, SIGNED_IN}
    return [r.path for r in web_routes() if r.permission in allowed and not r.path.startswith(SKIP)]


def _urls(path: str, candidates: dict[str, list[str]]) -> Iterator[str]:
    names = re.findall(r"{(\w+)}", path)
    pools = [candidates.get(name, ["x"]) or ["x"] for name in names]
    for values in itertools.islice(itertools.product(*pools), TRIES):
        url = path
        for name, value in zip(names, values, strict=True):
            url = url.replace("{" + name + "}", value, 1)
        yield url


def pages_of(client: Client, username: str) -> list[str]:
    """The URL of each page (HTML, 200) the user reaches: one per route, one per value
    of the EVERY parameters."""
    candidates = _candidates(username)
    found = []
    for path in _routes_for(username):
        variants = [
            path.replace("{" + name + "}", value)
            for name in EVERY
            if "{" + name + "}" in path
            for value in candidates[name]
        ] or [path]
        for variant in variants:
            for url in _urls(variant, candidates):
                response = client.get(url)
                if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
                    found.append(url)
                    if path in QUERIES:
                        found.append(url + QUERIES[path])
                    break
    return found


@pytest.fixture(scope="module")
def found_pages() -> dict[str, list[str]]:
    """Each user's pages, found once for the module: the search is made in English, before
    the language is chosen, so it finds the same pages for every language (on the same
    demo data, which is loaded once for all the module's tests)."""
    return {}


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_english_message_is_left_on_any_page(
    client_as: ClientAs, found_pages: dict[str, list[str]], username: str, lang: str
) -> None:
    client = client_as(username)
    if username not in found_pages:
        found_pages[username] = pages_of(client, username)
    urls = found_pages[username]
    print(username, len(urls), "pages:", " ".join(urls))
    assert len(urls) >= 2  # the home page and at least one page of the role's work
    client.cookies["django_language"] = lang
    # An agency goes by its one official name in every language (docs/i18n.md).
    agency_names = set(Agency.objects.values_list("name", flat=True))
    names = names_of_things()
    left, english = {}, {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        page_lang, pieces = visible(response.content.decode())
        assert page_lang in (lang, ""), url  # "" for a fragment (htmx) of a page
        found = untranslated([p for p in pieces if p not in agency_names], lang)
        if found:
            left[url] = sorted(found)
        unmarked = english_left(pieces, names)
        if unmarked:
            english[url] = sorted(unmarked)
    assert left == {}
    print("ENGLISH", json.dumps(english, ensure_ascii=False, indent=1))
    assert english == {}  # English no catalogue knows of (never marked, or stored)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_error_pages_are_translated(client_as: ClientAs, lang: str) -> None:
    coordinator, pio = client_as("coordinator"), client_as("pio")
    coordinator.cookies["django_language"] = pio.cookies["django_language"] = lang
    missing = coordinator.get("/operations/NO-SUCH-OPERATION/")
    refused = pio.get("/administration/")
    assert (missing.status_code, refused.status_code) == (404, 403)
    for response in (missing, refused):
        _page_lang, pieces = visible(response.content.decode())
        assert untranslated(pieces, lang) == set()


def test_the_check_finds_an_english_message_left_on_a_page() -> None:
    # The walk above would pass on a page it cannot read; it can read these.
    assert untranslated(["Download PDF"], "es") == {"Download PDF"}
    assert untranslated(["Key:"], "pt") == {"Key:"}
    assert untranslated(["12 targets"], "es") == {"%(n)s targets"}
    assert "Signed in as %(name)s, %(agency)s." in untranslated(
        ["Welcome. Signed in as Ana, HSI Las Cruces. Good day."], "pt"
    )
    assert untranslated(["Descargar el PDF", "Operation Cross Country", "Hotel"], "es") == set()
    _lang, pieces = visible(
        '<html lang="es"><button title="Sign out">x</button><input type="submit" value="Save">'
        '<div data-labels=\'{"a": "Outcome recorded."}\' data-metric="outstanding"></div>'
        '<form data-msg-saved="Draft saved on this device."></form><script>"Search"</script>'
        '<article lang="en"><p>Arrests</p></article><p>Record</p></html>'
    )
    assert untranslated(pieces, "es") == {
        "Sign out",
        "Save",
        "Outcome recorded.",
        "Draft saved on this device.",
        "Record",
    }


@pytest.mark.parametrize(
    ("lang", "thousands"), [("en", ","), ("fr", "\u00a0"), ("es", "\u00a0"), ("pt", ".")]
)
def test_numbers_and_dates_come_from_the_locale(
    client_as: ClientAs, lang: str, thousands: str
) -> None:
    client = client_as("coordinator")
    client.cookies["django_language"] = lang
    html = client.get("/operations/UNITED-FRONT/").content.decode()
    operation = Operation.objects.get(code="UNITED-FRONT")
    with translation.override(lang):
        start = formats.date_format(operation.start, "DATE_FORMAT")
        grouped = formats.number_format(12345, use_l10n=True, force_grouping=True)
    _page_lang, pieces = visible(html)
    assert any(start in piece for piece in pieces)
    # The page's scripts group thousands as the locale does (map legends, charts).
    assert f'data-separators="{formats.get_format("DECIMAL_SEPARATOR", lang)}{thousands}"' in html
    assert grouped == f"12{thousands}345"
    if lang != "en":
        english = formats.date_format(operation.start, "DATE_FORMAT", use_l10n=False)
        assert english not in html or english == start


@pytest.mark.parametrize("lang", LANGUAGES)
def test_refused_forms_explain_themselves_in_the_page_language(
    client_as: ClientAs, lang: str
) -> None:
    client = client_as("coordinator")
    client.cookies["django_language"] = lang
    refused = client.post("/operations/UNITED-FRONT/events/arrest/", {"arrestee_age": "old"})
    assert refused.status_code == 422
    _page_lang, pieces = visible(refused.content.decode())
    assert untranslated(pieces, lang) == set()
    anonymous = Client()
    anonymous.cookies["django_language"] = lang
    failed = anonymous.post("/account/sign-in/", {"username": "pio", "password": "wrong"})
    _page_lang, pieces = visible(failed.content.decode())
    assert untranslated(pieces, lang) == set()
    with translation.override(lang):
        expected = str(
            translation.gettext("Sign-in failed. Check your username, password and code.")
        )
    assert expected in pieces


@pytest.mark.parametrize(("lang", "name"), [("es", "Español"), ("pt", "Português")])
def test_the_switch_offers_each_language_and_remembers_it(
    client_as: ClientAs, lang: str, name: str
) -> None:
    client = client_as("investigator.hsi")
    html = client.get("/operations/").content.decode()
    assert (
        f'<button type="submit" name="language" value="{lang}" lang="{lang}">{name}</button>'
        in html
    )
    response = client.post("/language/", {"language": lang, "next": "/operations/"})
    assert (response.status_code, response["Location"]) == (302, "/operations/")
    assert client.cookies["django_language"].value == lang
    assert Membership.objects.get(user__username="investigator.hsi").language == lang
    page = client.get("/operations/").content.decode()
    page_lang, pieces = visible(page)
    assert page_lang == lang
    with translation.override(lang):
        assert str(translation.gettext("Operations you may see")) in pieces
    # The switch now offers English and the two others, never the current language.
    assert f'name="language" value="{lang}"' not in page
    assert 'name="language" value="en"' in page
