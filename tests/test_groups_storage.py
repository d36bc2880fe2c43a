"""Self-help groups in storage: pages of a community's groups, who counts as a member,
facilitators scoped to their group, and unknown groups treated as sensitive."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Community, GroupMembership, SelfHelpGroup, StaffRole
from storage.repositories import groups
from storage.repositories.users import touch_user


async def community(session: AsyncSession, code: str) -> Community:
    return (await session.execute(select(Community).where(Community.code == code))).scalar_one()


async def new_group(
    session: AsyncSession, community_id: int, title: str, *, active: bool = True
) -> SelfHelpGroup:
    group = SelfHelpGroup(
        community_id=community_id,
        title_uk=title,
        title_ru=title,
        description_uk="",
        description_ru="",
        topic="disability",
        join_policy="approval",
        sensitive=True,
        is_active=active,
    )
    session.add(group)
    await session.flush()
    return group


async def test_groups_members_and_facilitators(db: AsyncSession) -> None:
    dru = await community(db, "DRU")
    other = (await db.scalars(select(Community).where(Community.code != "DRU"))).first()
    assert other is not None
    parents = await new_group(db, dru.id, "Батьки дітей з інвалідністю")
    roma = await new_group(db, dru.id, "Ромська ініціатива")
    await new_group(db, dru.id, "Закрита", active=False)
    await new_group(db, other.id, "Інша громада")

    page, total = await groups.list_groups(db, dru.id, offset=0, limit=1)
    assert (total, [g.title_uk for g in page]) == (2, ["Батьки дітей з інвалідністю"])
    page, _ = await groups.list_groups(db, dru.id, offset=1, limit=1)
    assert [g.id for g in page] == [roma.id]

    alice = await touch_user(db, 101)
    bob = await touch_user(db, 102)
    carol = await touch_user(db, 103)
    db.add_all(
        [
            GroupMembership(group_id=parents.id, user_id=alice.id, status="accepted"),
            GroupMembership(group_id=parents.id, user_id=bob.id, status="pending"),
            GroupMembership(group_id=roma.id, user_id=alice.id, status="accepted"),
        ]
    )
    facilitator = StaffRole(
        user_id=carol.id, community_id=dru.id, role="facilitator", group_id=parents.id
    )
    revoked = StaffRole(user_id=bob.id, community_id=dru.id, role="facilitator", group_id=roma.id)
    db.add_all([facilitator, revoked])
    await db.flush()
    revoked.revoked_at = revoked.created_at
    await db.flush()

    assert list(await groups.accepted_member_ids(db, parents.id)) == [alice.id]
    assert await groups.is_accepted_member(db, parents.id, alice.id)
    assert not await groups.is_accepted_member(db, parents.id, bob.id)  # pending
    assert not await groups.is_accepted_member(db, roma.id, bob.id)  # never asked
    assert sorted(await groups.member_group_ids(db, alice.id)) == sorted([parents.id, roma.id])
    assert [m.status for m in await groups.memberships_of(db, bob.id)] == ["pending"]
    assert await groups.member_counts(db, parents.id) == groups.MemberCounts(1, 1)
    assert [r.id for r in await groups.facilitators(db, parents.id)] == [facilitator.id]
    assert await groups.facilitators(db, roma.id) == []
    assert list(await groups.facilitated_group_ids(db, carol.id)) == [parents.id]
    assert list(await groups.facilitated_group_ids(db, bob.id)) == []
    assert await groups.is_sensitive(db, parents.id)
    assert await groups.is_sensitive(db, 999_999)  # unknown: name nothing
    assert await groups.linked_chat_id(db, parents.id) is None
