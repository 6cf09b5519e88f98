"""`lms stats rebuild` as a long job: an admin starts it from the national dashboard and
watches it on the job page; one at a time; nobody else may start or see it."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from lms.longjobs.models import JobRun
from lms.tracking.models import CohortStats

START = "/jobs/start/stats_rebuild"


def _two_cohorts(make_user, make_cohort, make_course, attach):
    course = make_course(modules=1)
    for code in ("32.11", "32.73"):
        people = [make_user("participant", region=code) for _ in range(2)]
        attach(make_cohort(code, participants=people), course)


def test_an_admin_rebuilds_the_statistics_from_the_national_dashboard(
    client, db, login, make_user, make_cohort, make_course, attach
):
    _two_cohorts(make_user, make_cohort, make_course, attach)
    db.session.execute(delete(CohortStats))  # figures lost behind the hooks' back
    db.session.commit()
    login(make_user("admin"))
    page = client.get("/admin/dashboard").get_data(as_text=True)
    assert 'data-testid="stats-rebuild-job"' in page and "Hitung ulang statistik" in page
    assert client.post(START, data={}).status_code == 400  # no CSRF token
    response = client.post_form(START)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-status="done"' in page and 'http-equiv="refresh"' not in page
    assert "Statistik 2 angkatan telah dihitung ulang." in page
    assert 'data-testid="job-download"' not in page and 'data-testid="job-expired"' not in page
    db.session.expire_all()
    rows = db.session.scalars(select(CohortStats)).all()
    assert sorted(r.enrolled for r in rows) == [2, 2]


def test_only_admins_may_start_or_watch_it(client, db, login, make_user):
    admin = make_user("admin")
    job = JobRun(user_id=admin.id, kind="stats_rebuild", status="running", done=1, total=4)
    db.session.add(job)
    db.session.commit()
    for role in ("mentor", "coordinator", "participant"):
        login(make_user(role))
        assert client.post_form(START).status_code == 403
        assert client.get(f"/jobs/{job.id}").status_code == 404
        client.post_form("/logout")
    assert db.session.scalar(select(func.count(JobRun.id))) == 1
    # another admin sees the running rebuild (it is everyone's, one at a time)
    login(make_user("admin"))
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Sedang diproses: 1 dari 4 angkatan." in page
    assert 'http-equiv="refresh"' in page


def test_a_second_click_while_it_runs_watches_the_running_job(client, db, login, make_user):
    admin = make_user("admin")
    running = JobRun(user_id=admin.id, kind="stats_rebuild", status="running", done=3, total=9)
    db.session.add(running)
    db.session.commit()
    login(admin)
    first = client.post_form(START)
    second = client.post_form(START)
    assert first.headers["Location"].endswith(f"/jobs/{running.id}")
    assert second.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(select(func.count(JobRun.id))) == 1
    # once it has finished, a click starts a new rebuild
    running.status = "done"
    db.session.commit()
    third = client.post_form(START)
    assert not third.headers["Location"].endswith(f"/jobs/{running.id}")
    assert db.session.scalar(select(func.count(JobRun.id))) == 2


def test_the_database_lets_in_one_unfinished_rebuild_at_a_time(db, make_user):
    from sqlalchemy.exc import IntegrityError

    admin = make_user("admin")

    def job(status, single=True, kind="stats_rebuild"):
        return JobRun(user_id=admin.id, kind=kind, status=status, single_run=single)

    db.session.add_all([job("done"), job("failed"), job("queued")])
    db.session.commit()
    for status in ("queued", "running"):
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.add(job(status))
    # other kinds, and jobs of kinds that may run side by side, are not held back
    db.session.add_all([job("queued", single=False), job("running", kind="national_export")])
    db.session.commit()
    assert db.session.scalar(select(func.count(JobRun.id))) == 5


def test_two_first_clicks_at_once_watch_the_same_rebuild(db, app, make_user, monkeypatch):
    """The second click's look for a running rebuild comes before the first's row exists
    (two requests in the same instant): its insert hits the index and it watches the first."""
    from lms.longjobs import services

    first_admin, second_admin = make_user("admin"), make_user("admin")
    first = JobRun(user_id=first_admin.id, kind="stats_rebuild", status="queued", single_run=True)
    db.session.add(first)
    db.session.commit()
    looks = []
    real = services.unfinished

    def late(name):
        looks.append(name)
        return None if len(looks) == 1 else real(name)  # the first look sees nothing yet

    monkeypatch.setattr(services, "unfinished", late)
    with app.test_request_context():
        watched = services.start(second_admin, "stats_rebuild", {})
    assert watched.id == first.id and looks == ["stats_rebuild", "stats_rebuild"]
    db.session.commit()
    assert db.session.scalar(select(func.count(JobRun.id))) == 1
