"""Reading requests: one request, a resident's list, the queue, an inbox, a thread."""

from __future__ import annotations

from sqlalchemy import BindParameter, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Community, RequestEvent, RequestMessage, ServiceRequest, StaffRole
from storage.repositories.requests.lifecycle import OPEN, reference

VISIBLE_TO_RESIDENT = ("question", "answer", "ask_more", "reply", "rejection")


async def get_request(session: AsyncSession, request_id: int | None) -> ServiceRequest | None:
    if request_id is None:
        return None
    return await session.get(ServiceRequest, request_id)


async def reference_of(session: AsyncSession, request: ServiceRequest) -> str:
    community = await session.get(Community, request.community_id)
    return reference(community.code if community else "REQ", request.number)


async def for_resident(
    session: AsyncSession, author_id: int, *, page: int, per_page: int
) -> tuple[list[ServiceRequest], int]:
    base = select(ServiceRequest).where(ServiceRequest.author_id == author_id)
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    rows = await session.execute(
        base.order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
        .offset(page * per_page)
        .limit(per_page)
    )
    return list(rows.scalars()), int(total)


async def awaiting_reply_from(session: AsyncSession, author_id: int) -> ServiceRequest | None:
    """The resident's most recent request on which staff wait for more information."""
    result = await session.execute(
        select(ServiceRequest)
        .where(ServiceRequest.author_id == author_id, ServiceRequest.status == "awaiting_resident")
        .order_by(ServiceRequest.updated_at.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def queue(
    session: AsyncSession, community_id: int, *, page: int, per_page: int
) -> tuple[list[ServiceRequest], int]:
    """Open requests of a community: urgent first, then the oldest.

    A page is a walk along the partial index ix_service_requests_open, which holds the open
    requests in this order (the last page of 20,000 open requests skips index entries
    instead of sorting every row, issue 11). The open statuses are rendered as literals:
    only the index's own condition, word for word, lets SQLite use a partial index (a bound
    parameter never matches), and PostgreSQL's generic plans would not prove it either."""
    open_statuses: BindParameter[str] = bindparam(
        "open_statuses", OPEN, expanding=True, literal_execute=True
    )
    base = select(ServiceRequest).where(
        ServiceRequest.community_id == community_id, ServiceRequest.status.in_(open_statuses)
    )
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    rows = await session.execute(
        base.order_by(ServiceRequest.urgent.desc(), ServiceRequest.created_at, ServiceRequest.id)
        .offset(page * per_page)
        .limit(per_page)
    )
    return list(rows.scalars()), int(total)


async def inbox(
    session: AsyncSession, role: StaffRole, *, page: int, per_page: int
) -> tuple[list[ServiceRequest], int]:
    """Requests routed to the provider's organisation (same category and community)."""
    org_roles = select(StaffRole.id).where(
        StaffRole.community_id == role.community_id,
        StaffRole.category == role.category,
        StaffRole.org_name_uk == role.org_name_uk,
    )
    base = select(ServiceRequest).where(
        ServiceRequest.community_id == role.community_id,
        ServiceRequest.routed_category == role.category,
        ServiceRequest.routed_role_id.in_(org_roles),
        ServiceRequest.status.in_(("routed", "awaiting_resident")),
    )
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    rows = await session.execute(
        base.order_by(ServiceRequest.urgent.desc(), ServiceRequest.created_at)
        .offset(page * per_page)
        .limit(per_page)
    )
    return list(rows.scalars()), int(total)


async def thread(
    session: AsyncSession, request_id: int, *, include_notes: bool
) -> list[RequestMessage]:
    query = select(RequestMessage).where(RequestMessage.request_id == request_id)
    if not include_notes:
        query = query.where(RequestMessage.kind.in_(VISIBLE_TO_RESIDENT))
    rows = await session.execute(query.order_by(RequestMessage.created_at, RequestMessage.id))
    return list(rows.scalars())


async def events(session: AsyncSession, request_id: int) -> list[RequestEvent]:
    rows = await session.execute(
        select(RequestEvent).where(RequestEvent.request_id == request_id).order_by(RequestEvent.id)
    )
    return list(rows.scalars())


async def last_event_id(session: AsyncSession, request_id: int, action: str | None = None) -> int:
    """The newest audit event's id (of `action` only, when given): a stable part of
    notification dedup keys, and what an answer's buttons carry to tell a newer answer."""
    await session.flush()
    query = select(func.max(RequestEvent.id)).where(RequestEvent.request_id == request_id)
    if action is not None:
        query = query.where(RequestEvent.action == action)
    result = await session.execute(query)
    return int(result.scalar_one() or 0)
