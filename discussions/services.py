"""Discussion rules: threads, responses, comments, edits, votes, answers, follows, read
marks, reports and moderation, with the notifications they send. Services only flush.

Lists and counts only ever come from `threads_query`, which drops hidden threads and is
narrowed to one space the caller has checked (or, across spaces, by `policy.space_scope`).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO

from flask_babel import gettext as _
from sqlalchemy import (
    Select,
    and_,
    case,
    column,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    table,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from courses.signals import LearningEvent, report_event
from discussions import policy
from discussions.models import (
    ModerationAction,
    ModerationAudit,
    Post,
    PostAttachment,
    PostReport,
    PostRevision,
    Space,
    SpaceKind,
    Thread,
    ThreadKind,
    ThreadRead,
    helpful_vote,
    thread_follow,
    visible_post,
)
from discussions.policy import SpaceRef
from lms import storage
from lms.auth.models import Role, User
from lms.cohorts.models import Enrolment, EnrolmentStatus, cohort_mentor
from lms.errors import DomainError
from lms.extensions import db
from lms.markdown import render_markdown
from lms.notifications import services as notifications
from lms.practices.models import Practice, PracticeStatus

ALLOWED_FILES = (
    "pdf",
    "png",
    "jpg",
    "jpeg",
    "docx",
    "xlsx",
    "pptx",
    "odt",
    "ods",
    "odp",
    "txt",
    "csv",
)
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 3
THREADS_PER_PAGE = 20
RESPONSES_PER_PAGE = 20
MENTION = re.compile(r"@\[([^\]\n]{2,200})\]")
"""A mention: @[Full Name] of someone who can read the space."""


class DiscussionError(DomainError):
    """A discussion rule was broken; nothing was written."""


@dataclass(frozen=True)
class ThreadInput:
    title: str
    body: str
    kind: ThreadKind = ThreadKind.QUESTION
    indicator: int | None = None
    practice_id: int | None = None


@dataclass(frozen=True)
class Upload:
    stream: BinaryIO
    filename: str


@dataclass
class Page:
    """One page of rows, shaped like Flask-SQLAlchemy's pagination for the macro."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


# --------------------------------------------------------------------------- spaces


def space_of(ref: SpaceRef) -> Space | None:
    return db.session.scalar(select(Space).where(Space.key == ref.key))


