"""Loading catalogs, choosing a person's language, formatting dates.

Compiled `.mo` files are not kept in git: `compile_catalogs()` writes them next to the
`.po` files whenever they are missing or older, and the bot calls it on start, so there is
no build step to remember.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("uk", "ru")
DOMAIN = "messages"
LOCALES_DIR = Path(__file__).resolve().parent


def n_(message: str) -> str:
    """Mark a string for extraction where it is declared; translate it where it is shown."""
    return message


class Translator:
    """One language's gettext functions; handlers bind `_ = ctx.i18n.gettext`."""

    def __init__(self, language: str, translations: Translations) -> None:
        self.language = language
        self._translations = translations

    def gettext(self, message: str) -> str:
        return str(self._translations.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(self._translations.ngettext(singular, plural, n))


def _po_path(language: str, root: Path) -> Path:
    return root / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalogs(root: Path = LOCALES_DIR) -> list[Path]:
    """Compile each `.po` whose `.mo` is missing or older; return the files written."""
    written = []
    for language in LANGUAGES:
        po = _po_path(language, root)
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=language, domain=DOMAIN)
        tmp = mo.with_suffix(".mo.tmp")
        with tmp.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)
        tmp.replace(mo)  # atomic: a second process never reads half a file
        written.append(mo)
    return written


def load_translators(root: Path = LOCALES_DIR) -> dict[str, Translator]:
    compile_catalogs(root)
    result = {}
    for language in LANGUAGES:
        translations = Translations.load(str(root), [language], DOMAIN)
        if not isinstance(translations, Translations):
            raise RuntimeError(f"no compiled catalog for {language!r} in {root}")
        result[language] = Translator(language, translations)
    return result


def pick_language(stored: str | None, telegram_code: str | None, default: str) -> str:
    """The person's chosen language; on first contact Telegram's, if uk or ru; else default."""
    if stored in LANGUAGES:
        return stored
    guess = (telegram_code or "").split("-", 1)[0].lower()
    return guess if guess in LANGUAGES else default


def format_instant(moment: datetime, language: str, timezone: str, fmt: str = "medium") -> str:
    """A UTC instant as the community reads it: in its time zone, in the person's language."""
    return str(format_datetime(moment, fmt, tzinfo=ZoneInfo(timezone), locale=language))
