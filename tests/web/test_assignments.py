"""Practical assignments through the web: drafts and files that are never lost, versions,
resubmission limits, late penalties, rubric grading with conflicts between mentors,
release, notifications, blind grading, and who may open which submission or file."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from assignments.activity import AssignmentSettings, late_penalty
from assignments.models import Review, ReviewAudit, Submission, SubmissionFile
from courses.models import Activity, ActivityCompletion
from lms.notifications.models import Notification

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RUBRIC = [
    {"criterion": "Analisis", "levels": ["Kurang", "Cukup", "Baik"], "points": [0, 2, 4]},
    {"criterion": "Rencana", "levels": ["Kurang", "Cukup", "Baik"], "points": [0, 1, 3]},
    {"criterion": "Bukti", "levels": ["Kurang", "Cukup", "Baik"], "points": [0, 1, 3]},
]


def _course(make_course, **settings):
    config = {"brief": "Petakan regulasi SPBE di daerah Anda.", "rubric": RUBRIC, **settings}
    return make_course(modules=1, activities=(("tugas", "assignment", config),))


@pytest.fixture
def setup(db, make_user, make_cohort, make_course, attach):
    def make(**settings):
        participant = make_user("participant")
        mentor = make_user("mentor")
        cohort = make_cohort("32.11", mentors=[mentor], participants=[participant])
        attach(cohort, _course(make_course, **settings))
        activity = db.session.scalar(select(Activity).where(Activity.type == "assignment"))
        base = f"/learn/{cohort.id}/assignments/{activity.id}"
        return participant, mentor, cohort, activity, base

    return make


def _revision(html: str) -> str:
    match = re.search(r'name="revision" id="revision" value="(\d+)"', html)
    return match.group(1) if match else ""


def _stored(app) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "submissions"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def _submit(client, base, text="Analisis saya.", files=()):
    page = client.get(base).get_data(as_text=True)
    data = {"text": text, "revision": _revision(page)}
    if files:
        response = client.post_form(base + "/files", {**data, "files": list(files)})
        assert response.status_code == 302, response.get_data(as_text=True)[:400]
        page = client.get(base).get_data(as_text=True)
        data["revision"] = _revision(page)
    response = client.post_form(base + "/submit", data)
    if response.status_code != 200:  # refused: the assignment page with the error
        return response
    # The confirmation page, which carries the draft's revision; then the submit itself.
    confirmation = response.get_data(as_text=True)
    assert 'data-testid="confirmation"' in confirmation
    return client.post_form(
        base + "/submit", {"revision": _revision(confirmation), "confirmed": "yes"}
    )


def _grade(client, submission_id, levels=(2, 2, 2), action="grade", version=None):
    page = client.get(f"/grading/submissions/{submission_id}").get_data(as_text=True)
    if version is None:
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
    form = {f"criterion-{i}": str(level) for i, level in enumerate(levels)}
    form.update({"action": action, "comment": "Sudah baik.", "version": str(version)})
    return client.post_form(f"/grading/submissions/{submission_id}", form)


def test_late_penalty_arithmetic():
    def settings(**kw):
        base = {"brief": "x", "points": 10, "late_policy": "penalty", "penalty_per_day": 10}
        return AssignmentSettings.from_config({**base, **kw})

    assert late_penalty(8.0, 0, settings()) == 0.0
    assert late_penalty(8.0, 1, settings()) == 0.8
    assert late_penalty(8.0, 3, settings()) == pytest.approx(2.4)
    assert late_penalty(8.0, 12, settings()) == 8.0  # 120% of the grade is capped at all of it
    assert late_penalty(8.0, 12, settings(penalty_floor=50)) == 4.0  # half always remains
    assert late_penalty(8.0, 3, settings(late_policy="accept")) == 0.0


def test_draft_files_and_submission_become_a_version(db, client, login, setup):
    participant, mentor, cohort, activity, base = setup()
    login(participant)
    page = client.get(base).get_data(as_text=True)
    saved = client.post_form(
        base + "/draft",
        {"text": "Draf pertama", "revision": _revision(page)},
        headers={"X-Requested-With": "fetch"},
    )
    assert saved.status_code == 200 and saved.json["ok"]
    response = _submit(client, base, "Versi satu", files=[(io.BytesIO(PDF), "peta.pdf")])
    assert response.status_code == 302
    submission = db.session.scalar(select(Submission))
    assert (submission.number, submission.text, submission.status) == (1, "Versi satu", "submitted")
    stored = db.session.scalar(select(SubmissionFile))
    assert stored.submission_id == submission.id and stored.original_name == "peta.pdf"
    page = client.get(base).get_data(as_text=True)
    assert 'data-testid="submission"' in page and 'data-testid="draft"' not in page
    assert db.session.scalar(select(Notification.user_id)) == mentor.id


def test_a_disguised_html_file_is_refused_and_the_text_is_kept(db, app, client, login, setup):
    participant, _, _, _, base = setup()
    login(participant)
    before = _stored(app)
    page = client.get(base).get_data(as_text=True)
    evil = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
    for content, name in ((evil, "laporan.pdf"), (b"<svg onload=alert(1)></svg>", "gambar.png")):
        response = client.post_form(
            base + "/files",
            {
                "text": "Teks yang tidak boleh hilang",
                "revision": _revision(page),
                "files": [(io.BytesIO(content), name)],
            },
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert 'data-testid="error-files"' in html and name in html
        assert "Teks yang tidak boleh hilang" in html
    assert db.session.scalar(select(func.count(SubmissionFile.id))) == 0
    assert _stored(app) == before


def test_an_upload_that_fails_midway_leaves_nothing(db, app, client, login, setup):
    participant, _, _, _, base = setup()
    login(participant)
    before = _stored(app)
    page = client.get(base).get_data(as_text=True)
    response = client.post_form(
        base + "/files",
        {
            "text": "x",
            "revision": _revision(page),
            "files": [(io.BytesIO(PDF), "baik.pdf"), (io.BytesIO(b"MZ\x90\x00"), "virus.pdf")],
        },
    )
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(SubmissionFile.id))) == 0
    assert _stored(app) == before  # the good file, written first, went too


def test_a_stale_draft_form_cannot_overwrite_a_newer_one(db, client, login, setup):
    participant, _, _, _, base = setup()
    login(participant)
    old = _revision(client.get(base).get_data(as_text=True))
    client.post_form(base + "/draft", {"text": "Versi terbaru", "revision": old})
    stale = client.post_form(base + "/draft", {"text": "Versi lama", "revision": old})
    assert stale.status_code == 409
    assert "Versi lama" in stale.get_data(as_text=True)  # still on screen, not lost
    from assignments.models import SubmissionDraft

    assert db.session.scalar(select(SubmissionDraft.text)) == "Versi terbaru"


def test_return_resubmit_grade_release_and_the_resubmission_limit(db, client, login, setup):
    participant, mentor, cohort, activity, base = setup(resubmissions=1)
    login(participant)
    _submit(client, base, "Versi satu")
    client.post_form("/logout")
    login(mentor)
    first = db.session.scalar(select(Submission.id))
    assert _grade(client, first, action="return").status_code == 302
    client.post_form("/logout")
    login(participant)
    page = client.get(base).get_data(as_text=True)
    assert "Sudah baik." in page  # returned work carries its feedback
    assert _submit(client, base, "Versi dua yang lebih baik").status_code == 302
    client.post_form("/logout")
    login(mentor)
    second = db.session.scalar(select(Submission.id).where(Submission.number == 2))
    grading = client.get(f"/grading/submissions/{second}").get_data(as_text=True)
    assert 'data-testid="diff"' in grading and "lebih baik" in grading
    assert _grade(client, second, action="return").status_code == 302
    client.post_form("/logout")
    login(participant)
    response = _submit(client, base, "Versi tiga")
    assert response.status_code == 422  # one resubmission allowed, already used
    assert db.session.scalar(select(func.count(Submission.id))) == 2
    client.post_form("/logout")
    login(mentor)
    assert _grade(client, second, levels=(2, 2, 2)).status_code == 302
    client.post_form("/logout")
    login(participant)
    page = client.get(base).get_data(as_text=True)
    assert 'data-testid="grade"' not in page  # graded but not released yet
    client.post_form("/logout")
    login(mentor)
    assert client.post_form(f"/grading/submissions/{second}/release").status_code == 302
    client.post_form("/logout")
    login(participant)
    page = client.get(base).get_data(as_text=True)
    assert 'data-testid="grade"' in page and "10 " in page.split('data-testid="grade"')[1][:200]
    assert db.session.scalar(select(ActivityCompletion.source)) == "assignment"
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == participant.id)
    ).all()
    assert sorted(kinds) == ["feedback_released", "work_returned", "work_returned"]


def test_late_work_is_flagged_and_penalised(db, client, login, setup):
    # Three days before today in the cohort's zone (WIB), not the machine's: after 17:00 UTC
    # the machine's date is a day behind Jakarta's and the work would be four days late.
    past = datetime.now(ZoneInfo("Asia/Jakarta")).date() - timedelta(days=3)
    participant, mentor, _, _, base = setup(due_on=past, late_policy="penalty", penalty_per_day=10)
    login(participant)
    _submit(client, base, "Terlambat")
    submission = db.session.scalar(select(Submission))
    assert submission.late_days in (2, 3)  # depends on the hour in WIB
    client.post_form("/logout")
    login(mentor)
    _grade(client, submission.id, levels=(2, 2, 2))
    review = db.session.scalar(select(Review))
    assert review.raw_points == 10
    assert review.points == pytest.approx(10 - 10 * 0.1 * submission.late_days)


def test_two_mentors_grading_at_once_get_a_conflict_not_an_overwrite(
    db, client, login, setup, make_user
):
    participant, mentor, cohort, _, base = setup()
    other = make_user("mentor")
    from lms.cohorts.models import cohort_mentor

    db.session.execute(cohort_mentor.insert().values(cohort_id=cohort.id, user_id=other.id))
    db.session.commit()
    login(participant)
    _submit(client, base)
    submission_id = db.session.scalar(select(Submission.id))
    client.post_form("/logout")
    login(mentor)
    assert _grade(client, submission_id, levels=(2, 2, 2), action="save").status_code == 302
    first_version = db.session.scalar(select(Review.version))
    client.post_form("/logout")
    login(other)
    # The second mentor's page was opened before the first saved (version 0).
    conflict = _grade(client, submission_id, levels=(0, 0, 0), version=0)
    assert conflict.status_code == 409
    assert 'data-testid="conflict"' in conflict.get_data(as_text=True)
    db.session.expire_all()
    review = db.session.scalar(select(Review))
    assert review.raw_points == 10 and review.version == first_version
    # With the current version the second mentor can save, and both changes are audited.
    assert _grade(client, submission_id, levels=(1, 1, 1)).status_code == 302
    actions = db.session.scalars(select(ReviewAudit.action).order_by(ReviewAudit.id)).all()
    assert actions == ["save", "grade"]


def test_nobody_else_opens_a_submission_or_its_file(
    db, client, login, setup, make_user, make_cohort
):
    participant, mentor, cohort, activity, base = setup()
    classmate = make_user("participant")
    from lms.cohorts.models import Enrolment

    db.session.add(Enrolment(cohort_id=cohort.id, user_id=classmate.id))
    db.session.commit()
    login(participant)
    _submit(client, base, files=[(io.BytesIO(PDF), "milik-saya.pdf")])
    file_id = db.session.scalar(select(SubmissionFile.id))
    submission_id = db.session.scalar(select(Submission.id))
    response = client.get(f"/files/submissions/{file_id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response.close()
    client.post_form("/logout")
    login(classmate)
    assert client.get(f"/files/submissions/{file_id}").status_code == 403
    assert client.get(f"/grading/submissions/{submission_id}").status_code == 403
    assert "milik-saya" not in client.get(base).get_data(as_text=True)
    client.post_form("/logout")
    stranger_mentor = make_user("mentor")
    make_cohort("32.11", mentors=[stranger_mentor])
    login(stranger_mentor)
    assert client.get(f"/files/submissions/{file_id}").status_code == 403
    assert client.get(f"/grading/submissions/{submission_id}").status_code == 403
    assert client.get("/files/submissions/999999").status_code == 404
    client.post_form("/logout")
    login(mentor)
    response = client.get(f"/files/submissions/{file_id}")
    assert response.status_code == 200
    response.close()


def test_blind_grading_hides_names_until_release(db, client, login, setup):
    participant, mentor, _, _, base = setup(blind=True)
    login(participant)
    _submit(client, base)
    client.post_form("/logout")
    login(mentor)
    queue = client.get("/grading/").get_data(as_text=True)
    assert participant.name not in queue
    submission_id = db.session.scalar(select(Submission.id))
    page = client.get(f"/grading/submissions/{submission_id}").get_data(as_text=True)
    assert participant.name not in page
    _grade(client, submission_id)
    client.post_form(f"/grading/submissions/{submission_id}/release")
    page = client.get(f"/grading/submissions/{submission_id}").get_data(as_text=True)
    assert participant.name in page


def test_the_grading_queue_statements_do_not_grow(
    db, client, login, make_user, make_cohort, make_course, attach, count_queries
):
    mentor = make_user("mentor")
    version = _course(make_course)
    activity = db.session.scalar(select(Activity).where(Activity.type == "assignment"))
    counts = []
    for size in (2, 12):
        people = [make_user("participant") for _ in range(size)]
        cohort = make_cohort("32.11", mentors=[mentor], participants=people)
        attach(cohort, version)
        for person in people:
            login(person)
            _submit(client, f"/learn/{cohort.id}/assignments/{activity.id}")
            client.post_form("/logout")
        login(mentor)
        with count_queries() as counted:
            page = client.get("/grading/").get_data(as_text=True)
        counts.append(counted.n)
        client.post_form("/logout")
    assert page.count('data-testid="queue-row"') == 14
    # user, counts per state, queue page, cohorts, details (two): no COUNT of its own
    assert counts[0] == counts[1] == 6, counts


def test_the_queue_pager_counts_what_each_filter_shows(
    app, db, client, login, make_user, make_cohort, make_course, attach, monkeypatch
):
    """Three submissions, two a page: the pager's total follows the state filter (read from
    the counts per state) and the assignment filter (counted apart)."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    mentor = make_user("mentor")
    version = _course(make_course)
    activity = db.session.scalar(select(Activity).where(Activity.type == "assignment"))
    people = [make_user("participant") for _ in range(3)]
    cohort = make_cohort("32.11", mentors=[mentor], participants=people)
    attach(cohort, version)
    for person in people:
        login(person)
        _submit(client, f"/learn/{cohort.id}/assignments/{activity.id}")
        client.post_form("/logout")
    db.session.execute(
        update(Submission)
        .where(Submission.id == db.session.scalar(select(func.min(Submission.id))))
        .values(status="in_review")
    )
    db.session.commit()
    login(mentor)

    def pager(query):
        page = client.get("/grading/" + query).get_data(as_text=True)
        return page.count('data-testid="queue-row"'), "Total" in page and page.split("Total ")[1][0]

    assert pager("") == (2, "2")  # waiting: 2 of 3
    assert pager("?status=in_review") == (1, "1")
    assert pager("?status=all") == (2, "3")
    assert pager("?status=all&page=2") == (1, "3")
    assert pager("?status=graded") == (0, "0")
    assert pager("?status=all&assignment=tugas") == (2, "3")
    assert pager("?status=all&assignment=lain") == (0, "0")


