"""`lms stats rebuild` as a long job: an admin starts it from the national dashboard and
watches it on the job page; one at a time; nobody else may start or see it."""

from __future__ import annotations

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