def ensure_space(ref: SpaceRef) -> Space:
    """The space's row, created on its first thread (two first posts may race)."""
    space = space_of(ref)
    if space is not None:
        return space
    space = Space(
        kind=ref.kind.value,
        key=ref.key,
        cohort_id=ref.cohort_id,
        module_slug=ref.module_slug,
        course_id=ref.course_id,
        practice_id=ref.practice_id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(space)
    except IntegrityError:
        found = space_of(ref)
        assert found is not None
        return found
    return space


# --------------------------------------------------------------------------- writing


def _participation_changed(space_id: int, user_ids: Iterable[int | None]) -> None:
    """Graded discussions of a session count posts: bring their completion up to date."""
    from discussions import participation

    space = db.session.get(Space, space_id)
    if space is None or space.kind != SpaceKind.MODULE or space.cohort_id is None:
        return
    participation.update(
        space.cohort_id, space.module_slug or "", {u for u in user_ids if u is not None}
    )


def _report_comment(ref: SpaceRef, thread: Thread, author: User) -> None:
    """A participant's post in their session's discussion is a "commented" learning event
    (about the thread); staff and the other spaces tell nothing."""
    if ref.kind != SpaceKind.MODULE or ref.cohort_id is None:
        return
    enrolment_id = db.session.scalar(
        select(Enrolment.id).where(
            Enrolment.cohort_id == ref.cohort_id,
            Enrolment.user_id == author.id,
            Enrolment.status != EnrolmentStatus.WITHDRAWN.value,
        )
    )
    if enrolment_id is not None:
        report_event(
            LearningEvent(
                "commented",
                enrolment_id,
                part_kind="thread",
                part_id=thread.id,
                part_title=thread.title,
            )
        )


def render(body: str) -> Any:
    """Markdown through the sanitizer, with @[Name] mentions shown in bold."""
    return render_markdown(MENTION.sub(lambda m: f"**@{m.group(1).strip()}**", body))


def _check_body(body: str) -> str:
    body = body.strip()
    if len(body) < 2:
        raise DiscussionError(_("Write something first."), "body")
    if len(body) > 20000:
        raise DiscussionError(_("A post can be at most 20,000 characters."), "body")
    return body


def _store_files(post: Post, uploads: Sequence[Upload]) -> None:
    uploads = [u for u in uploads if u.filename]
    if len(uploads) > MAX_FILES:
        raise DiscussionError(_("At most %(n)d files per post.", n=MAX_FILES), "files")
    for upload in uploads:
        try:
            stored = storage.store(
                upload.stream,
                upload.filename,
                kind="discussions",
                allowed=ALLOWED_FILES,
                max_bytes=MAX_FILE_BYTES,
            )
        except storage.UploadError as error:
            raise DiscussionError(str(error), "files") from error
        db.session.add(
            PostAttachment(
                post_id=post.id,
                stored_name=stored.stored_name,
                original_name=stored.original_name,
                size=stored.size,
                content_type=stored.content_type,
                sha256=stored.sha256,
            )
        )


def _follow(thread_id: int, user_id: int) -> None:
    if not db.session.scalar(
        select(
            exists().where(
                thread_follow.c.thread_id == thread_id, thread_follow.c.user_id == user_id
            )
        )
    ):
        db.session.execute(insert(thread_follow).values(thread_id=thread_id, user_id=user_id))


def _link(thread_id: int, post_id: int | None = None) -> str:
    base = f"/discussions/threads/{thread_id}"
    return f"{base}#post-{post_id}" if post_id else base


def mentioned_ids(ref: SpaceRef, body: str, author_id: int) -> set[int]:
    """The people mentioned as @[Name] who can read the space (others are not told)."""
    names = {m.group(1).strip().lower() for m in MENTION.finditer(body)}
    if not names:
        return set()
    candidates = set(db.session.scalars(select(User.id).where(func.lower(User.name).in_(names))))
    return policy.visible_user_ids(ref, candidates) - {author_id}


def create_thread(
    ref: SpaceRef, author: User, data: ThreadInput, uploads: Sequence[Upload], now: datetime
) -> Thread:
    """Open a thread with its first post; the author follows it; mentors of a session's
    Q&A hear of a new question, mentioned people of the mention."""
    title = data.title.strip()
    if len(title) < 3:
        raise DiscussionError(_("Give the thread a title."), "title")
    body = _check_body(data.body)
    if data.practice_id is not None and not db.session.scalar(
        select(
            exists().where(
                Practice.id == data.practice_id, Practice.status == PracticeStatus.PUBLISHED.value
            )
        )
    ):
        raise DiscussionError(_("Choose a practice from the catalogue."), "practice")
    space = ensure_space(ref)
    thread = Thread(
        space_id=space.id,
        author_id=author.id,
        kind=data.kind.value,
        title=title[:200],
        indicator=data.indicator,
        practice_id=data.practice_id,
        created_at=now,
        last_activity_at=now,
    )
    db.session.add(thread)
    db.session.flush()
    post = Post(
        thread_id=thread.id,
        is_opening=True,
        author_id=author.id,
        author_region_code=author.region_code,
        body=body,
        created_at=now,
    )
    db.session.add(post)
    db.session.flush()
    _store_files(post, uploads)
    _follow(thread.id, author.id)
    params = {"author": author.name, "thread": thread.title, "space": ref.title}
    mentioned = mentioned_ids(ref, body, author.id)
    told: set[int] = set()
    if mentioned:
        notifications.notify(mentioned, "discussion_mention", params, _link(thread.id, post.id))
        told |= mentioned
    if ref.kind == SpaceKind.PRACTICE and ref.region_code:
        # The region that wrote the practice hears of questions about it (its coordinators).
        hosts = (
            set(
                db.session.scalars(
                    select(User.id).where(
                        User.role == Role.COORDINATOR.value,
                        User.region_code == ref.region_code,
                        User.active,
                    )
                )
            )
            - told
            - {author.id}
        )
        if hosts:
            notifications.notify(hosts, "discussion_question", params, _link(thread.id, post.id))
    if ref.kind == SpaceKind.MODULE and data.kind == ThreadKind.QUESTION:
        mentors = (
            set(
                db.session.scalars(
                    select(cohort_mentor.c.user_id).where(
                        cohort_mentor.c.cohort_id == ref.cohort_id
                    )
                )
            )
            - told
            - {author.id}
        )
        if mentors:
            notifications.notify(mentors, "discussion_question", params, _link(thread.id, post.id))
    db.session.flush()
    _participation_changed(space.id, [author.id])
    _report_comment(ref, thread, author)
    return thread


def reply(
    ref: SpaceRef,
    thread: Thread,
    author: User,
    body: str,
    parent_id: int | None,
    uploads: Sequence[Upload],
    now: datetime,
    *,
    moderator: bool = False,
) -> Post:
    """A response to the thread or, with `parent_id`, a comment on a response (one level).
    The asker hears of an answer, followers of a reply, mentioned people of the mention."""
    if thread.locked and not moderator:
        raise DiscussionError(_("This thread is locked: no new replies."), "body")
    body = _check_body(body)
    if parent_id is not None:
        parent = db.session.get(Post, parent_id)
        if (
            parent is None
            or parent.thread_id != thread.id
            or parent.hidden
            or parent.is_opening
            or parent.parent_id is not None
        ):
            raise DiscussionError(_("You can only comment on a response of this thread."), "body")
    post = Post(
        thread_id=thread.id,
        parent_id=parent_id,
        author_id=author.id,
        author_region_code=author.region_code,
        body=body,
        created_at=now,
    )
    db.session.add(post)
    db.session.flush()
    _store_files(post, uploads)
    thread.reply_count += 1
    thread.last_activity_at = now
    if parent_id is None and thread.kind == ThreadKind.QUESTION and author.id != thread.author_id:
        thread.answered = True
    _follow(thread.id, author.id)
    params = {"author": author.name, "thread": thread.title, "space": ref.title}
    link = _link(thread.id, post.id)
    told: set[int] = {author.id}
    mentioned = mentioned_ids(ref, body, author.id) - told
    if mentioned:
        notifications.notify(mentioned, "discussion_mention", params, link)
        told |= mentioned
    if (
        parent_id is None
        and thread.kind == ThreadKind.QUESTION
        and thread.author_id is not None
        and thread.author_id not in told
    ):
        asker = policy.visible_user_ids(ref, {thread.author_id})
        if asker:
            notifications.notify(asker, "discussion_answer", params, link)
            told |= asker
    followers = (
        set(
            db.session.scalars(
                select(thread_follow.c.user_id).where(thread_follow.c.thread_id == thread.id)
            )
        )
        - told
    )
    followers = policy.visible_user_ids(ref, followers)
    if followers:
        notifications.notify(followers, "discussion_reply", params, link)
    db.session.flush()
    _participation_changed(thread.space_id, [author.id])
    _report_comment(ref, thread, author)
    return post


def edit_post(
    post: Post, thread: Thread, editor: User, body: str, title: str | None, now: datetime
) -> None:
    """Replace the text, keeping the old one in the post's visible history."""
    body = _check_body(body)
    new_title = title.strip()[:200] if (post.is_opening and title is not None) else None
    if new_title is not None and len(new_title) < 3:
        raise DiscussionError(_("Give the thread a title."), "title")
    if body == post.body and (new_title is None or new_title == thread.title):
        return
    db.session.add(
        PostRevision(
            post_id=post.id,
            body=post.body,
            title=thread.title if post.is_opening else None,
            editor_id=editor.id,
            written_at=post.edited_at or post.created_at,
            replaced_at=now,
        )
    )
    post.body = body
    post.edited_at = now
    if new_title is not None:
        thread.title = new_title
    db.session.flush()
    _participation_changed(thread.space_id, [post.author_id])


def revisions(post_id: int) -> list[PostRevision]:
    return list(
        db.session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id == post_id)
            .order_by(PostRevision.replaced_at.desc(), PostRevision.id.desc())
        )
    )


