"""How a request looks: the staff card with its buttons, and the resident's thread.

Staff cards never show who the resident is, unless the resident chose to share it for this
request; then only the name and username they had at that moment.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from telegram import InlineKeyboardMarkup

from handlers.shared import labels
from handlers.shared.keyboards import Button, data, keyboard
from locales import Translator
from storage.models import RequestMessage, ServiceRequest, StaffRole


def organisation(role: StaffRole, language: str) -> str | None:
    """The organisation's name in `language` (providers have one in uk and ru)."""
    return role.org_name_ru if language == "ru" else role.org_name_uk


def org_name(role: StaffRole | None, community_name: str, t: Translator) -> str:
    """How staff sign for residents: their organisation, never their own name."""
    if role is not None and role.role == "provider":
        name = organisation(role, t.language)
        if name:
            return name
    return t.gettext("Working group of {community}").format(community=community_name)


def headline(ref: str, category: str, status: str) -> str:
    return f"<b>{escape(ref)}</b> · {escape(category)} · {escape(status)}"


def staff_card(
    request: ServiceRequest,
    ref: str,
    thread: list[RequestMessage],
    signatures: dict[int, str],
    t: Translator,
    *,
    extra: str = "",
) -> str:
    """A request as staff see it: the question, then the newest entries of its thread
    (the resident's replies, answers, questions back, internal notes)."""
    _ = t.gettext
    lines = [
        headline(
            ref, labels.category(request.category, _), labels.status(request.status, _, staff=True)
        )
    ]
    if request.urgent:
        lines.append(_("⚠️ Mentions immediate danger"))
    lines.append(_("Received {age} ago").format(age=labels.age(request.created_at, t.language)))
    photos = sum(len(m.photos) for m in thread)
    if photos:
        lines.append(t.ngettext("📷 {n} photo", "📷 {n} photos", photos).format(n=photos))
    if request.contact_name or request.contact_username:
        contact = escape(request.contact_name or "")
        if request.contact_username:
            contact += f" (@{escape(request.contact_username)})"
        lines.append(_("👤 Shared contact: {who}").format(who=contact.strip()))
    else:
        lines.append(_("👤 Anonymous"))
    if extra:
        lines.append(extra)

    def author(message: RequestMessage) -> str:
        if message.kind in ("question", "reply"):
            return _("Resident")
        label = signatures.get(message.author_role_id or 0, _("Working group"))
        return _("🔒 Note, {who}").format(who=label) if message.kind == "note" else label

    return budgeted("\n".join(lines), thread, author)


def resident_thread(
    request: ServiceRequest,
    ref: str,
    messages: list[RequestMessage],
    signatures: dict[int, str],
    t: Translator,
) -> str:
    """The resident's view: their messages and the answers, signed by organisation."""
    _ = t.gettext

    def who(message: RequestMessage) -> str:
        if message.kind in ("question", "reply"):
            return _("You")
        if message.kind == "rejection":
            return _("Comment")
        return signatures.get(message.author_role_id or 0, _("Working group"))

    head = headline(ref, labels.category(request.category, _), labels.status(request.status, _))
    return budgeted(head, messages, who)


THREAD_BUDGET = 3800  # rendered characters; Telegram's limit is 4096 after parsing


def budgeted(
    head: str, messages: list[RequestMessage], who: Callable[[RequestMessage], str]
) -> str:
    """`head`, the first message (the question) and as many of the newest as fit.

    Texts are cut *before* they are escaped, so the HTML stays whole, and the budget counts
    what is shown (labels included), so the message always fits Telegram's limit.
    """

    def entry(message: RequestMessage, room: int) -> str:
        label = f"<b>{escape(who(message))}:</b> "
        visible = len(who(message)) + 2
        text = message.text
        if visible + len(text) > room:
            text = text[: max(0, room - visible - 1)] + "…"
        return label + escape(text)

    def shown(rendered: str, message: RequestMessage) -> int:
        return len(who(message)) + 2 + min(len(message.text), len(rendered))

    budget = THREAD_BUDGET - len(head)
    if not messages:
        return head
    first = entry(messages[0], min(budget // 2, 2200))
    budget -= shown(first, messages[0]) + 2
    newest: list[str] = []
    for message in reversed(messages[1:]):
        if budget < 40:
            newest.append("…")
            break
        rendered = entry(message, budget)
        newest.append(rendered)
        budget -= shown(rendered, message) + 2
    return "\n\n".join([head, first, *reversed(newest)])


def moderator_buttons(request: ServiceRequest, photos: int, t: Translator) -> InlineKeyboardMarkup:
    _ = t.gettext
    rid = request.id
    rows: list[list[Button]] = []
    if request.claimed_by_role_id is None:
        rows.append([(_("Claim"), data("st", f"claim:{rid}"))])
    rows += [
        [
            (_("Route to provider"), data("st", f"route:{rid}")),
            (_("Answer"), data("st", f"answer:{rid}")),
        ],
        [
            (_("Ask resident for more"), data("st", f"more:{rid}")),
            (_("Internal note"), data("st", f"note:{rid}")),
        ],
        [(_("Reject"), data("st", f"reject:{rid}")), (_("Close"), data("st", f"close:{rid}"))],
    ]
    if photos:
        rows.append([(_("Show photos"), data("st", f"photos:{rid}"))])
    return keyboard(rows)


def provider_buttons(request: ServiceRequest, photos: int, t: Translator) -> InlineKeyboardMarkup:
    _ = t.gettext
    rid = request.id
    rows: list[list[Button]] = [
        [
            (_("Answer"), data("st", f"answer:{rid}")),
            (_("Ask resident for more"), data("st", f"more:{rid}")),
        ]
    ]
    if photos:
        rows.append([(_("Show photos"), data("st", f"photos:{rid}"))])
    return keyboard(rows)
