"""Entity parsing the way Telegram does it for ``parse_mode=HTML``.

:func:`parse_formatted` turns a ``text``/``caption`` plus ``parse_mode``/``entities`` into the
plain text a person sees and the list of ``MessageEntity`` dicts (offsets and lengths in UTF-16
code units).  Malformed markup raises :class:`EntityParseError`, whose message is the part that
follows ``"Bad Request: "`` in Telegram's answer (``"can't parse entities: ..."``).

Supported tags: ``b strong i em u ins s strike del span class="tg-spoiler" tg-spoiler a href
code pre blockquote [expandable] tg-emoji emoji-id tg-time``.  Only ``&lt; &gt; &amp; &quot;``
and numeric entities are decoded.  Deliberately stricter than Telegram: an ``&`` that starts no
valid entity is an error (Telegram would show it verbatim), so the bot always escapes user text.
A bare ``>`` is accepted, as Telegram does.  ``MarkdownV2``/``Markdown`` are rejected because the
bot does not use them and this server cannot check them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EntityParseError", "ParsedText", "parse_formatted", "parse_html", "utf16_len"]

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_SPECIAL_TAGS = {"span", "a", "blockquote", "tg-emoji", "tg-time"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{1,8}));")
_NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTR_RE = re.compile(
    r"\s*([a-zA-Z][a-zA-Z0-9_-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?"
)


class EntityParseError(ValueError):
    """The text cannot be parsed; ``str(exc)`` is Telegram's description minus "Bad Request: "."""


