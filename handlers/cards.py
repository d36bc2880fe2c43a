"""How a request looks: the staff card with its buttons, and the resident's thread.

Staff cards never show who the resident is, unless the resident chose to share it for this
request; then only the name and username they had at that moment.
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup

from handlers import labels
from handlers.keyboards import Button, data, keyboard
from locales import Translator
from storage.models import RequestMessage, ServiceRequest, StaffRole

CARD_TEXT_LIMIT = 2500  # a card quotes the question; the full text is in the thread


def org_name(role: StaffRole | None, community_name: str, t: Translator) -> str:
    """How staff sign: their organisation, never their own name."""
    if role is not None and role.role == "provider":
        name = role.org_name_ru if t.language == "ru" else role.org_name_uk
        if name:
            return name
    return t.gettext("Working group of {community}").format(community=community_name)


def headline(ref: str, category: str, status: str) -> str:
    return f"<b>{escape(ref)}</b> · {escape(category)} · {escape(status)}"


def staff_card(
    request: ServiceRequest,
    ref: str,
    question: RequestMessage | None,
    t: Translator,
    *,
    extra: str = "",
) -> str:
    _ = t.gettext
    lines = [
        headline(
            ref, labels.category(request.category, _), labels.status(request.status, _, staff=True)
        )
    ]
    if request.urgent:
        lines.append(_("⚠️ Mentions immediate danger"))
    lines.append(_("Received {age} ago").format(age=labels.age(request.created_at, t.language)))
    text = question.text if question else ""
    if len(text) > CARD_TEXT_LIMIT:
        text = text[:CARD_TEXT_LIMIT] + "…"
    lines += ["", escape(text)]
    photos = len(question.photos) if question else 0
    if photos:
        lines.append(t.ngettext("📷 {n} photo", "📷 {n} photos", photos).format(n=photos))
    if request.contact_name or request.contact_username:
        who = escape(request.contact_name or "")
        if request.contact_username:
            who += f" (@{escape(request.contact_username)})"
        lines.append(_("👤 Shared contact: {who}").format(who=who.strip()))
    else:
        lines.append(_("👤 Anonymous"))
    if extra:
        lines += ["", extra]
    return "\n".join(lines)


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


THREAD_BUDGET = 3600  # characters of text a thread shows; Telegram's limit is 4096


def resident_thread(
    request: ServiceRequest,
    ref: str,
    messages: list[RequestMessage],
    signatures: dict[int, str],
    t: Translator,
) -> str:
    """The resident's view: their messages and the answers, signed by organisation.

    Long threads keep the question and the newest messages; texts are cut *before* they are
    escaped, so the HTML stays whole.
    """
    _ = t.gettext

    def who(message: RequestMessage) -> str:
        if message.kind in ("question", "reply"):
            return _("You")
        if message.kind == "rejection":
            return _("Comment")
        return signatures.get(message.author_role_id or 0, _("Working group"))

    def entry(message: RequestMessage, limit: int) -> str:
        text = message.text if len(message.text) <= limit else message.text[:limit] + "…"
        return f"<b>{escape(who(message))}:</b> {escape(text)}"

    head = headline(ref, labels.category(request.category, _), labels.status(request.status, _))
    if not messages:
        return head
    budget = THREAD_BUDGET
    first = entry(messages[0], min(len(messages[0].text), budget // 2))
    budget -= len(messages[0].text[: budget // 2])
    newest: list[str] = []
    for message in reversed(messages[1:]):
        if budget <= 0:
            newest.append("…")
            break
        newest.append(entry(message, budget))
        budget -= len(message.text)
    return "\n\n".join([head, first, *reversed(newest)])
