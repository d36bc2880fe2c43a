"""Translated names of codes: staff roles, request statuses, categories, rejection reasons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from babel.dates import format_timedelta

from flows import categories
from locales import n_
from storage.types import utcnow

Gettext = Callable[[str], str]

STATUS = {
    "new": n_("new"),
    "in_review": n_("in review"),
    "routed": n_("with a provider"),
    "awaiting_resident": n_("waiting for your reply"),
    "answered": n_("answered"),
    "closed": n_("closed"),
    "rejected": n_("rejected"),
}
# Staff read the same states from their side.
STAFF_STATUS = {**STATUS, "awaiting_resident": n_("waiting for the resident")}


ROLE = {
    "moderator": n_("moderator"),
    "provider": n_("provider"),
    "facilitator": n_("facilitator"),
    "admin": n_("administrator"),
}


def role(code: str, _: Gettext) -> str:
    return _(ROLE.get(code, code))


def status(code: str, _: Gettext, *, staff: bool = False) -> str:
    return _((STAFF_STATUS if staff else STATUS).get(code, code))


def category(code: str | None, _: Gettext) -> str:
    if code is not None and categories.is_category(code):
        return _(categories.category_label(code))
    return code or ""


def reject_reason(code: str | None, _: Gettext) -> str:
    if categories.is_reject_reason(code):
        return _(categories.reject_reason_label(str(code)))
    return code or ""


def age(moment: datetime, language: str) -> str:
    """ "3 hours", "2 дні": how long ago, in the reader's language."""
    return str(format_timedelta(utcnow() - moment, locale=language, threshold=1.1))


def ago(moment: datetime, language: str) -> str:
    """ "3 години тому", "5 секунд назад": on its own, as in a list's button (Babel adds the
    direction word in the reader's language)."""
    return str(
        format_timedelta(moment - utcnow(), locale=language, threshold=1.1, add_direction=True)
    )


def duration(span: timedelta, language: str) -> str:
    return str(format_timedelta(span, locale=language, threshold=1.1))