def toggle_helpful(post: Post, user: User) -> bool:
    """Vote a post helpful, or take the vote back; True when the vote now stands."""
    if post.author_id == user.id:
        raise DiscussionError(_("You cannot vote for your own post."))
    removed = db.session.execute(
        delete(helpful_vote).where(
            helpful_vote.c.post_id == post.id, helpful_vote.c.user_id == user.id
        )
    ).rowcount
    if removed:
        post.helpful_count = Post.helpful_count - 1
        db.session.flush()
        return False
    db.session.execute(insert(helpful_vote).values(post_id=post.id, user_id=user.id))
    post.helpful_count = Post.helpful_count + 1
    db.session.flush()
    return True


def _is_response(post: Post) -> bool:
    return not post.is_opening and post.parent_id is None and not post.hidden


def _update_resolved(thread: Thread) -> None:
    thread.resolved = bool(
        db.session.scalar(
            select(
                exists().where(
                    Post.thread_id == thread.id,
                    Post.hidden.is_(False),
                    or_(Post.endorsed_by_id.is_not(None), Post.accepted.is_(True)),
                )
            )
        )
    )


def endorse(ref: SpaceRef, thread: Thread, post: Post, mentor: User, on: bool) -> None:
    """A mentor endorses an answer (or withdraws it); the asker hears of it."""
    if thread.kind != ThreadKind.QUESTION or not _is_response(post):
        raise DiscussionError(_("Only answers to a question can be endorsed."))
    post.endorsed_by_id = mentor.id if on else None
    db.session.flush()
    _update_resolved(thread)
    if on and thread.author_id and thread.author_id != mentor.id:
        asker = policy.visible_user_ids(ref, {thread.author_id})
        if asker:
            notifications.notify(
                asker,
                "discussion_endorsed",
                {"author": mentor.name, "thread": thread.title, "space": ref.title},
                _link(thread.id, post.id),
            )
    db.session.flush()


