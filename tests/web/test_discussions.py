"""Discussions: the three spaces, posting, answers, votes, follows, unread marks, search,
edits with history, files, moderation, and what each person may see."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from discussions.models import ModerationAudit, Post, Thread
from lms.notifications.models import Notification


@pytest.fixture
def world(db, make_user, make_cohort, make_course, attach):
    """Two regions' cohorts on one course, a third cohort on no course, a published practice."""
    from lms.practices.models import Practice

    people = {
        "asker": make_user("participant", region="32.11", name="Rina Marlina"),
        "peer": make_user("participant", region="32.11", name="Asep Saepudin"),
        "other": make_user("participant", region="35.10", name="Dewi Lestari"),
        "outsider": make_user("participant", region="73.71", name="Andi Baso"),
        "mentor": make_user("mentor", name="Dr. Budi Santoso"),
        "mentor_y": make_user("mentor", name="Dr. Sri Wahyuni"),
        "coordinator": make_user("coordinator", region="32.11"),
        "coordinator_b": make_user("coordinator", region="35.10"),
        "admin": make_user("admin"),
    }
    x = make_cohort(
        "32.11", mentors=[people["mentor"]], participants=[people["asker"], people["peer"]]
    )
    y = make_cohort("35.10", mentors=[people["mentor_y"]], participants=[people["other"]])
    make_cohort("73.71", participants=[people["outsider"]])
    version = make_course(modules=2)
    attach(x, version)
    attach(y, version)
    practice = Practice(slug="command-center", title="Command Center Sumedang", region_code="32.11")
    db.session.add(practice)
    db.session.commit()
    return {
        **people,
        "x": x.id,
        "y": y.id,
        "course": version.course_id,
        "module": "01-sesi",
        "practice": practice,
    }


def one(db, stmt):
    """A value read in the test's session, which then lets go (SQLite locks a reader's file)."""
    value = db.session.scalar(stmt)
    db.session.rollback()
    return value


def many(db, stmt):
    values = set(db.session.scalars(stmt))
    db.session.rollback()
    return values


def qa_url(w, cohort="x"):
    return f"/discussions/cohorts/{w[cohort]}/modules/{w['module']}"


