"""The sandbox page's message HTML is rebuilt from Telegram's entities, never passed through."""

from __future__ import annotations

from bot.botapi.formatting import parse_html
from bot.sandbox.render import entities_html


def rendered(html: str) -> str:
    parsed = parse_html(html)
    return entities_html(parsed.text, parsed.entities)


def test_formatting_is_rebuilt_with_its_tags() -> None:
    assert rendered("<b>DRU-0001</b> · <i>нове</i>") == "<b>DRU-0001</b> · <i>нове</i>"
    assert rendered("<b>жирний <i>і курсив</i></b>") == "<b>жирний </b><b><i>і курсив</i></b>"
    assert rendered("<code>a&lt;b</code>") == "<code>a&lt;b</code>"


def test_text_that_looks_like_markup_stays_text() -> None:
    text = '<script>alert(1)</script> & <img src=x onerror="x()">'
    assert entities_html(text, None) == (
        '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror="x()"&gt;'
    )


def test_only_safe_links_become_links() -> None:
    safe = entities_html(
        "сайт", [{"type": "text_link", "offset": 0, "length": 4, "url": 'https://x.ua/?a=1&b="2"'}]
    )
    assert safe == (
        '<a href="https://x.ua/?a=1&amp;b=&quot;2&quot;" target="_blank"'
        ' rel="noopener noreferrer">сайт</a>'
    )
    forged = entities_html(
        "тиць", [{"type": "text_link", "offset": 0, "length": 4, "url": "javascript:alert(1)"}]
    )
    assert forged == '<span class="link">тиць</span>'


def test_offsets_count_utf16_units_like_telegram() -> None:
    # the emoji is two UTF-16 units: the bold entity starts after it
    text = "🙂 увага"
    assert entities_html(text, [{"type": "bold", "offset": 3, "length": 5}]) == "🙂 <b>увага</b>"


def test_unknown_or_broken_entities_are_ignored() -> None:
    entities = [
        {"type": "custom_emoji", "offset": 0, "length": 1},
        {"type": "bold", "offset": 10, "length": 5},
        {"type": "italic", "offset": 2, "length": 0},
    ]
    assert entities_html("abc", entities) == "abc"
