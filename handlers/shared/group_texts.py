"""How a self-help group reads, and how its notices are written so that a sensitive group is
never named on a lock screen.

**Decision:** a notice about a sensitive group starts with a neutral line ("News from one of
your groups"); the group's name comes only further down, and the message goes with
protect_content (it cannot be forwarded or saved). A phone's lock screen and notification
list show the first line only.
"""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup

from flows.group_topics import TOPICS
from handlers.shared.keyboards import data, keyboard
from handlers.shared.notices import message_params
from locales import Translator
from storage.models import SelfHelpGroup


def title(group: SelfHelpGroup, language: str) -> str:
    return (group.title_ru if language == "ru" else group.title_uk) or group.title_uk


def description(group: SelfHelpGroup, language: str) -> str:
    return (group.description_ru if language == "ru" else group.description_uk) or ""


def topic(group: SelfHelpGroup, t: Translator) -> str:
    return t.gettext(TOPICS.get(group.topic, TOPICS["other"]))


def notice_text(group: SelfHelpGroup, t: Translator, first: str, rest: str) -> str:
    """`first` is the line a lock screen shows: for a sensitive group a neutral line replaces
    it and moves below, after the group's name."""
    name = f"<b>{escape(title(group, t.language))}</b>"
    if group.sensitive:
        return "\n".join([escape(t.gettext("News from one of your groups")), "", name, first, rest])
    return "\n".join([first, name, rest]).strip()


def notice_payload(
    group: SelfHelpGroup, text: str, markup: InlineKeyboardMarkup | None = None
) -> dict[str, Any]:
    params = message_params(text, markup)
    if group.sensitive:
        params["protect_content"] = True
    return {"method": "sendMessage", "params": params}


def request_card(
    group: SelfHelpGroup, t: Translator, user_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    _ = t.gettext
    text = notice_text(
        group,
        t,
        escape(_("A resident asks to join.")),
        escape(_("Approve or decline; they are told either way. The bot does not tell who asks.")),
    )
    markup = keyboard(
        [
            [
                (_("✅ Approve"), data("gf", f"ok:{group.id}:{user_id}")),
                (_("Decline"), data("gf", f"no:{group.id}:{user_id}")),
            ]
        ]
    )
    return text, markup