def ask(client, w, title="Bagaimana menyusun arsitektur SPBE?", body="Mohon penjelasan.", **extra):
    response = client.post_form(
        qa_url(w) + "/new",
        {"kind": "question", "title": title, "body": body, "practice": "", **extra},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def reply(client, thread_id, body, parent=None, expect=302):
    data = {"body": body}
    if parent:
        data["parent"] = str(parent)
    response = client.post_form(f"/discussions/threads/{thread_id}/reply", data)
    assert response.status_code == expect, response.get_data(as_text=True)[:2000]
    match = re.search(r"#post-(\d+)", response.headers.get("Location", ""))
    return int(match.group(1)) if match else None


def test_question_answer_endorse_accept(client, login, world, db):
    login(world["asker"])
    thread_id = ask(client, world)
    # the mentor hears of the new question
    assert (
        one(
            db,
            select(func.count()).where(
                Notification.user_id == world["mentor"].id,
                Notification.kind == "discussion_question",
            ),
        )
        == 1
    )
    page = client.get(qa_url(world) + "?view=unanswered").get_data(as_text=True)
    assert "Bagaimana menyusun arsitektur SPBE?" in page
    client.post_form("/logout")
    login(world["mentor"])
    answer = reply(client, thread_id, "Mulai dari **proses bisnis**.")
    response = client.post_form(f"/discussions/posts/{answer}/endorse", {"value": "on"})
    assert response.status_code == 302
    client.post_form("/logout")
    login(world["asker"])
    kinds = many(db, select(Notification.kind).where(Notification.user_id == world["asker"].id))
    assert {"discussion_answer", "discussion_endorsed"} <= kinds
    client.post_form(f"/discussions/posts/{answer}/accept", {"value": "on"})
    page = client.get(f"/discussions/threads/{thread_id}").get_data(as_text=True)
    assert "<strong>proses bisnis</strong>" in page
    assert 'data-testid="endorsed"' in page and 'data-testid="accepted"' in page
    listing = client.get(qa_url(world) + "?view=unanswered").get_data(as_text=True)
    assert "Bagaimana menyusun" not in listing
    assert 'data-testid="resolved"' in client.get(qa_url(world)).get_data(as_text=True)


def test_only_asker_accepts_and_only_mentor_endorses(client, login, world):
    login(world["asker"])
    thread_id = ask(client, world)
    client.post_form("/logout")
    login(world["peer"])
    answer = reply(client, thread_id, "Coba lihat Perpres 95/2018.")
    assert client.post_form(f"/discussions/posts/{answer}/accept").status_code == 403
    assert client.post_form(f"/discussions/posts/{answer}/endorse").status_code == 403
    client.post_form("/logout")
    login(world["mentor_y"])  # a mentor of another cohort
    assert client.post_form(f"/discussions/posts/{answer}/endorse").status_code == 403


def test_comments_are_one_level_deep(client, login, world):
    login(world["asker"])
    thread_id = ask(client, world)
    answer = reply(client, thread_id, "Jawaban pertama.")
    comment = reply(client, thread_id, "Komentar pada jawaban.", parent=answer)
    assert comment
    reply(client, thread_id, "Komentar pada komentar.", parent=comment, expect=422)
    page = client.get(f"/discussions/threads/{thread_id}").get_data(as_text=True)
    assert (
        "Komentar pada jawaban." in page
        and "Komentar pada komentar." not in page.split('data-testid="reply-form"')[0]
    )


def test_markdown_is_sanitized(client, login, world):
    login(world["asker"])
    thread_id = ask(client, world, body="Halo <script>alert(1)</script> [x](javascript:alert(1))")
    page = client.get(f"/discussions/threads/{thread_id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "javascript:alert" not in page


def test_edit_keeps_visible_history(client, login, world, db):
    login(world["asker"])
    thread_id = ask(client, world, body="Teks pertama.")
    opening = one(db, select(Post.id).where(Post.thread_id == thread_id))
    response = client.post_form(
        f"/discussions/posts/{opening}/edit", {"title": "Judul baru", "body": "Teks kedua."}
    )
    assert response.status_code == 302
    history = client.get(f"/discussions/posts/{opening}/history").get_data(as_text=True)
    assert "Teks pertama." in history and "Teks kedua." in history
    page = client.get(f"/discussions/threads/{thread_id}").get_data(as_text=True)
    assert 'data-testid="history-link"' in page and "Judul baru" in page
    client.post_form("/logout")
    login(world["peer"])
    assert client.get(f"/discussions/posts/{opening}/edit").status_code == 403


def test_helpful_votes_toggle_and_not_own(client, login, world, db):
    login(world["asker"])
    thread_id = ask(client, world)
    opening = one(db, select(Post.id).where(Post.thread_id == thread_id))
    client.post_form(f"/discussions/posts/{opening}/helpful")
    assert db.session.get(Post, opening).helpful_count == 0
    client.post_form("/logout")
    login(world["peer"])
    client.post_form(f"/discussions/posts/{opening}/helpful")
    db.session.expire_all()
    assert db.session.get(Post, opening).helpful_count == 1
    client.post_form(f"/discussions/posts/{opening}/helpful")
    db.session.expire_all()
    assert db.session.get(Post, opening).helpful_count == 0


def test_follow_unread_and_reply_notifications(client, login, world, db):
    login(world["asker"])
    thread_id = ask(client, world)
    client.post_form("/logout")
    login(world["peer"])
    client.post_form(f"/discussions/threads/{thread_id}/follow", {"value": "on"})
    page = client.get(qa_url(world) + "?view=followed").get_data(as_text=True)
    assert 'data-testid="thread"' in page
    client.get(f"/discussions/threads/{thread_id}")  # read it
    assert 'data-testid="unread"' not in client.get(qa_url(world)).get_data(as_text=True)
    client.post_form("/logout")
    login(world["mentor"])
    reply(client, thread_id, "Jawaban mentor.")
    client.post_form("/logout")
    login(world["peer"])
    assert 'data-testid="unread"' in client.get(qa_url(world)).get_data(as_text=True)
    assert (
        one(
            db,
            select(func.count()).where(
                Notification.user_id == world["peer"].id, Notification.kind == "discussion_reply"
            ),
        )
        == 1
    )
    client.post_form(f"/discussions/threads/{thread_id}/follow", {"value": "off"})
    assert 'data-testid="thread"' not in client.get(qa_url(world) + "?view=followed").get_data(
        as_text=True
    )
    mine = client.get(qa_url(world) + "?view=mine").get_data(as_text=True)
    assert 'data-testid="thread"' not in mine


def test_mentions_only_reach_people_who_can_see_the_space(client, login, world, db):
    login(world["asker"])
    ask(client, world, body="@[Asep Saepudin] dan @[Dewi Lestari], bagaimana menurut Anda?")
    mentioned = many(
        db, select(Notification.user_id).where(Notification.kind == "discussion_mention")
    )
    assert mentioned == {world["peer"].id}  # Dewi is in another cohort


def test_forum_shows_regions_and_reaches_other_cohorts(client, login, world, db):
    login(world["asker"])
    response = client.post_form(
        f"/discussions/courses/{world['course']}/new",
        {
            "kind": "discussion",
            "title": "Berbagi pengalaman command center",
            "body": "Sumedang memakai dasbor terpadu.",
            "indicator": "7",
            "practice": str(world["practice"].id),
        },
    )
    assert response.status_code == 302
    thread_id = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post_form("/logout")
    login(world["other"])
    listing = client.get(f"/discussions/courses/{world['course']}").get_data(as_text=True)
    assert "Berbagi pengalaman command center" in listing
    assert 'data-testid="indicator-chip"' in listing and 'data-testid="practice-chip"' in listing
    reply(client, thread_id, "Banyuwangi juga mencoba hal serupa.")
    page = client.get(f"/discussions/threads/{thread_id}").get_data(as_text=True)
    assert "Kabupaten Sumedang" in page and "Kabupaten Banyuwangi" in page
    client.post_form("/logout")
    login(world["outsider"])  # enrolled, but not on this course
    assert client.get(f"/discussions/courses/{world['course']}").status_code == 403
    assert client.get(f"/discussions/threads/{thread_id}").status_code == 403


def test_practice_discussion_open_to_every_region(client, login, world):
    login(world["outsider"])
    response = client.post_form(
        "/discussions/practices/command-center/new",
        {"kind": "question", "title": "Berapa biaya awalnya?", "body": "Mohon info anggaran."},
    )
    assert response.status_code == 302
    client.post_form("/logout")
    login(world["coordinator_b"])  # another region's coordinator reads, but does not moderate
    page = client.get("/discussions/practices/command-center").get_data(as_text=True)
    assert "Berapa biaya awalnya?" in page and 'data-testid="moderation-link"' not in page
    client.post_form("/logout")
    login(world["coordinator"])  # the practice's own region moderates its discussion
    page = client.get("/discussions/practices/command-center").get_data(as_text=True)
    assert 'data-testid="moderation-link"' in page


def test_other_cohorts_threads_never_listed_or_found(client, login, world):
    login(world["asker"])
    thread_id = ask(client, world, title="Rahasia angkatan Sumedang")
    client.post_form("/logout")
    login(world["other"])
    assert client.get(qa_url(world)).status_code == 403
    assert client.get(f"/discussions/threads/{thread_id}").status_code == 403
    own = client.get(qa_url(world, "y") + "?q=Rahasia").get_data(as_text=True)
    assert "Rahasia angkatan" not in own
    client.post_form("/logout")
    login(world["mentor_y"])
    home = client.get("/discussions/unanswered").get_data(as_text=True)
    assert "Rahasia angkatan" not in home
    client.post_form("/logout")
    login(world["mentor"])
    assert "Rahasia angkatan" in client.get("/discussions/unanswered").get_data(as_text=True)


def test_search_finds_titles_and_bodies_not_hidden_posts(client, login, world, db):
    login(world["asker"])
    first = ask(client, world, title="Tentang interoperabilitas data", body="Satu Data Indonesia.")
    ask(client, world, title="Pertanyaan lain", body="Tentang jaringan intra pemerintah.")
    page = client.get(qa_url(world) + "?q=interoperabilitas").get_data(as_text=True)
    assert "Tentang interoperabilitas data" in page and "Pertanyaan lain" not in page
    page = client.get(qa_url(world) + "?q=jaringan").get_data(as_text=True)
    assert "Pertanyaan lain" in page and "interoperabilitas data" not in page
    answer = reply(client, first, "Kata kunci tersembunyi: kuda.")
    client.post_form("/logout")
    login(world["mentor"])
    client.post_form(f"/discussions/posts/{answer}/hide", {"value": "on", "reason": "uji"})
    client.post_form("/logout")
    login(world["peer"])
    assert "interoperabilitas" not in client.get(qa_url(world) + "?q=kuda").get_data(as_text=True)


def test_search_ranks_best_match_first_and_follows_edits(client, login, world, db):
    """Ranked search (FTS5 on SQLite, ts_rank on PostgreSQL): the thread whose title and
    body both speak of the words comes before one that mentions them once in a reply;
    an edited title is found by its new words, no longer by the old ones."""
    login(world["asker"])
    best = ask(
        client,
        world,
        title="Arsitektur layanan kependudukan",
        body="Arsitektur layanan kependudukan terpadu antar perangkat daerah.",
    )
    once = ask(client, world, title="Rapat koordinasi", body="Jadwal rapat bulan depan.")
    reply(client, once, "Sekalian: bagaimana dengan arsitektur layanan kependudukan?")
    # without a search the latest activity comes first
    page = client.get(qa_url(world)).get_data(as_text=True)
    assert page.index("Rapat koordinasi") < page.index("Arsitektur layanan kependudukan")
    page = client.get(qa_url(world) + "?q=arsitektur+layanan").get_data(as_text=True)
    titles = re.findall(r'data-testid="thread-link"><strong>([^<]+)</strong>', page)
    assert titles == ["Arsitektur layanan kependudukan", "Rapat koordinasi"]
    opening = one(db, select(Post.id).where(Post.thread_id == best, Post.is_opening.is_(True)))
    client.post_form(
        f"/discussions/posts/{opening}/edit",
        {"title": "Portal pelayanan terpadu", "body": "Isi diganti seluruhnya."},
    )
    page = client.get(qa_url(world) + "?q=pelayanan").get_data(as_text=True)
    assert "Portal pelayanan terpadu" in page
    page = client.get(qa_url(world) + "?q=terpadu+perangkat").get_data(as_text=True)
    assert 'data-testid="thread"' not in page


@pytest.mark.parametrize(
    "query",
    ['"', 'arsitektur "SPBE', "NEAR(a b)", "a OR", "-", "*", "kependudukan:", "^x", "(", "'; --"],
)
def test_search_syntax_in_query_is_plain_text(client, login, world, db, query):
    """FTS5 operators and quotes the reader types are words, never a server error."""
    login(world["asker"])
    ask(client, world, title="Arsitektur SPBE", body="Kependudukan dan NEAR jaringan.")
    response = client.get(qa_url(world), query_string={"q": query})
    assert response.status_code == 200


def test_search_prefix_finds_indonesian_derived_words(client, login, world, db):
    login(world["asker"])
    ask(client, world, title="Pelaporan kinerja", body="Penyelenggaraan layanan publik.")
    page = client.get(qa_url(world), query_string={"q": "penyelenggara"}).get_data(as_text=True)
    assert "Pelaporan kinerja" in page
    page = client.get(qa_url(world), query_string={"q": "kinerja, layanan!"}).get_data(as_text=True)
    assert "Pelaporan kinerja" in page


def test_report_then_hide_removes_everywhere_with_audit(client, login, world, db):
    login(world["asker"])
    thread_id = ask(client, world)
    client.post_form("/logout")
    login(world["peer"])
    bad = reply(client, thread_id, "Iklan pinjaman online @[Rina Marlina]")
    client.post_form("/logout")
    login(world["asker"])
    assert (
        client.post_form(f"/discussions/posts/{bad}/report", {"reason": "spam"}).status_code == 302
    )
    assert one(db, select(func.count()).where(Notification.link.like(f"%#post-{bad}"))) >= 1
    client.post_form("/logout")
    login(world["coordinator"])  # the region's coordinator moderates the cohort's spaces
    space_page = client.get(qa_url(world)).get_data(as_text=True)
    assert 'data-testid="report-count">1<' in space_page
    space_id = one(db, select(Thread.space_id).where(Thread.id == thread_id))
    moderation = client.get(f"/discussions/spaces/{space_id}/moderation").get_data(as_text=True)
    assert "spam" in moderation
    client.post_form(f"/discussions/posts/{bad}/hide", {"value": "on", "reason": "spam"})
    assert db.session.scalar(select(func.count(ModerationAudit.id))) == 1
    assert one(db, select(func.count()).where(Notification.link.like(f"%#post-{bad}"))) == 0
    db.session.expire_all()
    assert db.session.get(Thread, thread_id).reply_count == 0
    assert db.session.get(Thread, thread_id).answered is False
    client.post_form("/logout")
    login(world["asker"])
    page = client.get(f"/discussions/threads/{thread_id}").get_data(as_text=True)
    assert "pinjaman online" not in page
    assert client.get(f"/discussions/posts/{bad}/history").status_code == 404
    found = client.get(qa_url(world) + "?q=pinjaman").get_data(as_text=True)
    assert 'data-testid="thread"' not in found


def test_hidden_thread_leaves_lists_and_lock_pin(client, login, world, db):
    login(world["asker"])
    first = ask(client, world, title="Utas pertama")
    ask(client, world, title="Utas kedua")
    opening = one(db, select(Post.id).where(Post.thread_id == first, Post.is_opening))
    client.post_form("/logout")
    login(world["mentor"])
    second = one(db, select(Thread.id).where(Thread.title == "Utas kedua"))
    client.post_form(f"/discussions/threads/{second}/pin", {"value": "on"})
    client.post_form(f"/discussions/threads/{second}/lock", {"value": "on"})
    client.post_form(f"/discussions/posts/{opening}/hide", {"value": "on"})
    client.post_form("/logout")
    login(world["peer"])
    page = client.get(qa_url(world)).get_data(as_text=True)
    assert "Utas pertama" not in page and "1 total" not in page
    assert 'data-testid="pinned"' in page and 'data-testid="locked"' in page
    assert client.get(f"/discussions/threads/{first}").status_code == 404
    reply(client, second, "Masih bisa?", expect=422)
    assert db.session.scalar(select(func.count(ModerationAudit.id))) == 3


def test_posting_is_rate_limited(app, client, login, world, monkeypatch):
    monkeypatch.setitem(app.config, "DISCUSSION_POST_LIMIT", "2 per minute")
    login(world["asker"])
    thread_id = ask(client, world)
    reply(client, thread_id, "Satu.")
    reply(client, thread_id, "Dua.", expect=429)


def test_attachments_checked_by_content_and_served_to_readers(client, login, world, db):
    login(world["asker"])
    token = client.csrf_token()
    response = client.post(
        qa_url(world) + "/new",
        data={
            "csrf_token": token,
            "kind": "question",
            "title": "Dengan lampiran",
            "body": "Lihat berkas.",
            "practice": "",
            "files": [(io.BytesIO(b"<html><script>x</script></html>"), "catatan.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "catatan.pdf" in response.get_data(as_text=True)
    response = client.post(
        qa_url(world) + "/new",
        data={
            "csrf_token": token,
            "kind": "question",
            "title": "Dengan lampiran",
            "body": "Lihat berkas.",
            "practice": "",
            "files": [(io.BytesIO(b"%PDF-1.4\n%test\n"), "catatan.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/discussions/attachments/\d+)"', page).group(1)
    download = client.get(link)
    assert download.status_code == 200
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()
    client.post_form("/logout")
    login(world["other"])
    assert client.get(link).status_code == 403


@pytest.mark.parametrize("many", [False, True])
def test_statement_counts_do_not_grow(client, login, world, db, count_queries, many):
    from datetime import timedelta

    from discussions import services
    from discussions.policy import SpaceKind, SpaceRef
    from lms.auth.models import User
    from lms.models import utcnow

    asker = db.session.get(User, world["asker"].id)
    peer = db.session.get(User, world["peer"].id)
    ref = SpaceRef(
        kind=SpaceKind.MODULE,
        key=f"module:{world['x']}:{world['module']}",
        title="Sesi 1",
        cohort_id=world["x"],
        module_slug=world["module"],
        region_code="32.11",
    )
    now = utcnow()
    threads = 60 if many else 10
    for n in range(threads):
        thread = services.create_thread(
            ref, asker, services.ThreadInput(f"Utas {n}", "Isi."), [], now - timedelta(minutes=n)
        )
    for n in range(45 if many else 3):
        post = services.reply(ref, thread, peer, f"Balasan {n}", None, [], now)
        services.reply(ref, thread, asker, "Komentar", post.id, [], now)
    if many:  # past 10,000 posts: 1,000 more threads and 9,000 more answers, in bulk
        from sqlalchemy import func, insert, select, update

        from discussions.models import Post, Thread

        old = now - timedelta(days=30)
        first = db.session.scalar(select(func.max(Thread.id))) + 1
        db.session.execute(
            insert(Thread),
            [
                dict(id=first + n, space_id=thread.space_id, author_id=asker.id, title=f"Lama {n}",
                     created_at=old, last_activity_at=old)
                for n in range(1000)
            ],
        )  # fmt: skip
        db.session.execute(
            insert(Post),
            [
                dict(thread_id=first + n, is_opening=True, author_id=asker.id, body="Isi lama.",
                     author_region_code="32.11", created_at=old)
                for n in range(1000)
            ]
            + [
                dict(thread_id=thread.id, author_id=peer.id, body=f"Jawaban {n}",
                     author_region_code="32.11", created_at=now)
                for n in range(9000)
            ],
        )  # fmt: skip
        db.session.execute(
            update(Thread)
            .where(Thread.id == thread.id)
            .values(reply_count=Thread.reply_count + 9000)
        )
        assert db.session.scalar(select(func.count(Post.id))) > 10_000
    db.session.commit()
    login(world["mentor"])
    client.get(qa_url(world))
    client.get(f"/discussions/threads/{thread.id}")
    with count_queries() as listing:
        assert client.get(qa_url(world)).status_code == 200
    with count_queries() as page:
        response = client.get(f"/discussions/threads/{thread.id}")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('data-testid="response"') == (20 if many else 3)
    counts = (listing.n, page.n)
    # as a mentor: with the grading links; reading again a thread with nothing new since
    # the first look writes nothing
    pinned = {"list": 12, "thread": 17}
    assert counts == (pinned["list"], pinned["thread"]), counts


def test_reading_again_writes_nothing_until_something_new_is_posted(
    client, login, world, db, count_queries
):
    from discussions.models import ThreadRead

    def read_at():
        db.session.expire_all()
        return db.session.get(ThreadRead, (thread_id, world["peer"].id)).read_at

    login(world["asker"])
    thread_id = ask(client, world)
    client.post_form("/logout")
    login(world["peer"])
    client.get(f"/discussions/threads/{thread_id}")
    first = read_at()
    with count_queries() as again:
        page = client.get(f"/discussions/threads/{thread_id}").get_data(as_text=True)
    assert read_at() == first and 'data-testid="new-post"' not in page
    assert not any(s.lstrip().upper().startswith(("UPDATE", "INSERT")) for s in again.statements)
    client.post_form("/logout")
    login(world["mentor"])
    reply(client, thread_id, "Jawaban mentor.")
    client.post_form("/logout")
    login(world["peer"])
    page = client.get(f"/discussions/threads/{thread_id}").get_data(as_text=True)
    assert page.count('data-testid="new-post"') == 1  # the mentor's answer, new since
    assert read_at() > first
    page = client.get(f"/discussions/threads/{thread_id}").get_data(as_text=True)
    assert 'data-testid="new-post"' not in page


def test_mentor_home_is_a_todo_list(client, login, world, db):
    login(world["asker"])
    ask(client, world, title="Belum dijawab")
    client.post_form("/logout")
    login(world["mentor"])
    page = client.get("/home").get_data(as_text=True)
    todo = page.split('data-testid="todo"')[1].split("</section>")[0]
    questions = todo.split('data-testid="todo-questions"')[1].split("</li>")[0]
    assert '<strong data-testid="todo-count">1</strong>' in questions
    assert "/discussions/unanswered" in questions
    submissions = todo.split('data-testid="todo-submissions"')[1].split("</li>")[0]
    assert '<strong data-testid="todo-count">0</strong>' in submissions
    assert 'data-testid="todo-meeting"' in todo
    client.post_form("/logout")
    login(world["mentor_y"])  # the other region's mentor has nothing to answer
    page = client.get("/home").get_data(as_text=True)
    questions = page.split('data-testid="todo-questions"')[1].split("</li>")[0]
    assert '<strong data-testid="todo-count">0</strong>' in questions


def test_demo_seeds_threads_once(app, db):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0
    titles = many(db, select(Thread.title))
    assert len(titles) == 4
    assert "Belajar dari Command Center Sumedang: mulai dari data apa?" in titles
    assert one(db, select(func.count(Post.id)).where(Post.endorsed_by_id.is_not(None))) == 1
    assert (
        one(
            db, select(func.count(Notification.id)).where(Notification.kind == "discussion_mention")
        )
        == 1
    )


def test_comments_under_a_hidden_response_go_with_it(client, login, world, db):
    login(world["asker"])
    thread_id = ask(client, world)
    client.post_form("/logout")
    login(world["peer"])
    answer = reply(client, thread_id, "Jawaban yang melanggar.")
    reply(client, thread_id, "Komentar berisi kata zebra.", parent=answer)
    client.post_form("/logout")
    login(world["mentor"])
    client.post_form(f"/discussions/posts/{answer}/hide", {"value": "on", "reason": "uji"})
    assert one(db, select(Thread.reply_count).where(Thread.id == thread_id)) == 0
    client.post_form("/logout")
    login(world["asker"])
    assert "zebra" not in client.get(f"/discussions/threads/{thread_id}").get_data(as_text=True)
    found = client.get(qa_url(world) + "?q=zebra").get_data(as_text=True)
    assert 'data-testid="thread"' not in found


def test_a_practice_question_reaches_the_region_that_wrote_it(client, login, world, db):
    login(world["other"])
    client.post_form(
        "/discussions/practices/command-center/new",
        {"kind": "question", "title": "Berapa lama membangunnya?", "body": "Mohon cerita."},
    )
    told = many(db, select(Notification.user_id).where(Notification.kind == "discussion_question"))
    assert told == {world["coordinator"].id}
