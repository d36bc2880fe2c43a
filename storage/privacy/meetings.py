"""Meetings: the person's RSVPs and their opt-in to the working group's meetings. Erasing
removes both (a meeting's count of who is going drops them with it)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from locales import n_
from storage.models import Meeting, MeetingOptIn, MeetingRsvp
from storage.privacy.registry import JSONValue, Person, Section, instant


async def _export(session: AsyncSession, person: Person) -> JSONValue:
    rows = (
        await session.execute(
            select(MeetingRsvp, Meeting.title_uk, Meeting.title_ru)
            .join(Meeting, Meeting.id == MeetingRsvp.meeting_id)
            .where(MeetingRsvp.user_id == person.user_id)
            .order_by(MeetingRsvp.occurrence, MeetingRsvp.meeting_id)
        )
    ).all()
    opt_in = await session.get(MeetingOptIn, person.user_id)
    return {
        "working_group_meetings": instant(opt_in.at) if opt_in is not None else None,
        "rsvps": [
            {
                "meeting": (title_ru if person.language == "ru" else title_uk) or title_uk,
                "date": rsvp.occurrence.isoformat(),
                "going": rsvp.going,
                "answered": instant(rsvp.at),
            }
            for rsvp, title_uk, title_ru in rows
        ],
    }


async def _erase(session: AsyncSession, person: Person) -> None:
    await session.execute(delete(MeetingRsvp).where(MeetingRsvp.user_id == person.user_id))
    await session.execute(delete(MeetingOptIn).where(MeetingOptIn.user_id == person.user_id))


MEETINGS = Section(
    key="meetings",
    about=n_(
        "Whether you want to hear about your working group's meetings, and your answers to "
        '"Will you come?", so that the bot can remind you and the organisers can count '
        "the places."
    ),
    fields={
        "working_group_meetings": n_(
            "When you asked to hear about the working group's meetings (empty: you did not)."
        ),
        "rsvps": n_("Your answers, one per meeting date."),
        "rsvps.meeting": n_("The meeting."),
        "rsvps.date": n_("The date of that meeting."),
        "rsvps.going": n_("true: you said you would come; false: that you would not."),
        "rsvps.answered": n_("When you answered (UTC)."),
    },
    export=_export,
    erase=_erase,
)
