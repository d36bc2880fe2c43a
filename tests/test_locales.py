"""Every message has a uk and a ru translation that keeps its placeholders and markup,
and the catalogs hold every string the code asks for."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from locales import LANGUAGES, format_instant, load_translators, pick_language

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("bot", "handlers", "flows", "scheduler", "storage")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "n_": None}
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*\}")
TAG = re.compile(r"</?[a-z-]+[^>]*>")


def catalog(language: str) -> Catalog:
    with (ROOT / "locales" / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def source_messages() -> set[str]:
    found = set()
    for folder in SOURCES:
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / folder, keywords=KEYWORDS, comment_tags=()
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def forms(message: Message) -> tuple[str, ...]:
    value = message.string
    return tuple(value) if isinstance(value, (tuple, list)) else (str(value or ""),)


def ids(message: Message) -> tuple[str, ...]:
    value = message.id
    return tuple(value) if isinstance(value, (tuple, list)) else (str(value),)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_not_fuzzy(language: str) -> None:
    cat = catalog(language)
    missing = [m.id for m in cat if m.id and (not all(forms(m)) or m.fuzzy)]
    assert missing == []
    assert cat.num_plurals == 3  # one, few, many


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_and_markup(language: str) -> None:
    for message in catalog(language):
        if not message.id:
            continue
        wanted_placeholders = sorted(PLACEHOLDER.findall(ids(message)[0]))
        wanted_tags = sorted(TAG.findall(ids(message)[0]))
        for form in forms(message):
            assert sorted(PLACEHOLDER.findall(form)) == wanted_placeholders, message.id
            assert sorted(TAG.findall(form)) == wanted_tags, message.id


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogs_hold_every_string_in_the_code(language: str) -> None:
    in_catalog = {ids(m)[0] for m in catalog(language) if m.id}
    missing = source_messages() - in_catalog
    assert not missing, f"run `make locales-update` and translate: {sorted(missing)}"


def test_runtime_translates_and_formats_dates() -> None:
    translators = load_translators()
    assert translators["uk"].gettext("Cancelled.") == "Скасовано."
    assert translators["ru"].gettext("Cancelled.") == "Отменено."
    moment = datetime(2026, 7, 1, 15, 30, tzinfo=UTC)  # 18:30 in Kyiv (summer time)
    assert "18:30" in format_instant(moment, "uk", "Europe/Kyiv")
    assert "лип" in format_instant(moment, "uk", "Europe/Kyiv")
    assert "июл" in format_instant(moment, "ru", "Europe/Kyiv")


@pytest.mark.parametrize(
    ("stored", "telegram", "expected"),
    [
        ("ru", "uk", "ru"),
        (None, "uk", "uk"),
        (None, "ru-RU", "ru"),
        (None, "en", "uk"),
        (None, None, "uk"),
    ],
)
def test_language_choice(stored: str | None, telegram: str | None, expected: str) -> None:
    assert pick_language(stored, telegram, "uk") == expected