def accept(thread: Thread, post: Post, asker: User, on: bool) -> None:
    """The asker accepts one answer (accepting another moves the mark)."""
    if thread.kind != ThreadKind.QUESTION or not _is_response(post):
        raise DiscussionError(_("Only answers to a question can be accepted."))
    if thread.author_id != asker.id:
        raise DiscussionError(_("Only the person who asked can accept an answer."))
    db.session.execute(
        update(Post)
        .where(Post.thread_id == thread.id, Post.accepted.is_(True))
        .values(accepted=False)
    )
    db.session.flush()
    db.session.refresh(post)
    post.accepted = on
    db.session.flush()
    _update_resolved(thread)
    db.session.flush()


def set_follow(thread: Thread, user: User, on: bool) -> None:
    if on:
        _follow(thread.id, user.id)
    else:
        db.session.execute(
            delete(thread_follow).where(
                thread_follow.c.thread_id == thread.id, thread_follow.c.user_id == user.id
            )
        )
    db.session.flush()


def mark_read(thread: Thread, user: User, now: datetime) -> datetime | None:
    """Note that `user` has read the thread as of `now`; answer when they had read it
    before (None: never). Reading again a thread with nothing new writes nothing."""
    read = db.session.get(ThreadRead, (thread.id, user.id))
    if read is None:
        try:
            with db.session.begin_nested():
                db.session.add(ThreadRead(thread_id=thread.id, user_id=user.id, read_at=now))
        except IntegrityError:
            pass
        db.session.flush()
        return None
    before = read.read_at
    if before < thread.last_activity_at:
        read.read_at = now
        db.session.flush()
    return before


