"""Discussion spaces, threads and posts, with their edits, files, votes, follows, read
marks, reports and the moderation audit.

A *space* is where threads live: a cohort's Q&A for one session (module, keyed by its slug
so it survives a new course version), a course's cross-region forum (*Ruang Studi Tiru*),
or a practice's discussion. A thread's first post is its question or opening; responses
answer the thread and comments answer a response (one level, no deeper).
"""

from __future__ import annotations

import enum
import functools
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from lms.auth.models import User
from lms.extensions import db
from lms.models import UTCDateTime, utcnow
from lms.regions.models import Region


class SpaceKind(enum.StrEnum):
    MODULE = "module"
    """A cohort's Q&A for one session: its participants, mentors, coordinator, admins."""
    COURSE = "course"
    """The course's cross-region forum: everyone enrolled on the course and its mentors."""
    PRACTICE = "practice"
    """A practice's discussion: everyone who can read the catalogue."""


class Space(db.Model):
    __tablename__ = "discussion_space"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(120), unique=True)
    """"module:<cohort>:<module slug>", "course:<course id>" or "practice:<practice id>"."""
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohort.id", ondelete="CASCADE"), index=True
    )
    module_slug: Mapped[str | None] = mapped_column(String(64))
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), index=True
    )
    practice_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), index=True
    )

    __table_args__ = (
        CheckConstraint("kind IN ('module', 'course', 'practice')", name="kind_known"),
    )


class ThreadKind(enum.StrEnum):
    QUESTION = "question"
    DISCUSSION = "discussion"


class Thread(db.Model):
    __tablename__ = "discussion_thread"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(
        ForeignKey("discussion_space.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), default=ThreadKind.QUESTION.value)
    title: Mapped[str] = mapped_column(String(200))
    indicator: Mapped[int | None]
    """An SPBE indicator (1-47) the thread is about, shown as a chip."""
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id", ondelete="SET NULL"))
    """A practice the thread cites, shown as a chip."""
    pinned: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)
    hidden: Mapped[bool] = mapped_column(default=False)
    """Hidden by a moderator (its opening post was hidden): out of every list."""
    reply_count: Mapped[int] = mapped_column(default=0)
    """Visible responses and comments, kept as posts are added, hidden and shown."""
    answered: Mapped[bool] = mapped_column(default=False)
    """A question with a visible response from someone other than the asker."""
    resolved: Mapped[bool] = mapped_column(default=False)
    """A question with an endorsed or accepted answer."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship(lazy="raise_on_sql")
    space: Mapped[Space] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        CheckConstraint("kind IN ('question', 'discussion')", name="kind_known"),
        CheckConstraint("indicator IS NULL OR indicator BETWEEN 1 AND 47", name="indicator_known"),
        Index("ix_discussion_thread_space_activity", "space_id", "hidden", "last_activity_at"),
    )


class Post(db.Model):
    __tablename__ = "discussion_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("discussion_thread.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("discussion_post.id", ondelete="CASCADE"), index=True
    )
    """The response a comment answers; None for the opening post and responses."""
    is_opening: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    author_region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    """The writer's region when they wrote it (the forum shows it)."""
    body: Mapped[str] = mapped_column(Text)
    """Markdown, rendered through the sanitizer."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden: Mapped[bool] = mapped_column(default=False)
    helpful_count: Mapped[int] = mapped_column(default=0)
    endorsed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    accepted: Mapped[bool] = mapped_column(default=False)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="raise_on_sql")
    author_region: Mapped[Region | None] = relationship(lazy="raise_on_sql")
    endorsed_by: Mapped[User | None] = relationship(
        foreign_keys=[endorsed_by_id], lazy="raise_on_sql"
    )

    __table_args__ = (
        CheckConstraint("NOT (is_opening AND parent_id IS NOT NULL)", name="opening_has_no_parent"),
    )


class PostRevision(db.Model):
    """The text a post had before an edit (the visible history)."""

    __tablename__ = "discussion_post_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("discussion_post.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(String(200))
    editor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    written_at: Mapped[datetime] = mapped_column(UTCDateTime())
    """When this text was written (the post's creation or its previous edit)."""
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PostAttachment(db.Model):
    __tablename__ = "discussion_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("discussion_post.id", ondelete="CASCADE"), index=True
    )
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))


helpful_vote = Table(
    "discussion_helpful_vote",
    db.metadata,
    Column("post_id", ForeignKey("discussion_post.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
)

thread_follow = Table(
    "discussion_follow",
    db.metadata,
    Column("thread_id", ForeignKey("discussion_thread.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
)


class ThreadRead(db.Model):
    """When a person last opened a thread: newer activity marks it unread for them."""

    __tablename__ = "discussion_read"

    thread_id: Mapped[int] = mapped_column(
        ForeignKey("discussion_thread.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PostReport(db.Model):
    __tablename__ = "discussion_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("discussion_post.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    __table_args__ = (UniqueConstraint("post_id", "reporter_id"),)


class ModerationAction(enum.StrEnum):
    HIDE = "hide"
    SHOW = "show"
    LOCK = "lock"
    UNLOCK = "unlock"
    PIN = "pin"
    UNPIN = "unpin"
    DISMISS = "dismiss"


class ModerationAudit(db.Model):
    """Who hid, showed, locked, unlocked, pinned or unpinned what, when and why."""

    __tablename__ = "discussion_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(
        ForeignKey("discussion_space.id", ondelete="CASCADE"), index=True
    )
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("discussion_thread.id", ondelete="CASCADE")
    )
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("discussion_post.id", ondelete="CASCADE")
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@functools.cache
def _parent_post() -> Any:
    """The alias for a post's parent, made once (building an alias costs more than the
    statement it is used in)."""
    return aliased(Post)


def visible_post() -> Any:
    """A post readers see: not hidden, and not a comment on a hidden response."""
    parent = _parent_post()
    return and_(
        Post.hidden.is_(False),
        or_(
            Post.parent_id.is_(None),
            Post.parent_id.in_(select(parent.id).where(parent.hidden.is_(False))),
        ),
    )