def test_passed_work_can_be_proposed_as_a_practice_that_records_its_origin(
    db, client, login, setup, make_user
):
    from lms.practices.models import Practice
    from lms.practices.seed import seed_practices

    seed_practices()  # the shipped catalogue, as `lms practices seed` loads it
    db.session.commit()
    shipped = db.session.scalar(select(func.count(Practice.id)))
    origin = db.session.scalar(select(Practice).where(Practice.slug == "command-center-sumedang"))
    participant, mentor, _, activity, base = setup(practices=["command-center-sumedang"])
    login(participant)
    page = client.get(base).get_data(as_text=True)
    assert f'href="/practices/{origin.slug}"' in page and "missing-practices" not in page
    _submit(client, base, "Kami meniru command center dengan dasbor sederhana.")
    client.post_form("/logout")
    login(mentor)
    submission_id = db.session.scalar(select(Submission.id))
    _grade(client, submission_id, levels=(2, 2, 2))
    client.post_form(f"/grading/submissions/{submission_id}/release")
    client.post_form("/logout")
    login(participant)
    page = client.get(base).get_data(as_text=True)
    assert 'data-testid="propose"' in page
    url = f"{base}/submissions/{submission_id}/propose"
    form = {"title": "Dasbor Kabupaten", "summary": "Adaptasi", "origin": "command-center-sumedang"}
    client.post_form(url, form)  # no consent: nothing happens
    assert db.session.scalar(select(func.count(Practice.id))) == shipped
    response = client.post_form(url, {**form, "consent": "yes"})
    assert response.status_code == 302
    proposed = db.session.scalar(select(Practice).where(Practice.status == "proposed"))
    assert proposed.status == "proposed"
    assert proposed.derived_from_id == origin.id and proposed.source_submission_id == submission_id
    assert proposed.region_code == "32.11" and proposed.created_by_id == participant.id
    assert proposed.consent_at is not None  # the consent to publish is recorded
    assert client.post_form(url, {**form, "consent": "yes"}).status_code == 302
    assert db.session.scalar(select(func.count(Practice.id))) == shipped + 1  # not twice
    client.post_form("/logout")
    login(make_user("admin"))
    client.post_form(f"/practices/{proposed.slug}/status", {"status": "published"})
    page = client.get(f"/practices/{origin.slug}").get_data(as_text=True)
    assert "Dasbor Kabupaten" in page  # the original lists who adapted it since