# --------------------------------------------------------------------------- moderation


def report(post: Post, reporter: User, reason: str) -> None:
    """Report a post to the space's moderators (once per person and post)."""
    reason = reason.strip()
    if len(reason) < 3:
        raise DiscussionError(_("Say briefly what is wrong with the post."), "reason")
    if post.author_id == reporter.id:
        raise DiscussionError(_("You cannot report your own post."), "reason")
    if db.session.scalar(
        select(exists().where(PostReport.post_id == post.id, PostReport.reporter_id == reporter.id))
    ):
        raise DiscussionError(_("You have already reported this post."), "reason")
    db.session.add(PostReport(post_id=post.id, reporter_id=reporter.id, reason=reason[:500]))
    db.session.flush()


def _audit(
    space_id: int,
    thread_id: int,
    post_id: int | None,
    actor: User,
    action: ModerationAction,
    reason: str,
) -> None:
    db.session.add(
        ModerationAudit(
            space_id=space_id,
            thread_id=thread_id,
            post_id=post_id,
            actor_id=actor.id,
            action=action.value,
            reason=reason.strip()[:500],
        )
    )


def _recount(thread: Thread) -> None:
    visible = and_(Post.thread_id == thread.id, visible_post(), Post.is_opening.is_(False))
    thread.reply_count = db.session.scalar(select(func.count(Post.id)).where(visible)) or 0
    if thread.kind == ThreadKind.QUESTION:
        thread.answered = bool(
            db.session.scalar(
                select(
                    exists().where(
                        visible,
                        Post.parent_id.is_(None),
                        or_(Post.author_id.is_(None), Post.author_id != (thread.author_id or -1)),
                    )
                )
            )
        )
    _update_resolved(thread)


def set_hidden(
    thread: Thread, post: Post, actor: User, hidden: bool, reason: str, now: datetime
) -> None:
    """Hide a post (its opening post hides the whole thread) or show it again; open reports
    on it are closed, notifications about it withdrawn, and the audit records it."""
    post.hidden = hidden
    if post.is_opening:
        thread.hidden = hidden
    db.session.flush()
    _recount(thread)
    if hidden:
        notifications.withdraw(_link(thread.id) if post.is_opening else _link(thread.id, post.id))
        if not post.is_opening and post.parent_id is None:
            # Comments on a hidden response go with it.
            for child in db.session.scalars(select(Post.id).where(Post.parent_id == post.id)):
                notifications.withdraw(_link(thread.id, child))
    db.session.execute(
        update(PostReport)
        .where(PostReport.post_id == post.id, PostReport.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by_id=actor.id)
    )
    action = ModerationAction.HIDE if hidden else ModerationAction.SHOW
    _audit(thread.space_id, thread.id, post.id, actor, action, reason)
    db.session.flush()
    writers = select(Post.author_id).where(
        or_(Post.id == post.id, Post.parent_id == post.id)
        if not post.is_opening
        else Post.thread_id == thread.id
    )
    _participation_changed(thread.space_id, db.session.scalars(writers))


def dismiss_reports(thread: Thread, post: Post, actor: User, now: datetime) -> None:
    db.session.execute(
        update(PostReport)
        .where(PostReport.post_id == post.id, PostReport.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by_id=actor.id)
    )
    _audit(thread.space_id, thread.id, post.id, actor, ModerationAction.DISMISS, "")
    db.session.flush()


def set_locked(thread: Thread, actor: User, locked: bool, reason: str) -> None:
    thread.locked = locked
    action = ModerationAction.LOCK if locked else ModerationAction.UNLOCK
    _audit(thread.space_id, thread.id, None, actor, action, reason)
    db.session.flush()


