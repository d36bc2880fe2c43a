"""Who may do what with a request: every staff press and text is checked here, on the
server, against the person's roles; `callback_data` only names what they want."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from handlers.core.context import HromadaContext
from handlers.shared import cards
from locales import Translator
from storage.models import Community, ServiceRequest, StaffRole
from storage.repositories import requests, staff

MODERATOR_ACTIONS = frozenset(
    {"claim", "route", "note", "reject", "close", "rcat", "rorg", "rj", "back"}
)
SHARED_ACTIONS = frozenset({"answer", "more", "photos", "open"})


@dataclass(frozen=True)
class Access:
    request: ServiceRequest
    role: StaffRole
    ref: str
    community: Community


def parse(arg: str) -> tuple[str, int | None, str]:
    """`claim:42` or `rcat:42:police` -> ("claim", 42, "") / ("rcat", 42, "police")."""
    action, _, rest = arg.partition(":")
    number, _, tail = rest.partition(":")
    request_id = int(number) if number.isascii() and number.isdigit() and len(number) < 10 else None
    return action, request_id, tail


async def role_for(ctx: HromadaContext, request: ServiceRequest, action: str) -> StaffRole | None:
    """The person's role that allows `action` on `request`, or None."""
    roles = await staff.active_roles(ctx.db, ctx.user.id)
    for role in roles:
        if (
            role.community_id == request.community_id
            and role.role == "moderator"
            and (action in MODERATOR_ACTIONS or action in SHARED_ACTIONS)
        ):
            return role
    if action not in SHARED_ACTIONS or request.routed_role_id is None:
        return None
    routed = await ctx.db.get(StaffRole, request.routed_role_id)
    for role in roles:
        if (
            routed is not None
            and role.role == "provider"
            and role.community_id == request.community_id
            and role.category == routed.category == request.routed_category
            and role.org_name_uk == routed.org_name_uk
        ):
            return role
    return None


async def authorize(ctx: HromadaContext, request_id: int | None, action: str) -> Access | None:
    """Load the request and check the right to act; refuse (telling nothing) otherwise."""
    request = await requests.get_request(ctx.db, request_id)
    role = await role_for(ctx, request, action) if request is not None else None
    if request is None or role is None:
        ctx.replies.notice(ctx.i18n.gettext("You cannot do this."), alert=True)
        return None
    community = await ctx.db.get(Community, request.community_id)
    assert community is not None
    return Access(request, role, requests.reference(community.code, request.number), community)


def community_name(community: Community, t: Translator) -> str:
    return community.name_ru if t.language == "ru" else community.name_uk


async def signatures(ctx: HromadaContext, role_ids: set[int], t: Translator) -> dict[int, str]:
    """How staff entries are signed for other staff: the organisation, or the label."""
    result: dict[int, str] = {}
    for role_id in role_ids:
        role = await ctx.db.get(StaffRole, role_id)
        if role is not None:
            result[role_id] = (
                cards.organisation(role, t.language) or role.label or t.gettext("Working group")
            )
    return result


async def render_card(
    ctx: HromadaContext,
    request: ServiceRequest,
    viewer: str,
    t: Translator,
    *,
    extra: str = "",
) -> tuple[str, InlineKeyboardMarkup]:
    """The card, and the buttons that fit the viewer's role ("moderator" or "provider")."""
    community = await ctx.db.get(Community, request.community_id)
    assert community is not None
    ref = requests.reference(community.code, request.number)
    thread = await requests.thread(ctx.db, request.id, include_notes=True)
    names = await signatures(ctx, {m.author_role_id for m in thread if m.author_role_id}, t)
    text = cards.staff_card(request, ref, thread, names, t, extra=extra)
    photos = sum(len(m.photos) for m in thread)
    if viewer == "moderator":
        return text, cards.moderator_buttons(request, photos, t)
    return text, cards.provider_buttons(request, photos, t)
