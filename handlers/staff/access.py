"""Checking a staff press or text on the server, against the person's roles: the request
and the roles are loaded here, the decision is `flows.permissions.can` (pure). Button data
only names what the person wants."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from flows.permissions import MODERATOR, Action, Actor, Target, can
from handlers.core.context import HromadaContext
from storage.models import Community, ServiceRequest, StaffRole
from storage.repositories import requests, staff


@dataclass(frozen=True)
class Access:
    """A request the person may act on, and the role they act in."""

    request: ServiceRequest
    role: StaffRole
    ref: str
    community: Community


def actor_of(role: StaffRole) -> Actor:
    return Actor(role.role, role.community_id, role.category, role.org_name_uk)


async def target_of(db: AsyncSession, request: ServiceRequest) -> Target:
    """The request as the rule sees it: the organisation it is routed to is that of the
    routed role, if that role is of the request's community and routed category."""
    routed = await db.get(StaffRole, request.routed_role_id) if request.routed_role_id else None
    organisation = (
        routed.org_name_uk
        if routed is not None
        and routed.community_id == request.community_id
        and routed.category == request.routed_category
        else None
    )
    return Target(request.community_id, request.routed_category, organisation)


def acting_role(roles: Sequence[StaffRole], action: Action, target: Target) -> StaffRole | None:
    """The person's role that allows `action`, a moderator's before a provider's."""
    ordered = sorted(roles, key=lambda role: role.role != MODERATOR)
    return next((r for r in ordered if can(actor_of(r), action, target)), None)


async def authorize(
    ctx: HromadaContext, request_id: int | None, action: Action | None
) -> Access | None:
    """Load the request and check the right to act; refuse (telling nothing) otherwise.
    `action` None (an unknown button) is always refused."""
    request = await requests.get_request(ctx.db, request_id)
    role = None
    if request is not None and action is not None:
        roles = await staff.active_roles(ctx.db, ctx.user.id)
        role = acting_role(roles, action, await target_of(ctx.db, request))
    if request is None or role is None:
        ctx.replies.notice(ctx.i18n.gettext("You cannot do this."), alert=True)
        return None
    community = await ctx.db.get(Community, request.community_id)
    assert community is not None
    return Access(request, role, requests.reference(community.code, request.number), community)
