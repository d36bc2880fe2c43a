"""gettext catalogs (uk, ru) and the small runtime that loads them."""

from locales.runtime import (
    LANGUAGES,
    Translator,
    compile_catalogs,
    format_instant,
    load_translators,
    n_,
    pick_language,
)

__all__ = [
    "LANGUAGES",
    "Translator",
    "compile_catalogs",
    "format_instant",
    "load_translators",
    "n_",
    "pick_language",
]
