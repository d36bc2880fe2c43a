"""How a request looks: the staff card with its buttons, and the resident's thread.

Staff cards never show who the resident is, unless the resident chose to share it for this
request; then only the name and username they had at that moment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from handlers.shared import labels
from handlers.shared.keyboards import Button, data, keyboard
from handlers.shared.names import signature, staff_label
from locales import Translator
from locales.dates import format_when
from storage.models import Community, RequestMessage, ServiceRequest, StaffRole
from storage.repositories import requests, staff
from storage.types import utcnow


@dataclass(frozen=True)
class RequestView:
    """What a card or a thread shows of a request, read once (three queries, whatever the
    number of entries or readers) and rendered in as many languages as needed."""

    request: ServiceRequest
    community: Community
    ref: str
    thread: list[RequestMessage]
    authors: dict[int, StaffRole]  # the staff roles that wrote entries of the thread

    @property
    def photos(self) -> int:
        return sum(len(m.photos) for m in self.thread)


async def load_view(
    db: AsyncSession, request: ServiceRequest, *, include_notes: bool
) -> RequestView:
    community = await db.get(Community, request.community_id)
    assert community is not None
    thread = await requests.thread(db, request.id, include_notes=include_notes)
    authors = await staff.roles_by_id(db, {m.author_role_id for m in thread if m.author_role_id})
    ref = requests.reference(community.code, request.number)
    return RequestView(request, community, ref, thread, authors)


def staff_card_of(
    view: RequestView, viewer: str, t: Translator, *, extra: str = "", for_group: bool = False
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The card and the buttons that fit the viewer's role ("moderator" or "provider").

    `for_group`: the card of a staff chat, which anyone in the group reads: never the
    resident's shared name (only that there is one, in the private card), and a button to
    open the card privately."""
    names = {role_id: staff_label(role, t) for role_id, role in view.authors.items()}
    text = staff_card(
        view.request,
        view.ref,
        view.thread,
        names,
        t,
        zone=view.community.timezone,
        extra=extra,
        hide_contact=for_group,
    )
    if viewer != "moderator":
        return text, provider_buttons(view.request, view.photos, t)
    return text, moderator_buttons(view.request, view.photos, t, for_group=for_group)


def resident_thread_of(view: RequestView, t: Translator) -> str:
    """The thread as the resident reads it (load the view without notes)."""
    names = {rid: signature(role, view.community, t) for rid, role in view.authors.items()}
    return resident_thread(
        view.request, view.ref, view.thread, names, t, zone=view.community.timezone
    )


def headline(ref: str, category: str, status: str) -> str:
    return f"<b>{escape(ref)}</b> · {escape(category)} · {escape(status)}"


def staff_card(
    request: ServiceRequest,
    ref: str,
    thread: list[RequestMessage],
    signatures: dict[int, str],
    t: Translator,
    *,
    zone: str,
    extra: str = "",
    hide_contact: bool = False,
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
    lines.append(
        _("Received: {when} ({age} ago)").format(
            when=format_when(request.created_at, t.language, zone, now=utcnow()),
            age=labels.age(request.created_at, t.language),
        )
    )
    photos = sum(len(m.photos) for m in thread)
    if photos:
        lines.append(t.ngettext("📷 {n} photo", "📷 {n} photos", photos).format(n=photos))
    if (request.contact_name or request.contact_username) and hide_contact:
        lines.append(_("👤 Contact shared: it is shown in the private card only"))
    elif request.contact_name or request.contact_username:
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
    *,
    zone: str,
) -> str:
    """The resident's view: their messages and the answers, signed by organisation, and
    when it was sent (in the community's time, the zone named)."""
    _ = t.gettext

    def who(message: RequestMessage) -> str:
        if message.kind in ("question", "reply"):
            return _("You")
        if message.kind == "rejection":
            return _("Comment")
        return signatures.get(message.author_role_id or 0, _("Working group"))

    head = headline(ref, labels.category(request.category, _), labels.status(request.status, _))
    sent = _("Sent: {when}").format(
        when=format_when(request.created_at, t.language, zone, now=utcnow())
    )
    return budgeted(f"{head}\n{escape(sent)}", messages, who)


ROUTABLE = ("new", "in_review", "routed")  # as `requests.route` allows
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


def moderator_buttons(
    request: ServiceRequest, photos: int, t: Translator, *, for_group: bool = False
) -> InlineKeyboardMarkup | None:
    """The buttons of what the request's state still allows (as `storage.repositories.
    requests` checks it), so a card never offers what would only be refused."""
    _ = t.gettext
    rid, status = request.id, request.status
    is_open = status in requests.OPEN
    rows: list[list[Button]] = []
    if is_open and request.claimed_by_role_id is None:
        rows.append([(_("Claim"), data("st", f"claim:{rid}"))])
    rows.append(
        _only(status in ROUTABLE, (_("Route to provider"), data("st", f"route:{rid}")))
        + _only(is_open, (_("Answer"), data("st", f"answer:{rid}")))
    )
    rows.append(
        _only(is_open, (_("Ask resident for more"), data("st", f"more:{rid}")))
        + _only(True, (_("Internal note"), data("st", f"note:{rid}")))
    )
    rows.append(
        _only(is_open, (_("Reject"), data("st", f"reject:{rid}")))
        + _only(is_open or status == "answered", (_("Close"), data("st", f"close:{rid}")))
    )
    if photos:
        rows.append([(_("Show photos"), data("st", f"photos:{rid}"))])
    if for_group:
        rows.append([(_("Open in my private chat"), data("st", f"open:{rid}"))])
    return _markup(rows)


def _markup(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """The keyboard, or None when nothing is left to press (an edit then removes it)."""
    rows = [row for row in rows if row]
    return keyboard(rows) if rows else None


def _only(condition: bool, button: Button) -> list[Button]:
    return [button] if condition else []


def provider_buttons(
    request: ServiceRequest, photos: int, t: Translator
) -> InlineKeyboardMarkup | None:
    _ = t.gettext
    rid = request.id
    rows: list[list[Button]] = []
    if request.status in requests.OPEN:
        rows.append(
            [
                (_("Answer"), data("st", f"answer:{rid}")),
                (_("Ask resident for more"), data("st", f"more:{rid}")),
            ]
        )
    if photos:
        rows.append([(_("Show photos"), data("st", f"photos:{rid}"))])
    return _markup(rows)
