"""Who hears of each change of a request, and what they read.

One entry point, `announce(ctx, request, news)`, for every life-cycle event that someone
other than the actor must hear of. Each becomes outbox rows in the update's transaction,
written in the *recipient's* language and sent by the dispatcher after the commit:

| news            | told                                                                  |
|-----------------|-----------------------------------------------------------------------|
| `NewRequest`    | the community's staff chat (one card, default language); without one, |
|                 | each moderator privately                                              |
| `Routed`        | the providers of the organisation it was routed to                    |
| `ResidentWrote` | the staff member who asked, if still staff; else the organisation it  |
|                 | is routed to; else the moderators (a card marked "replied"/"reopened") |
| `StaffWrote`, `Rejected`, `Closed` | the resident                                       |

After every news but `NewRequest` the request's staff-chat card, if it has one, is edited
to show the request as it is now (`handlers/shared/staff_chat.py`); so is it after a claim
or a note (`staff_chat.refresh_card`), which tell nobody.

Reads are fixed, whatever the number of recipients: the request's view (community, thread,
authors) once, the recipients' people in one query; a staff card is rendered once per
language and role. A recipient who cannot be told (blocked the bot, erased their data) or
a news nobody is configured to hear (no moderator, no provider, no staff chat) is recorded
in `skipped_notices` (`python -m bot outbox skipped`) instead of vanishing.

Dedup keys: `req:<id>:<news>:<latest event id>[:<chat id>]`, so a news is written once
per change and chat, whatever retries happen; a card's edit `req:<id>:card:<event>:<chat>`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from html import escape

from telegram import InlineKeyboardMarkup

from handlers.core.context import HromadaContext
from handlers.shared import labels, staff_chat
from handlers.shared.cards import RequestView, load_view, staff_card_of
from handlers.shared.emergency import emergency_text
from handlers.shared.keyboards import data, keyboard
from handlers.shared.names import signature
from handlers.shared.notices import Notices
from locales import Translator, n_
from storage.models import Community, ServiceRequest, StaffRole, User
from storage.repositories import requests, skipped, staff
from storage.repositories.users import users_by_id


class NewsKind(StrEnum):
    NEW = "new"
    ROUTED = "routed"
    REPLY = "reply"
    REOPENED = "reopened"
    ANSWER = "answer"
    ASK = "ask"
    REJECTED = "rejected"
    CLOSED = "closed"


@dataclass(frozen=True)
class NewRequest:
    kind = NewsKind.NEW


@dataclass(frozen=True)
class Routed:
    provider: StaffRole
    kind = NewsKind.ROUTED


@dataclass(frozen=True)
class ResidentWrote:
    asked_by: StaffRole | None  # who waited for the reply (None: nobody, or a reopening)
    reopened: bool = False

    @property
    def kind(self) -> NewsKind:
        return NewsKind.REOPENED if self.reopened else NewsKind.REPLY


@dataclass(frozen=True)
class StaffWrote:
    """An answer, or (`asks`) a question back to the resident, signed by `by`'s organisation."""

    by: StaffRole
    text: str
    asks: bool = False

    @property
    def kind(self) -> NewsKind:
        return NewsKind.ASK if self.asks else NewsKind.ANSWER


@dataclass(frozen=True)
class Rejected:
    reason: str
    comment: str
    kind = NewsKind.REJECTED


@dataclass(frozen=True)
class Closed:
    kind = NewsKind.CLOSED


StaffNews = NewRequest | Routed | ResidentWrote
ResidentNews = StaffWrote | Rejected | Closed
News = StaffNews | ResidentNews

# The line a card carries to say why it comes again.
CARD_EXTRA = {
    NewsKind.REPLY: n_("💬 The resident replied."),
    NewsKind.REOPENED: n_("🔁 The resident reopened the request."),
}


async def announce(ctx: HromadaContext, request: ServiceRequest, news: News) -> None:
    """Write the outbox rows (and skipped recipients) of `news` about `request`, and bring
    its staff-chat card up to date. Call it after the change it tells of (the last one of
    the update: the card is rendered from the request as it is now)."""
    await announce_with(Notices.of(ctx), request, news)


async def announce_with(n: Notices, request: ServiceRequest, news: News) -> None:
    """`announce` where no person acts (the staff chat's life cycle)."""
    event = await requests.last_event_id(n.db, request.id)
    if isinstance(news, (StaffWrote, Rejected, Closed)):
        await _tell_resident(n, request, news, event)
        await staff_chat.refresh_card(n, request)
        return
    view = await load_view(n.db, request, include_notes=True)
    if isinstance(news, NewRequest):
        chat_id = await staff.staff_chat_of(n.db, request.community_id)
        if chat_id is not None:
            await staff_chat.send_card(n, view, chat_id, key=f"req:{request.id}:new:{chat_id}")
            return
    roles = await _staff_to_tell(n, request, news)
    await _tell_staff(n, view, roles, news.kind, event)
    if not isinstance(news, NewRequest):
        await staff_chat.refresh_card(n, request, view)


async def tell_moderators_of_new(n: Notices, request: ServiceRequest) -> None:
    """Each moderator privately, as if there were no staff chat (its card was lost)."""
    view = await load_view(n.db, request, include_notes=True)
    roles = await staff.moderators(n.db, request.community_id)
    event = await requests.last_event_id(n.db, request.id)
    await _tell_staff(n, view, roles, NewsKind.NEW, event)