@dataclass
class ParsedText:
    """Text as the recipient sees it, with its formatting entities."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Open:
    name: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset in the output
    language: str | None = None


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (Telegram's unit for entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def _fail(src: str, pos: int, message: str) -> EntityParseError:
    offset = len(src[:pos].encode("utf-8"))
    return EntityParseError(f"can't parse entities: {message} at byte offset {offset}")


def _decode_entity(src: str, pos: int) -> tuple[str, int] | None:
    """Decode the entity starting at ``src[pos] == "&"``; return (char, end) or None."""
    match = _ENTITY_RE.match(src, pos)
    if match is None:
        return None
    dec, hexa, name = match.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        return (char, match.end()) if char is not None else None
    code = int(dec) if dec is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _decode_attr(src: str, value: str, pos: int) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&":
            decoded = _decode_entity(value, i)
            if decoded is None:
                raise _fail(src, pos, 'Unsupported HTML entity in attribute value (escape "&")')
            out.append(decoded[0])
            i = decoded[1]
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _parse_start_tag(src: str, pos: int) -> tuple[_Open, int]:
    """Parse ``<name attr=...>`` at ``pos``; return the tag and the index after ``>``."""
    name_match = _NAME_RE.match(src, pos + 1)
    if name_match is None:
        snippet = src[pos + 1 : pos + 11]
        raise _fail(src, pos, f'Unsupported start tag "{snippet}"')
    name = name_match.group(0).lower()
    if name not in _SIMPLE_TAGS and name not in _SPECIAL_TAGS:
        raise _fail(src, pos, f'Unsupported start tag "{name}"')
    attrs: dict[str, str] = {}
    i = name_match.end()
    while True:
        while i < len(src) and src[i].isspace():
            i += 1
        if i >= len(src):
            raise _fail(src, pos, f'Unclosed start tag "{name}"')
        if src[i] == ">":
            return _Open(name=name, attrs=attrs, start=0), i + 1
        attr = _ATTR_RE.match(src, i)
        if attr is None or attr.end() == i:
            raise _fail(src, i, f'Malformed attribute in the tag "{name}"')
        value = next((v for v in attr.groups()[1:] if v is not None), "")
        attrs[attr.group(1).lower()] = _decode_attr(src, value, i)
        i = attr.end()


def _entity_for(tag: _Open, end: int, src: str, pos: int) -> dict[str, Any] | None:
    """The MessageEntity dict produced by closing ``tag`` at UTF-16 offset ``end``."""
    entity: dict[str, Any] = {"offset": tag.start, "length": end - tag.start}
    if tag.name in _SIMPLE_TAGS:
        entity["type"] = _SIMPLE_TAGS[tag.name]
        if tag.name == "pre" and tag.language:
            entity["language"] = tag.language
    elif tag.name == "span":
        if tag.attrs.get("class") != "tg-spoiler":
            raise _fail(src, pos, 'Tag "span" must have class "tg-spoiler"')
        entity["type"] = "spoiler"
    elif tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return None
        entity.update(type="text_link", url=href)
    elif tag.name == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
    elif tag.name == "tg-emoji":
        if not tag.attrs.get("emoji-id"):
            raise _fail(src, pos, 'Tag "tg-emoji" must have attribute "emoji-id"')
        entity.update(type="custom_emoji", custom_emoji_id=tag.attrs["emoji-id"])
    else:  # tg-time
        if not tag.attrs.get("unix", "").isdigit():
            raise _fail(src, pos, 'Tag "tg-time" must have a numeric attribute "unix"')
        entity.update(type="date_time", unix_time=int(tag.attrs["unix"]))
        if tag.attrs.get("format"):
            entity["date_time_format"] = tag.attrs["format"]
    return entity if entity["length"] > 0 else None


def parse_html(src: str) -> ParsedText:
    """Parse Telegram-HTML ``src``; raise :class:`EntityParseError` on malformed markup."""
    out: list[str] = []
    out_len = 0
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(src):
        char = src[i]
        if char == "&":
            decoded = _decode_entity(src, i)
            if decoded is None:
                raise _fail(src, i, 'Character "&" starts no valid HTML entity (use &amp;)')
            out.append(decoded[0])
            out_len += utf16_len(decoded[0])
            i = decoded[1]
        elif char == "<" and src.startswith("</", i):
            close = src.find(">", i)
            if close < 0:
                raise _fail(src, i, "Unclosed end tag")
            name = src[i + 2 : close].strip().lower()
            if not stack:
                raise _fail(src, i, f'Unexpected end tag "</{name}>"')
            if name != stack[-1].name:
                expected = stack[-1].name
                raise _fail(
                    src, i, f'Unmatched end tag, expected "</{expected}>", found "</{name}>"'
                )
            tag = stack.pop()
            language = tag.attrs.get("class", "")
            if tag.name == "code" and stack and stack[-1].name == "pre" and language:
                if language.startswith("language-"):
                    stack[-1].language = language.removeprefix("language-")
            else:
                entity = _entity_for(tag, out_len, src, i)
                if entity is not None:
                    entities.append(entity)
            i = close + 1
        elif char == "<":
            tag, i_next = _parse_start_tag(src, i)
            tag.start = out_len
            stack.append(tag)
            i = i_next
        else:
            out.append(char)
            out_len += utf16_len(char)
            i += 1
    if stack:
        name = stack[-1].name
        raise EntityParseError(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{name}\""
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return _trim(ParsedText("".join(out), entities))


def _trim(parsed: ParsedText) -> ParsedText:
    """Strip surrounding whitespace like Telegram does, shifting and clipping entities."""
    text = parsed.text.strip()
    if text == parsed.text:
        return parsed
    lead = utf16_len(parsed.text) - utf16_len(parsed.text.lstrip())
    total = utf16_len(text)
    entities: list[dict[str, Any]] = []
    for entity in parsed.entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return ParsedText(text, entities)


def parse_formatted(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> ParsedText:
    """What a person sees for ``text`` sent with ``parse_mode`` or explicit ``entities``."""
    if entities:
        return ParsedText(text, list(entities))
    mode = (parse_mode or "").lower()
    if not mode:
        return ParsedText(text.strip())
    if mode == "html":
        return parse_html(text)
    if mode in ("markdown", "markdownv2"):
        raise EntityParseError(f"parse_mode {parse_mode} is not supported by the test server")
    raise EntityParseError(f"unsupported parse_mode {parse_mode!r}")
