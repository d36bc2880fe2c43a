"""Request categories and the reasons staff may give for rejecting a request.

Codes are stored in the database and in button data; labels are English msgids marked with
`n_()`, translated where they are shown (`_(category_label(code))`). The order of
`CATEGORIES` is the order of the buttons.
"""

from __future__ import annotations

from locales import n_

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("police", n_("Police")),
    ("social", n_("Social protection")),
    ("health", n_("Health care")),
    ("education", n_("Education")),
    ("culture", n_("Culture")),
    ("administration", n_("Local administration")),
    ("housing", n_("Housing and utilities")),
    ("legal", n_("Legal aid")),
    ("psychological", n_("Psychological support")),
    ("humanitarian", n_("Humanitarian aid")),
    ("other", n_("Other")),
)
CATEGORY_CODES: tuple[str, ...] = tuple(code for code, _label in CATEGORIES)
_CATEGORY_LABELS = dict(CATEGORIES)

REJECT_REASONS: tuple[tuple[str, str], ...] = (
    ("spam", n_("Spam")),
    ("duplicate", n_("Duplicate of another request")),
    ("out_of_scope", n_("Out of scope")),
    # Only a reason: the resident is shown the numbers, nobody is called for them.
    ("emergency", n_("A matter for the emergency services")),
)
REJECT_REASON_CODES: tuple[str, ...] = tuple(code for code, _label in REJECT_REASONS)
_REJECT_LABELS = dict(REJECT_REASONS)


def is_category(code: object) -> bool:
    """Whether `code` (from button data, so anything) names a category."""
    return isinstance(code, str) and code in _CATEGORY_LABELS


def category_label(code: str) -> str:
    """The untranslated label of a category; KeyError for an unknown code."""
    return _CATEGORY_LABELS[code]


def is_reject_reason(code: object) -> bool:
    """Whether `code` (from button data, so anything) names a reject reason."""
    return isinstance(code, str) and code in _REJECT_LABELS


def reject_reason_label(code: str) -> str:
    """The untranslated label of a reject reason; KeyError for an unknown code."""
    return _REJECT_LABELS[code]
