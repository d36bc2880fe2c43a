"""Quick polls: the poll, its options (uk/ru), who it was sent to, the votes, the charts.

Every change here comes with a migration in `storage/migrations/versions/`.

One vote per resident and poll is the database's job: `poll_votes` is unique on
(poll, user, slot), where a single-choice vote always takes slot 0 (one row per person,
changed in place) and a multiple-choice vote takes its option's position as slot (one row
per chosen option). Votes never name a person to anyone: `user_id` only makes the
uniqueness and a change of vote possible.

The vote privacy rule (issue 10): a vote's link to its person (`poll_votes.user_id`) is
cut when the person is erased (/forget; the foreign key is ON DELETE SET NULL too) and by
the retention job once the poll has been closed for `POLL_VOTE_LINK_RETENTION_DAYS` (180);
the rows stay, so the counts stay right. `ballot` is a random key per voter and poll, fixed
when the poll is published (`poll_recipients.ballot`) and copied onto every row of that
person's vote, so a multiple-choice voter's rows still count as one voter ("distinct
voters" is distinct ballots) after the link is gone; the recipient row, and with it the
ballot's link to the person, is deleted then.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime, utcnow


class Poll(Base):
    """A question to a community's residents, a group's members or a meeting's "going".

    `group_id` / `meeting_id` carry no foreign key on purpose: a poll's counts outlive the
    group or meeting it was asked in (programme reporting)."""

    __tablename__ = "polls"
    # a meeting's evaluation: one poll per statement and occurrence (made once; other polls
    # to a meeting's "going" are not limited). A unique index, not a constraint: adding it
    # never rebuilds `polls` on SQLite (whose rebuild would drop the old table and cascade
    # to the options and votes).
    __table_args__ = (
        Index(
            "ix_polls_evaluation",
            "meeting_id",
            "occurrence",
            "template",
            unique=True,
            sqlite_where=text("template LIKE 'eval%'"),
            postgresql_where=text("template LIKE 'eval%'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    # custom, topics, or eval1..eval3 (a meeting's evaluation statements)
    template: Mapped[str] = mapped_column(String(16), default="custom")
    question_uk: Mapped[str] = mapped_column(Text, default="")
    question_ru: Mapped[str] = mapped_column(Text, default="")
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    audience: Mapped[str] = mapped_column(String(16))  # community, group, meeting
    group_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    meeting_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # the meeting's occurrence (its original local date) an evaluation is about
    occurrence: Mapped[date | None] = mapped_column(Date, nullable=True)
    results_live: Mapped[bool] = mapped_column(Boolean, default=False)
    min_votes: Mapped[int] = mapped_column(Integer, default=5)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When the results were put in the outbox (None while closed but not yet announced).
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PollOption(Base):
    __tablename__ = "poll_options"
    __table_args__ = (UniqueConstraint("poll_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1..10, the order of the buttons
    text_uk: Mapped[str] = mapped_column(String(100), default="")
    text_ru: Mapped[str] = mapped_column(String(100), default="")


class PollRecipient(Base):
    """The audience, fixed when the poll is published: only they may vote."""

    __tablename__ = "poll_recipients"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    language: Mapped[str] = mapped_column(String(8))
    # The person's ballot in this poll (random), copied onto each row of their vote.
    ballot: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # When this person's poll message last showed fresh live counts (the refresh throttle).
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The person's poll message that shows live counts (the one they last voted on; None:
    # none does) and what it shows (`flows.polls.shown_key`): the live refresh job edits it
    # when that is stale (`handlers/staff/polls_live.py`).
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    shown: Mapped[str | None] = mapped_column(String(120), nullable=True)


class PollVote(Base):
    __tablename__ = "poll_votes"
    __table_args__ = (
        UniqueConstraint("poll_id", "user_id", "slot"),
        # still one row per option and voter once the rows are unlinked
        UniqueConstraint("poll_id", "ballot", "slot", name="uq_poll_votes_ballot_slot"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    # None once unlinked (/forget, or the retention after the close): the row still counts
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    ballot: Mapped[str] = mapped_column(String(16))  # one voter's rows share it
    slot: Mapped[int] = mapped_column(Integer)  # 0: single choice; else the option's position
    option_id: Mapped[int] = mapped_column(ForeignKey("poll_options.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))  # the voter's, for the export's split
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PollChart(Base):
    """A closed poll's bar chart in one language, uploaded once (`file_id`) and then sent
    to every reader of that language by its file id."""

    __tablename__ = "poll_charts"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    png: Mapped[bytes] = mapped_column(LargeBinary)
    file_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
