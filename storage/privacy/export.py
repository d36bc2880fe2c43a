"""/mydata: everything the sections hold about a person, with each field explained in the
person's language."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from locales import n_
from storage.models import User
from storage.privacy.registry import Person, instant
from storage.privacy.sections import SECTIONS
from storage.types import utcnow

ABOUT = n_(
    'Everything the Hromada bot holds about you, as of the moment in "exported_at" (UTC). '
    'Each section says what it is and why it is kept; "fields" explains every field of its '
    '"data". Nothing about other people is included. /forget erases all of it.'
)


async def export_user(
    session: AsyncSession, user: User, gettext: Callable[[str], str]
) -> dict[str, Any]:
    person = Person(user.id, user.telegram_id, user.language or "uk")
    sections: dict[str, Any] = {}
    for section in SECTIONS:
        sections[section.key] = {
            "about": gettext(section.about),
            "fields": {name: gettext(text) for name, text in section.fields.items()},
            "data": await section.export(session, person),
        }
    return {"about": gettext(ABOUT), "exported_at": instant(utcnow()), "sections": sections}


def as_file(exported: dict[str, Any]) -> bytes:
    """UTF-8 JSON, readable as text (Cyrillic kept, indented)."""
    return json.dumps(exported, ensure_ascii=False, indent=2).encode()