def set_pinned(thread: Thread, actor: User, pinned: bool, reason: str) -> None:
    thread.pinned = pinned
    action = ModerationAction.PIN if pinned else ModerationAction.UNPIN
    _audit(thread.space_id, thread.id, None, actor, action, reason)
    db.session.flush()


def audit_of(space_id: int, limit: int = 50) -> list[tuple[ModerationAudit, User | None]]:
    return list(
        db.session.execute(
            select(ModerationAudit, User)
            .outerjoin(User, User.id == ModerationAudit.actor_id)
            .where(ModerationAudit.space_id == space_id)
            .order_by(ModerationAudit.created_at.desc(), ModerationAudit.id.desc())
            .limit(limit)
        ).all()
    )


def open_reports(space_id: int) -> list[tuple[PostReport, Post, Thread, User]]:
    """Unresolved reports on the space's posts, oldest first (moderators only)."""
    return list(
        db.session.execute(
            select(PostReport, Post, Thread, User)
            .join(Post, Post.id == PostReport.post_id)
            .join(Thread, Thread.id == Post.thread_id)
            .join(User, User.id == PostReport.reporter_id)
            .where(Thread.space_id == space_id, PostReport.resolved_at.is_(None))
            .order_by(PostReport.created_at, PostReport.id)
            .limit(200)
        ).all()
    )


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class ThreadRow:
    thread: Thread
    author: User | None
    unread: bool
    followed: bool


_FTS_TERM = re.compile(r"\w+", re.UNICODE)


def search_terms(query: str) -> list[str]:
    """The reader's words (letters and digits, at most 8): quotes, dashes, colons and every
    other search-syntax character are dropped, so no query can be a syntax error."""
    return _FTS_TERM.findall(query.lower())[:8]


def fts5_query(query: str) -> str:
    """The reader's words as an FTS5 query: every word quoted (so NEAR, AND/OR/NOT are
    plain words) and matched as a prefix (so "penyelenggara" finds "penyelenggaraan");
    all words must occur. Empty when there is no word."""
    return " ".join(f'"{term}"*' for term in search_terms(query))


def _search_ranking(query: str, dialect: str) -> Any:
    """(thread_id, score) for every thread whose title or a visible post has every word
    (as a prefix), higher score first. PostgreSQL: full-text search ('simple'
    configuration: no Indonesian stemmer ships with it) ranked by ts_rank, the title
    (weight A, searched with the opening post) weighing ten times the body. SQLite: the
    FTS5 table `discussion_post_fts` (kept by triggers, migration s4_discussion_fts)
    ranked by bm25, the title weighing ten times the body."""
    terms = search_terms(query)
    if not terms:  # nothing to look for (an empty FTS5 MATCH is even a syntax error)
        return (
            select(Post.thread_id.label("thread_id"), literal(0.0).label("score"))
            .where(false())
            .subquery("search_rank")
        )
    if dialect == "postgresql":
        tsquery = func.to_tsquery("simple", " & ".join(f"'{term}':*" for term in terms))
        body = func.to_tsvector("simple", Post.body)
        # an opening post is searched with its thread's title, the title weighing most
        document = case(
            (
                Post.is_opening,
                func.setweight(
                    func.to_tsvector("simple", Thread.title), literal_column("'A'::\"char\"")
                ).op("||")(body),
            ),
            else_=body,
        )
        return (
            select(
                Post.thread_id.label("thread_id"),
                func.max(func.ts_rank(document, tsquery)).label("score"),
            )
            .join(Thread, Thread.id == Post.thread_id)
            .where(visible_post(), document.op("@@")(tsquery))
            .group_by(Post.thread_id)
            .subquery("search_rank")
        )
    match = fts5_query(query)
    fts = table("discussion_post_fts", column("rowid"))
    fts_name = literal_column("discussion_post_fts")
    # bm25() only works in a query on the FTS table itself: rank there (a materialized CTE,
    # so SQLite does not flatten it into the join), then join the posts
    hits = (
        select(fts.c.rowid.label("post_id"), func.bm25(fts_name, 10.0, 1.0).label("bm25"))
        .where(fts_name.op("MATCH")(match))
        .cte("fts_hits")
        .prefix_with("MATERIALIZED")
    )
    return (
        select(Post.thread_id.label("thread_id"), func.max(-hits.c.bm25).label("score"))
        .join(hits, hits.c.post_id == Post.id)
        .where(visible_post())
        .group_by(Post.thread_id)
        .subquery("search_rank")
    )