def test_a_practice_the_task_names_but_the_catalog_lacks_is_shown_not_dropped(
    db, client, login, setup
):
    participant, _, _, _, base = setup(practices=["command-center-sumedang", "tidak-ada"])
    login(participant)
    page = client.get(base).get_data(as_text=True)
    notice = re.search(r'data-testid="missing-practices">([^<]*)<', page)
    assert notice is not None
    assert "command-center-sumedang" in notice.group(1) and "tidak-ada" in notice.group(1)


def test_a_cohort_gets_its_own_assignment_times(db, client, login, setup, make_user):
    participant, _, cohort, activity, base = setup()
    login(make_user("coordinator", region="32.11"))
    prefix = f"a{activity.id}"
    bad = client.post_form(
        f"/cohorts/{cohort.id}/assignments",
        {
            "activity": str(activity.id),
            f"{prefix}-due_at": "2026-12-10T08:00",
            f"{prefix}-cutoff_at": "2026-12-01T08:00",
        },
    )
    assert bad.status_code == 422
    ok = client.post_form(
        f"/cohorts/{cohort.id}/assignments",
        {
            "activity": str(activity.id),
            f"{prefix}-due_at": "2020-01-01T08:00",
            f"{prefix}-cutoff_at": "2020-01-02T08:00",
        },
    )
    assert ok.status_code == 302
    client.post_form("/logout")
    login(participant)
    page = client.get(base).get_data(as_text=True)
    assert 'data-testid="draft"' not in page and 'data-testid="blocked"' in page
    assert _submit(client, base).status_code == 422
    assert db.session.scalar(select(func.count(Submission.id))) == 0


