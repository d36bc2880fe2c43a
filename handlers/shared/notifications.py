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

Reads are fixed, whatever the number of recipients: the request's view (community, thread,
authors) once, the recipients' people in one query; a staff card is rendered once per
language and role. A recipient who cannot be told (blocked the bot, erased their data) or
a news nobody is configured to hear (no moderator, no provider, no staff chat) is recorded
in `skipped_notices` (`python -m bot outbox skipped`) instead of vanishing.

Dedup keys: `req:<id>:<news>:<latest event id>[:<chat id>]`, so a news is written once
per change and chat, whatever retries happen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode

from handlers.core.context import HromadaContext
from handlers.shared import labels
from handlers.shared.cards import RequestView, load_view, staff_card_of
from handlers.shared.emergency import emergency_text
from handlers.shared.keyboards import data, keyboard
from handlers.shared.names import signature
from locales import Translator, n_
from storage.models import Community, ServiceRequest, StaffRole, User
from storage.repositories import outbox, requests, skipped, staff
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


def translator_for(ctx: HromadaContext, user: User | None) -> Translator:
    """The recipient's language, else the bot's default."""
    translators = ctx.services.translators
    language = user.language if user and user.language in translators else None
    return translators[language or ctx.services.default_language]


async def announce(ctx: HromadaContext, request: ServiceRequest, news: News) -> None:
    """Write the outbox rows (and skipped recipients) of `news` about `request`."""
    event = await requests.last_event_id(ctx.db, request.id)
    if isinstance(news, (StaffWrote, Rejected, Closed)):
        await _tell_resident(ctx, request, news, event)
        return
    view = await load_view(ctx.db, request, include_notes=True)
    if isinstance(news, NewRequest):
        chat_id = await staff.staff_chat_of(ctx.db, request.community_id)
        if chat_id is not None:
            t = ctx.services.translators[ctx.services.default_language]
            text, markup = staff_card_of(view, "moderator", t)
            await _enqueue(ctx, chat_id, text, markup, key=f"req:{request.id}:new:{chat_id}")
            return
    roles = await _staff_to_tell(ctx, request, news)
    await _tell_staff(ctx, view, roles, news.kind, event)


async def _staff_to_tell(
    ctx: HromadaContext, request: ServiceRequest, news: StaffNews
) -> list[StaffRole]:
    if isinstance(news, NewRequest):
        return await staff.moderators(ctx.db, request.community_id)
    if isinstance(news, Routed):
        return await staff.colleagues(ctx.db, news.provider)
    if news.asked_by is not None and news.asked_by.revoked_at is None:
        return [news.asked_by]
    roles: list[StaffRole] = []
    if request.routed_role_id:
        routed = await ctx.db.get(StaffRole, request.routed_role_id)
        roles = await staff.colleagues(ctx.db, routed) if routed else []
    return roles or await staff.moderators(ctx.db, request.community_id)


async def _tell_staff(
    ctx: HromadaContext, view: RequestView, roles: list[StaffRole], kind: NewsKind, event: int
) -> None:
    request = view.request
    if not roles:
        skipped.record(ctx.db, request_id=request.id, news=kind, reason=skipped.NO_RECIPIENT)
        return
    people = await users_by_id(ctx.db, {role.user_id for role in roles})
    rendered: dict[tuple[str, str], tuple[str, InlineKeyboardMarkup]] = {}
    told: set[int] = set()
    for role in roles:
        user = people.get(role.user_id)
        if user is None or user.telegram_id in told:
            continue
        if not user.is_reachable:
            skipped.record(
                ctx.db,
                request_id=request.id,
                news=kind,
                reason=skipped.UNREACHABLE,
                user_id=user.id,
                role_id=role.id,
            )
            continue
        told.add(user.telegram_id)
        t = translator_for(ctx, user)
        if (t.language, role.role) not in rendered:
            extra = CARD_EXTRA.get(kind)
            rendered[(t.language, role.role)] = staff_card_of(
                view, role.role, t, extra=t.gettext(extra) if extra else ""
            )
        text, markup = rendered[(t.language, role.role)]
        chat_id = user.telegram_id
        key = f"req:{request.id}:{kind}:{event}:{chat_id}"
        await _enqueue(ctx, chat_id, text, markup, key=key)


async def _tell_resident(
    ctx: HromadaContext, request: ServiceRequest, news: ResidentNews, event: int
) -> None:
    user = await ctx.db.get(User, request.author_id) if request.author_id else None
    if user is None or not user.is_reachable:
        reason = skipped.ERASED if user is None else skipped.UNREACHABLE
        skipped.record(
            ctx.db,
            request_id=request.id,
            news=news.kind,
            reason=reason,
            user_id=user.id if user else None,
        )
        return
    community = await ctx.db.get(Community, request.community_id)
    assert community is not None
    t = translator_for(ctx, user)
    ref = requests.reference(community.code, request.number)
    text, markup = _resident_message(news, request, ref, community, t)
    key = f"req:{request.id}:{news.kind}:{event}"
    await _enqueue(ctx, user.telegram_id, text, markup, key=key)


def _resident_message(
    news: ResidentNews, request: ServiceRequest, ref: str, community: Community, t: Translator
) -> tuple[str, InlineKeyboardMarkup | None]:
    _ = t.gettext
    rid = request.id
    if isinstance(news, StaffWrote) and not news.asks:
        org = escape(signature(news.by, community, t))
        # The organisation's name stands on its own (it is in the nominative; "від {org}"
        # would need the genitive).
        body = _("<b>Answer to your request {ref}</b> — {org}:").format(ref=ref, org=org)
        body += "\n\n" + escape(news.text) + "\n\n" + _("Did this help?")
        rows = [
            [(_("Yes, it helped"), data("rs", f"yes:{rid}")), (_("No"), data("rs", f"no:{rid}"))],
            [
                (_("Ask again"), data("rs", f"reopen:{rid}")),
                (_("Close request"), data("rs", f"close:{rid}")),
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


async def _enqueue(
    ctx: HromadaContext, chat_id: int, text: str, markup: InlineKeyboardMarkup | None, *, key: str
) -> None:
    params: dict[str, Any] = {"text": text, "parse_mode": ParseMode.HTML.value}
    if markup is not None:
        params["reply_markup"] = markup.to_dict()
    payload = {"method": "sendMessage", "params": params}
    await outbox.enqueue(ctx.db, chat_id=chat_id, payload=payload, dedup_key=key)