def _threads(space_id: int | None, user: User, view: str, query: str) -> tuple[Select, Any]:
    stmt = select(Thread).where(Thread.space_id == space_id, Thread.hidden.is_(False))
    if view == "unanswered":
        stmt = stmt.where(Thread.kind == ThreadKind.QUESTION.value, Thread.answered.is_(False))
    elif view == "mine":
        stmt = stmt.where(Thread.author_id == user.id)
    elif view == "followed":
        stmt = stmt.where(
            exists().where(
                thread_follow.c.thread_id == Thread.id, thread_follow.c.user_id == user.id
            )
        )
    score = None
    if query:
        ranking = _search_ranking(query, db.engine.dialect.name)
        stmt = stmt.join(ranking, ranking.c.thread_id == Thread.id)
        score = ranking.c.score
    return stmt, score


def threads_query(
    space_id: int | None, user: User, *, view: str = "all", query: str = ""
) -> Select:
    """The visible threads of a space (never hidden ones), filtered by `view`: "all",
    "unanswered" (questions without an answer), "mine", "followed"; and a search over
    titles and visible posts."""
    return _threads(space_id, user, view, query)[0]


@functools.cache
def _thread_author() -> Any:
    """The alias for a thread's author, made once per process."""
    return aliased(User)


def thread_page(space_id: int | None, user: User, *, view: str, query: str, page: int) -> Page:
    """One page of threads (pinned first, then latest activity) with unread and followed
    marks: two statements whatever the size of the space."""
    base, score = _threads(space_id, user, view, query)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page = max(1, min(page, max(1, math.ceil(total / THREADS_PER_PAGE))))
    followed = exists().where(
        thread_follow.c.thread_id == Thread.id, thread_follow.c.user_id == user.id
    )
    author = _thread_author()
    rows = db.session.execute(
        base.add_columns(author, ThreadRead.read_at, followed.label("followed"))
        .outerjoin(author, author.id == Thread.author_id)
        .outerjoin(
            ThreadRead, and_(ThreadRead.thread_id == Thread.id, ThreadRead.user_id == user.id)
        )
        .order_by(
            # a search lists the best matches first; otherwise pinned, then latest activity
            *([score.desc()] if score is not None else []),
            Thread.pinned.desc(),
            Thread.last_activity_at.desc(),
            Thread.id.desc(),
        )
        .limit(THREADS_PER_PAGE)
        .offset((page - 1) * THREADS_PER_PAGE)
    ).all()
    items = [
        ThreadRow(
            thread=row[0],
            author=row[1],
            unread=row[2] is None or row[2] < row[0].last_activity_at,
            followed=bool(row[3]),
        )
        for row in rows
    ]
    return Page(items=items, page=page, per_page=THREADS_PER_PAGE, total=total)


@dataclass
class ThreadView:
    opening: Post
    responses: Page
    comments: dict[int, list[Post]] = field(default_factory=dict)
    files: dict[int, list[PostAttachment]] = field(default_factory=dict)
    voted: set[int] = field(default_factory=set)
    followed: bool = False
    revised: set[int] = field(default_factory=set)


def _posts() -> Select:
    return select(Post).options(
        joinedload(Post.author), joinedload(Post.author_region), joinedload(Post.endorsed_by)
    )