def test_grades_are_released_in_bulk_per_assignment(
    db, client, login, make_user, make_cohort, make_course, attach
):
    mentor = make_user("mentor")
    people = [make_user("participant") for _ in range(3)]
    cohort = make_cohort("32.11", mentors=[mentor], participants=people)
    attach(cohort, _course(make_course))
    activity = db.session.scalar(select(Activity).where(Activity.type == "assignment"))
    base = f"/learn/{cohort.id}/assignments/{activity.id}"
    for person in people:
        login(person)
        _submit(client, base)
        client.post_form("/logout")
    login(mentor)
    ids = db.session.scalars(select(Submission.id).order_by(Submission.id)).all()
    for submission_id in ids[:2]:
        _grade(client, submission_id, levels=(2, 2, 2))
    response = client.post_form(f"/grading/cohorts/{cohort.id}/assignments/{activity.id}/release")
    assert response.status_code == 302
    released = db.session.scalars(select(Review.released).order_by(Review.submission_id)).all()
    assert released == [True, True]  # the ungraded third has no review to release
    assert db.session.scalar(select(func.count(ActivityCompletion.id))) == 2


def test_the_regions_coordinator_downloads_every_participants_latest_plan(
    db, client, login, make_user, make_cohort, make_course, attach
):
    import zipfile

    first, second = make_user("participant"), make_user("participant")
    mentor = make_user("mentor")
    cohort = make_cohort("32.11", mentors=[mentor], participants=[first, second])
    config = {"brief": "Rencana aksi.", "rubric": RUBRIC, "for_coordinator": True}
    attach(cohort, make_course(modules=1, activities=(("rencana-aksi", "assignment", config),)))
    activity = db.session.scalar(select(Activity).where(Activity.type == "assignment"))
    base = f"/learn/{cohort.id}/assignments/{activity.id}"
    login(first)
    _submit(client, base, "Rencana pertama.", files=[(io.BytesIO(PDF), "rencana.pdf")])
    client.post_form("/logout")
    login(second)
    _submit(client, base, "Rencana kedua.")
    client.post_form("/logout")

    url = f"/cohorts/{cohort.id}/assignments/{activity.id}/work.zip"
    login(make_user("coordinator", region="32.11"))
    assert 'data-testid="work-zip"' in client.get(f"/cohorts/{cohort.id}/assignments").get_data(
        as_text=True
    )
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    texts = [archive.read(n).decode() for n in names if n.endswith("teks.md")]
    assert sorted("pertama" in t for t in texts) == [False, True] and len(texts) == 2
    assert any(n.endswith("-rencana.pdf") and archive.read(n) == PDF for n in names)
    client.post_form("/logout")

    for outsider in (first, make_user("coordinator", region="35.10")):
        login(outsider)
        assert client.get(url).status_code == 403
        client.post_form("/logout")


