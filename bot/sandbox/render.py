"""Messages as the page shows them: safe HTML from Telegram's text and entities.

The page never receives the bot's own HTML.  The local Bot API server keeps what Telegram
keeps, plain text plus entities (UTF-16 offsets), and :func:`entities_html` rebuilds markup
from those with a fixed set of tags, escaping every character of text: nothing the bot or a
person wrote can become markup or script on the page (**sanitised by construction**).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from html import escape
from typing import Any

from bot.botapi.state import StoredMessage

__all__ = ["entities_html", "message_json"]

JSON = dict[str, Any]
_TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "code": ("<code>", "</code>"),
    "pre": ("<pre>", "</pre>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote>", "</blockquote>"),
    "mention": ('<span class="mention">', "</span>"),
    "hashtag": ('<span class="mention">', "</span>"),
    "bot_command": ('<span class="command">', "</span>"),
}
_SAFE_SCHEMES = ("http://", "https://", "tg://", "mailto:")


def _link(url: str) -> tuple[str, str]:
    if not url.lower().startswith(_SAFE_SCHEMES):
        return ('<span class="link">', "</span>")
    href = escape(url, quote=True)
    return (f'<a href="{href}" target="_blank" rel="noopener noreferrer">', "</a>")


def _tags(entity: JSON, text16: bytes) -> tuple[str, str] | None:
    kind = entity.get("type")
    if kind == "text_link":
        return _link(str(entity.get("url", "")))
    if kind == "url":
        start, end = 2 * entity["offset"], 2 * (entity["offset"] + entity["length"])
        return _link(text16[start:end].decode("utf-16-le", "replace"))
    return _TAGS.get(str(kind))


def entities_html(text: str, entities: list[JSON] | None) -> str:
    """``text`` escaped, with each formatting entity as its tag; overlapping entities are
    opened and closed around each piece of text they cover, so the markup always nests."""
    text16 = text.encode("utf-16-le")
    size = len(text16) // 2
    spans = []
    for entity in entities or []:
        tags = _tags(entity, text16)
        start = int(entity.get("offset", 0))
        end = min(size, start + int(entity.get("length", 0)))
        if tags is not None and 0 <= start < end:
            spans.append((start, end, tags))
    spans.sort(key=lambda span: (span[0], -span[1]))
    cuts = sorted({0, size, *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out = []
    for left, right in itertools.pairwise(cuts):
        piece = escape(text16[2 * left : 2 * right].decode("utf-16-le", "replace"), quote=False)
        active = [tags for s, e, tags in spans if s <= left and right <= e]
        out.append("".join(o for o, _ in active) + piece + "".join(c for _, c in reversed(active)))
    return "".join(out)


def _buttons(raw: JSON) -> list[list[JSON]]:
    rows = raw.get("reply_markup", {}).get("inline_keyboard", [])
    result = []
    for row in rows:
        shown = []
        for button in row:
            item: JSON = {"text": str(button.get("text", ""))}
            url = button.get("url")
            if isinstance(url, str) and url.lower().startswith(_SAFE_SCHEMES):
                item["url"] = url
            elif "callback_data" not in button:
                item["disabled"] = True
            shown.append(item)
        result.append(shown)
    return result


def _file_url(file_id: str) -> str:
    return f"/files/{file_id}"


def message_json(stored: StoredMessage, me: int | None) -> JSON:
    """One message of a chat for the page (``me``: whose pane it is; their own messages
    are drawn on the right)."""
    raw = stored.raw
    sender = raw.get("from", {})
    text = raw.get("text")
    caption = raw.get("caption")
    if text is not None:
        html = entities_html(str(text), raw.get("entities"))
    elif caption is not None:
        html = entities_html(str(caption), raw.get("caption_entities"))
    else:
        html = ""
    item: JSON = {
        "id": stored.message_id,
        "from_bot": stored.from_bot,
        "mine": sender.get("id") == me,
        "sender": str(sender.get("first_name", "")),
        "html": html,
        "edited": stored.edited,
        "time": datetime.fromtimestamp(int(raw.get("date", 0)), UTC).isoformat(),
        "buttons": _buttons(raw),
        "keyboard": [list(row) for row in stored.reply_keyboard],
    }
    if raw.get("photo"):
        item["photo"] = _file_url(str(raw["photo"][-1]["file_id"]))
    document = raw.get("document")
    if isinstance(document, dict):
        item["document"] = {
            "name": str(document.get("file_name") or "file"),
            "url": _file_url(str(document["file_id"])),
        }
    for kind in ("sticker", "voice", "contact", "location"):
        if kind in raw:
            item["other"] = kind
    service = [
        k for k in ("new_chat_members", "left_chat_member", "migrate_to_chat_id") if k in raw
    ]
    if service:
        item["service"] = service[0]
    return item
