"""The sandbox page's own words, in the page's language (Ukrainian unless chosen otherwise).

They go through the project's catalogs like every other string (``_()`` here, Babel
extracts them); the page fetches them once from ``GET /api/strings?language=uk|ru|en``.
Placeholders in braces are filled by the page's script.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["PAGE_LANGUAGES", "page_strings"]

PAGE_LANGUAGES = ("uk", "ru", "en")


def page_strings(_: Callable[[str], str]) -> dict[str, str]:
    """Every text the page shows itself (the chats are the bot's own words)."""
    return {
        "title": _("Hromada bot: offline sandbox"),
        "badge": _("offline sandbox"),
        "page_language": _("Page language"),
        "clock_label": _("Bot time"),
        "hour": _("+1 hour"),
        "day": _("+1 day"),
        "reminder": _("To the next reminder"),
        "add_form": _("Add a resident"),
        "add_label": _("New resident"),
        "name": _("Name"),
        "language": _("Language"),
        "add": _("Add"),
        "reset": _("Reset…"),
        "reset_question": _("Wipe the sandbox's database and chats?"),
        "reset_yes": _("Wipe and start again"),
        "starting": _("Starting…"),
        "ready": _("Ready."),
        "wiping": _("Wiping the sandbox…"),
        "lost": _("Lost the sandbox; trying again…"),
        "failed": _("The sandbox could not start; see the terminal."),
        "chats": _("Chats"),
        "side_by_side": _("Chats side by side"),
        "messages_in": _("Messages in {chat}"),
        "message_from": _("Message from {chat}"),
        "message": _("Message"),
        "send": _("Send"),
        "photo": _("Photo"),
        "photo_from": _("Send a photo from {chat}"),
        "write_as": _("Write as"),
        "keyboard": _("Keyboard buttons"),
        "buttons": _("Buttons of this message"),
        "bot": _("Bot"),
        "you": _("You"),
        "edited": _("edited"),
        "photo_of": _("Photo from {sender}"),
        "alert": _("Message from the bot"),
        "ok": _("OK"),
        "violations": _("The bot broke the Bot API spec:"),
        "kyiv": _("{time} (Kyiv time)"),
        "ahead": _("{hours} h ahead of this computer"),
        "moved_to": _("Clock moved to {time}."),
        "moved_by": _("Clock moved: {step}."),
        "no_reminder": _("Clock not moved: no reminder is coming."),
        "not_done": _("Not done: {reason}"),
        "role_resident": _("a resident"),
        "role_moderator": _("a moderator"),
        "role_provider": _("a provider"),
        "role_facilitator": _("a facilitator"),
        "role_group": _("a group chat"),
    }