async def _staff_to_tell(n: Notices, request: ServiceRequest, news: StaffNews) -> list[StaffRole]:
    if isinstance(news, NewRequest):
        return await staff.moderators(n.db, request.community_id)
    if isinstance(news, Routed):
        return await staff.colleagues(n.db, news.provider)
    if news.asked_by is not None and news.asked_by.revoked_at is None:
        return [news.asked_by]
    roles: list[StaffRole] = []
    if request.routed_role_id:
        routed = await n.db.get(StaffRole, request.routed_role_id)
        roles = await staff.colleagues(n.db, routed) if routed else []
    return roles or await staff.moderators(n.db, request.community_id)


async def _tell_staff(
    n: Notices, view: RequestView, roles: list[StaffRole], kind: NewsKind, event: int
) -> None:
    request = view.request
    if not roles:
        skipped.record(n.db, request_id=request.id, news=kind, reason=skipped.NO_RECIPIENT)
        return
    people = await users_by_id(n.db, {role.user_id for role in roles})
    rendered: dict[tuple[str, str], tuple[str, InlineKeyboardMarkup | None]] = {}
    told: set[int] = set()
    for role in roles:
        user = people.get(role.user_id)
        if user is None or user.telegram_id in told:
            continue
        if not user.is_reachable:
            skipped.record(
                n.db,
                request_id=request.id,
                news=kind,
                reason=skipped.UNREACHABLE,
                user_id=user.id,
                role_id=role.id,
            )
            continue
        told.add(user.telegram_id)
        t = n.translator_for(user)
        if (t.language, role.role) not in rendered:
            extra = CARD_EXTRA.get(kind)
            rendered[(t.language, role.role)] = staff_card_of(
                view, role.role, t, extra=t.gettext(extra) if extra else ""
            )
        text, markup = rendered[(t.language, role.role)]
        chat_id = user.telegram_id
        await n.send(chat_id, text, markup, key=f"req:{request.id}:{kind}:{event}:{chat_id}")


async def _tell_resident(
    n: Notices, request: ServiceRequest, news: ResidentNews, event: int
) -> None:
    user = await n.db.get(User, request.author_id) if request.author_id else None
    if user is None or not user.is_reachable:
        reason = skipped.ERASED if user is None else skipped.UNREACHABLE
        skipped.record(
            n.db,
            request_id=request.id,
            news=news.kind,
            reason=reason,
            user_id=user.id if user else None,
        )
        return
    community = await n.db.get(Community, request.community_id)
    assert community is not None
    t = n.translator_for(user)
    ref = requests.reference(community.code, request.number)
    text, markup = resident_message(news, request, ref, community, t, event)
    await n.send(user.telegram_id, text, markup, key=f"req:{request.id}:{news.kind}:{event}")


def resident_message(
    news: ResidentNews,
    request: ServiceRequest,
    ref: str,
    community: Community,
    t: Translator,
    event: int,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message `news` gives the resident, in `t`'s language (also the staff answer's
    preview). `event` (the answer's own audit event) goes into the answer's buttons, so that once
    a newer answer came they change nothing (`handlers/resident/my_requests.py`)."""
    _ = t.gettext
    rid = request.id
    if isinstance(news, StaffWrote) and not news.asks:
        org = escape(signature(news.by, community, t))
        # The organisation's name stands on its own (it is in the nominative; "від {org}"
        # would need the genitive).
        body = _("<b>Answer to your request {ref}</b> — {org}:").format(ref=ref, org=org)
        body += "\n\n" + escape(news.text) + "\n\n" + _("Did this help?")
        rows = [
            [
                (_("Yes, it helped"), data("rs", f"yes:{rid}:{event}")),
                (_("No"), data("rs", f"no:{rid}:{event}")),
            ],
            [
                (_("Ask again"), data("rs", f"reopen:{rid}:{event}")),
                (_("Close request"), data("rs", f"close:{rid}:{event}")),
            ],
        ]
        return body, keyboard(rows)
    if isinstance(news, StaffWrote):
        org = escape(signature(news.by, community, t))
        body = _("<b>{org}</b> asks for more information about your request {ref}:").format(
            org=org, ref=ref
        )
        body += "\n\n" + escape(news.text) + "\n\n"
        body += _("Write your reply as a message here, or press Reply.")
        return body, keyboard([[(_("Reply"), data("rs", f"reply:{rid}"))]])
    if isinstance(news, Rejected) and news.reason == "emergency":
        # Said as it is: the working group closed it and showed the numbers; nobody called
        # anyone on the resident's behalf.
        body = _(
            "Your request {ref} was closed by the working group: it is a matter for the "
            "emergency services. The bot does not call them for you: please call them "
            "yourself."
        ).format(ref=ref)
        if news.comment:
            body += "\n\n" + escape(news.comment)
        return body + "\n\n" + emergency_text(_), None
    if isinstance(news, Rejected):
        body = _("Your request {ref} was closed by the working group: {reason}.").format(
            ref=ref, reason=escape(labels.reject_reason(news.reason, _))
        )
        if news.comment:
            body += "\n\n" + escape(news.comment)
        return body, None
    body = _("Your request {ref} was closed by the working group.").format(ref=ref)
    body += " " + _("You can ask again within 7 days from “My requests”.")
    return body, None


async def tell_moderators(
    n: Notices,
    community_id: int,
    text_of: Callable[[Translator], str],
    *,
    key: str,
    leave_out: int | None = None,
) -> int:
    """A message that concerns no request, to each moderator of a community privately, in
    their language (`text_of(translator)`); `leave_out`: a user id not to tell. Returns how
    many were told; one who cannot be written to is passed over."""
    roles = [r for r in await staff.moderators(n.db, community_id) if r.user_id != leave_out]
    people = await users_by_id(n.db, {role.user_id for role in roles})
    told = 0
    for user in people.values():
        if user.is_reachable:
            text = text_of(n.translator_for(user))
            await n.send(user.telegram_id, text, None, key=f"{key}:{user.id}")
            told += 1
    return told
