"""Whose requests a staff role may act on, as a SQL condition for the atomic UPDATE.

The rule is `flows.permissions.can` (which staff access applies before a move); here it
goes into the `WHERE` of the move itself, so that the check and the change are one
statement and cannot drift apart under concurrency (a provider whose request was just
routed to another organisation finds no row to update):

- the role is still held (not revoked);
- a moderator: requests of the role's community;
- a provider (answer and ask for more only): requests of the role's community, routed to
  the role's category and to a role of the same organisation (a role of that community and
  category with the same Ukrainian organisation name).

`tests/test_request_scope.py` checks, case by case, that this condition and `can` agree.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, select
from sqlalchemy.orm import aliased

from storage.models import ServiceRequest, StaffRole


def still_held(role_id: int) -> ColumnElement[bool]:
    held = aliased(StaffRole)
    return exists().where(held.id == role_id, held.revoked_at.is_(None))


def may_act(role: StaffRole, *, moderators_only: bool = False) -> ColumnElement[bool]:
    """True for the request rows `role` may move (`moderators_only`: claim, route, reject,
    close, which providers never do)."""
    if role.role == "moderator":
        return and_(still_held(role.id), ServiceRequest.community_id == role.community_id)
    if role.role != "provider" or moderators_only or role.category is None:
        return false()
    routed = aliased(StaffRole)
    same_organisation = select(routed.id).where(  # as `handlers.staff.access.target_of`
        routed.community_id == role.community_id,
        routed.category == role.category,
        routed.org_name_uk == role.org_name_uk,
    )
    return and_(
        still_held(role.id),
        ServiceRequest.community_id == role.community_id,
        ServiceRequest.routed_category == role.category,
        ServiceRequest.routed_role_id.in_(same_organisation),
    )