def test_work_meant_only_for_mentors_is_not_offered_as_a_zip(db, client, login, setup, make_user):
    _, _, cohort, activity, _ = setup()
    login(make_user("coordinator", region="32.11"))
    assert client.get(f"/cohorts/{cohort.id}/assignments/{activity.id}/work.zip").status_code == 404


# --------------------------------------------------------------------------- submit (issue 19)


def test_a_file_sent_with_submit_is_uploaded_then_confirmed_never_dropped(
    db, app, client, login, setup
):
    participant, _, _, _, base = setup()
    login(participant)
    page = client.get(base).get_data(as_text=True)
    data = {"text": "Dengan lampiran.", "revision": _revision(page)}
    asked = client.post_form(base + "/submit", {**data, "files": [(io.BytesIO(PDF), "peta.pdf")]})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'data-testid="confirmation"' in html
    assert 'data-testid="preview-files"' in html and "peta.pdf" in html
    assert db.session.scalar(select(func.count(Submission.id))) == 0  # not before confirming
    assert db.session.scalar(select(SubmissionFile.original_name)) == "peta.pdf"  # in the draft
    done = client.post_form(base + "/submit", {"revision": _revision(html), "confirmed": "yes"})
    assert done.status_code == 302
    submission = db.session.scalar(select(Submission))
    stored = db.session.scalar(select(SubmissionFile))
    assert stored.submission_id == submission.id


def test_a_refused_file_sent_with_submit_keeps_the_text_and_submits_nothing(
    db, client, login, setup
):
    participant, _, _, _, base = setup()
    login(participant)
    page = client.get(base).get_data(as_text=True)
    evil = (io.BytesIO(b"<!DOCTYPE html><html></html>"), "laporan.pdf")
    data = {"text": "Teks yang tetap ada.", "revision": _revision(page), "files": [evil]}
    response = client.post_form(base + "/submit", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-testid="error-files"' in html
    assert "Teks yang tetap ada." in html
    assert db.session.scalar(select(func.count(Submission.id))) == 0
    assert db.session.scalar(select(func.count(SubmissionFile.id))) == 0
