"""The emergency numbers as residents read them: on the safety screen, after words of
danger, in /help and with a rejection "referred to emergency services"."""

from __future__ import annotations

from flows.safety import EMERGENCY_NUMBERS
from handlers.shared.labels import Gettext


def emergency_text(_: Gettext) -> str:
    lines = [_("<b>In immediate danger call:</b>")]
    lines += [f"{number} {_(label)}" for number, label in EMERGENCY_NUMBERS]
    return "\n".join(lines) + "\n\n" + _("This bot is not an emergency service.")