def thread_view(thread: Thread, user: User, *, page: int, moderator: bool) -> ThreadView:
    """The opening post, one page of responses (endorsed and accepted first, then oldest)
    and every comment on them, their files and the reader's votes: a fixed number of
    statements whatever the thread's size. Hidden posts only reach moderators."""
    opening = db.session.scalar(
        _posts().where(Post.thread_id == thread.id, Post.is_opening.is_(True))
    )
    if opening is None:
        raise LookupError(thread.id)
    visible = [] if moderator else [Post.hidden.is_(False)]
    responses_stmt = _posts().where(
        Post.thread_id == thread.id, Post.is_opening.is_(False), Post.parent_id.is_(None), *visible
    )
    total = (
        db.session.scalar(
            select(func.count(Post.id)).where(
                Post.thread_id == thread.id,
                Post.is_opening.is_(False),
                Post.parent_id.is_(None),
                *visible,
            )
        )
        or 0
    )
    page = max(1, min(page, max(1, math.ceil(total / RESPONSES_PER_PAGE))))
    responses = list(
        db.session.scalars(
            responses_stmt.order_by(
                Post.endorsed_by_id.is_(None), Post.accepted.is_(False), Post.created_at, Post.id
            )
            .limit(RESPONSES_PER_PAGE)
            .offset((page - 1) * RESPONSES_PER_PAGE)
        )
    )
    response_ids = [p.id for p in responses]
    comments: dict[int, list[Post]] = {}
    comment_rows = (
        list(
            db.session.scalars(
                _posts()
                .where(Post.parent_id.in_(response_ids), *visible)
                .order_by(Post.created_at, Post.id)
            )
        )
        if response_ids
        else []
    )
    for comment in comment_rows:
        comments.setdefault(comment.parent_id or 0, []).append(comment)
    ids = [opening.id, *response_ids, *(c.id for c in comment_rows)]
    files: dict[int, list[PostAttachment]] = {}
    for attachment in db.session.scalars(
        select(PostAttachment).where(PostAttachment.post_id.in_(ids)).order_by(PostAttachment.id)
    ):
        files.setdefault(attachment.post_id, []).append(attachment)
    voted = set(
        db.session.scalars(
            select(helpful_vote.c.post_id).where(
                helpful_vote.c.post_id.in_(ids), helpful_vote.c.user_id == user.id
            )
        )
    )
    revised = set(
        db.session.scalars(
            select(PostRevision.post_id).where(PostRevision.post_id.in_(ids)).distinct()
        )
    )
    followed = bool(
        db.session.scalar(
            select(
                exists().where(
                    thread_follow.c.thread_id == thread.id, thread_follow.c.user_id == user.id
                )
            )
        )
    )
    return ThreadView(
        opening=opening,
        responses=Page(items=responses, page=page, per_page=RESPONSES_PER_PAGE, total=total),
        comments=comments,
        files=files,
        voted=voted,
        followed=followed,
        revised=revised,
    )


def unanswered_count(user: User) -> int:
    """Questions in the module spaces of the user's cohorts that nobody has answered yet."""
    return (
        db.session.scalar(
            select(func.count(Thread.id))
            .join(Space, Space.id == Thread.space_id)
            .where(
                Space.kind == SpaceKind.MODULE.value,
                policy.space_scope(user),
                Thread.hidden.is_(False),
                Thread.kind == ThreadKind.QUESTION.value,
                Thread.answered.is_(False),
            )
        )
        or 0
    )


def unanswered_threads(user: User, limit: int = 20) -> list[tuple[Thread, Space]]:
    return list(
        db.session.execute(
            select(Thread, Space)
            .join(Space, Space.id == Thread.space_id)
            .where(
                Space.kind == SpaceKind.MODULE.value,
                policy.space_scope(user),
                Thread.hidden.is_(False),
                Thread.kind == ThreadKind.QUESTION.value,
                Thread.answered.is_(False),
            )
            .order_by(Thread.created_at, Thread.id)
            .limit(limit)
        ).all()
    )
