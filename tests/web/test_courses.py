"""Course delivery and authoring through the web: session plan, module pages, completion,
unlock rules, versions, Markdown safety and packages as zip files."""

from __future__ import annotations

import html
import io
import zipfile
from datetime import date, timedelta

from sqlalchemy import func, select

from courses import package as pkg
from courses.archive import make_zip
from courses.models import Activity, ActivityCompletion, CourseVersion, Module
from lms.cohorts.models import Cohort
from tests.conftest import course_package


def _module_ids(db, version) -> list[int]:
    return list(
        db.session.scalars(
            select(Module.id).where(Module.version_id == version.id).order_by(Module.position)
        )
    )


def _setup(db, make_user, make_cohort, make_course, attach, **course):
    participant = make_user("participant")
    mentor = make_user("mentor")
    cohort = make_cohort("32.11", mentors=[mentor], participants=[participant])
    version = make_course(**course)
    attach(cohort, version)
    return participant, mentor, cohort, version


def test_participant_home_shows_the_session_plan(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant, _, _cohort, _ = _setup(db, make_user, make_cohort, make_course, attach)
    login(participant)
    page = client.get("/home").get_data(as_text=True)
    assert page.count('data-testid="plan-row"') == 3
    assert "Sesi 1" in page and "Sesi 3" in page
    assert 'data-testid="next-module"' in page
    assert "Tersedia" in page  # available, in Indonesian by default


def test_opening_a_module_completes_its_reading_but_not_its_meeting(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant, _, cohort, version = _setup(db, make_user, make_cohort, make_course, attach)
    login(participant)
    first = _module_ids(db, version)[0]
    page = client.get(f"/learn/{cohort.id}/modules/{first}").get_data(as_text=True)
    assert "Isi materi sesi." in page
    assert "Tujuan sesi 1." in page
    assert "Sedang berjalan" in page  # in progress: reading done, meeting not yet
    done = db.session.scalars(select(ActivityCompletion.source)).all()
    assert done == ["view"]
    # Opening it again records nothing twice.
    client.get(f"/learn/{cohort.id}/modules/{first}")
    assert db.session.scalar(select(func.count(ActivityCompletion.id))) == 1


def test_a_module_waits_for_its_date_and_says_so(
    db, client, login, make_user, make_cohort, make_course, attach
):
    later = date.today() + timedelta(days=30)
    participant, _, cohort, version = _setup(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        unlock={2: pkg.UnlockRule(on=later, after=())},
    )
    login(participant)
    second = _module_ids(db, version)[1]
    page = client.get(f"/learn/{cohort.id}/modules/{second}").get_data(as_text=True)
    assert 'data-testid="module-locked"' in page
    assert "Isi materi sesi." not in page
    assert "Dibuka pada" in page
    assert db.session.scalar(select(func.count(ActivityCompletion.id))) == 0


def test_a_module_opens_once_the_modules_it_waits_for_are_complete(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant, _, cohort, version = _setup(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        activities=(("bacaan", "reading"),),
        unlock={2: pkg.UnlockRule(on=None, after=("01-sesi",))},
    )
    login(participant)
    first, second = _module_ids(db, version)[:2]
    page = client.get(f"/learn/{cohort.id}/modules/{second}").get_data(as_text=True)
    assert 'data-testid="module-locked"' in page and "Sesi 1" in page
    client.get(f"/learn/{cohort.id}/modules/{first}")  # reading it completes module 1
    page = client.get(f"/learn/{cohort.id}/modules/{second}").get_data(as_text=True)
    assert 'data-testid="module-locked"' not in page
    assert "Isi materi sesi." in page


def test_authored_markdown_never_carries_script_to_the_page(
    db, client, login, make_user, make_cohort, make_course, attach
):
    evil = (
        "# Judul\n\n<script>alert('x')</script>\n\n<img src=x onerror=\"alert(1)\">\n\n"
        '[klik](javascript:alert(1))\n\n<a href="JAVASCRIPT:alert(2)">b</a>\n'
    )
    participant, _, cohort, version = _setup(
        db, make_user, make_cohort, make_course, attach, material=evil
    )
    login(participant)
    page = client.get(f"/learn/{cohort.id}/modules/{_module_ids(db, version)[0]}").get_data(
        as_text=True
    )
    material = page.split('data-testid="material"', 1)[1]
    assert "<h1>Judul</h1>" in material
    assert "<script>alert" not in page
    assert "onerror" not in material
    assert "javascript:" not in material.lower()


def test_preview_renders_sanitized_markdown_for_admins_only(client, login, make_user):
    admin = make_user("admin")
    login(admin)
    response = client.post_form(
        "/admin/courses/preview", {"text": "**tebal** <script>x()</script> [a](javascript:x)"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>tebal</strong>" in html
    assert "<script" not in html and "javascript:" not in html
    client.post_form("/logout")
    login(make_user("mentor"))
    assert client.post_form("/admin/courses/preview", {"text": "x"}).status_code == 403


def test_publishing_makes_a_new_version_and_cohorts_keep_theirs(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant, _, cohort, v1 = _setup(db, make_user, make_cohort, make_course, attach)
    admin = make_user("admin")
    login(admin)
    course_id = v1.course_id
    assert client.post_form(f"/admin/courses/{course_id}/draft").status_code == 302
    draft = db.session.scalar(
        select(CourseVersion).where(
            CourseVersion.course_id == course_id, CourseVersion.status == "draft"
        )
    )
    assert draft.label == "1.1.0"
    module = db.session.scalar(
        select(Module).where(Module.version_id == draft.id, Module.position == 1)
    )
    form = {
        "slug": module.slug,
        "title": "Sesi 1 yang diperbarui",
        "summary": module.summary,
        "objectives": "Tujuan baru",
        "duration_minutes": "45",
        "indicators": "1, 2",
        "material": "Materi baru",
        "meeting_minutes": "90",
        "meeting_agenda": "Paparan",
        "revision": str(module.revision),
    }
    response = client.post_form(f"/admin/courses/{course_id}/modules/{module.id}/edit", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    asked = client.post_form(f"/admin/courses/{course_id}/publish")
    assert asked.status_code == 200 and 'data-testid="confirmation"' in asked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CourseVersion, draft.id).status == "draft"  # not before confirming
    confirmed = {"confirmed": "yes"}
    assert client.post_form(f"/admin/courses/{course_id}/publish", confirmed).status_code == 302
    db.session.expire_all()
    assert db.session.get(CourseVersion, draft.id).status == "published"
    from lms.audit.models import AuditEvent

    published = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "course.publish"))
    assert published.object_id == str(draft.id) and published.after["version"] == "1.1.0"
    # The cohort still follows version 1 and sees its content.
    assert db.session.get(Cohort, cohort.id).course_version_id == v1.id
    client.post_form("/logout")
    login(participant)
    page = client.get("/home").get_data(as_text=True)
    assert "Sesi 1" in page and "yang diperbarui" not in page


def test_a_published_version_cannot_be_edited(db, client, login, make_user, make_course):
    version = make_course()
    login(make_user("admin"))
    module_id = _module_ids(db, version)[0]
    response = client.post_form(
        f"/admin/courses/{version.course_id}/modules/{module_id}/edit", {"title": "x"}
    )
    assert response.status_code == 302  # sent back: start a draft first
    assert db.session.get(Module, module_id).title == "Sesi 1"


def test_publishing_an_invalid_draft_lists_the_problems(db, client, login, make_user):
    login(make_user("admin"))
    response = client.post_form(
        "/admin/courses/new",
        {"slug": "kosong", "title": "Kosong", "label": "1.0.0", "language": "id"},
    )
    assert response.status_code == 302
    course_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    response = client.post_form(f"/admin/courses/{course_id}/publish")
    assert response.status_code == 422
    assert 'data-testid="package-problems"' in response.get_data(as_text=True)
    assert db.session.scalar(select(CourseVersion.status)) == "draft"


def test_moving_a_cohort_keeps_old_records_and_carries_progress(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant, _, cohort, v1 = _setup(db, make_user, make_cohort, make_course, attach)
    login(participant)
    client.get(f"/learn/{cohort.id}/modules/{_module_ids(db, v1)[0]}")
    v2 = make_course(version="1.1.0", title="Kursus Uji (revisi)")
    attach(cohort, v2)
    rows = db.session.execute(
        select(Activity.module_id, ActivityCompletion.source).join(
            Activity, Activity.id == ActivityCompletion.activity_id
        )
    ).all()
    old_first, new_first = _module_ids(db, v1)[0], _module_ids(db, v2)[0]
    assert sorted(rows) == sorted([(old_first, "view"), (new_first, "carried")])
    page = client.get("/home").get_data(as_text=True)
    assert "Sedang berjalan" in page  # progress carried to the new version


def test_a_participant_cannot_open_another_cohorts_course(
    db, client, login, make_user, make_cohort, make_course, attach
):
    _, _, cohort, version = _setup(db, make_user, make_cohort, make_course, attach)
    stranger = make_user("participant")
    make_cohort("32.11", participants=[stranger])
    login(stranger)
    assert client.get(f"/learn/{cohort.id}").status_code == 403
    module_id = _module_ids(db, version)[0]
    assert client.get(f"/learn/{cohort.id}/modules/{module_id}").status_code == 403


def test_a_module_of_another_version_is_not_found(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant, _, cohort, _ = _setup(db, make_user, make_cohort, make_course, attach)
    other = make_course(slug="lain")
    login(participant)
    assert client.get(f"/learn/{cohort.id}/modules/{_module_ids(db, other)[0]}").status_code == 404


# --------------------------------------------------------------------------- packages


def _zip_of(package, tmp_path) -> bytes:
    folder = tmp_path / package.slug
    pkg.dump_package(package, folder)
    return make_zip(folder, prefix=package.slug)


def test_zip_upload_imports_a_package_once(db, client, login, make_user, tmp_path):
    login(make_user("admin"))
    data = _zip_of(course_package(slug="unggah", modules=2), tmp_path)
    response = client.post_form(
        "/admin/courses/import", {"archive": (io.BytesIO(data), "unggah.zip")}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(CourseVersion.id))) == 1
    response = client.post_form(
        "/admin/courses/import",
        {"archive": (io.BytesIO(data), "unggah.zip")},
        follow_redirects=True,
    )
    assert "identik" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CourseVersion.id))) == 1


def test_a_bad_package_zip_lists_every_problem_and_imports_nothing(
    db, client, login, make_user, tmp_path
):
    login(make_user("admin"))
    folder = tmp_path / "rusak"
    pkg.dump_package(course_package(slug="rusak"), folder)
    (folder / "01-sesi" / "module.toml").write_text('title = "x"\nduration_minutes = -3\n')
    data = make_zip(folder, prefix="rusak")
    response = client.post_form(
        "/admin/courses/import", {"archive": (io.BytesIO(data), "rusak.zip")}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "01-sesi/module.toml" in page and "duration_minutes" in page
    assert db.session.scalar(select(func.count(CourseVersion.id))) == 0


def test_a_package_naming_an_unknown_practice_is_refused_with_the_cli_message(
    app, db, client, login, make_user, tmp_path
):
    from lms import plugins

    login(make_user("admin"))
    rubric = [{"criterion": "Adaptasi", "levels": ["Kurang", "Baik"], "points": [0, 2]}]
    settings = {"brief": "Tiru praktik.", "rubric": rubric}
    bad = course_package(
        slug="tiru",
        modules=1,
        activities=(
            ("tugas", "assignment", {**settings, "practices": ["sumedang-command-center"]}),
        ),
    )
    folder = tmp_path / "tiru"
    pkg.dump_package(bad, folder)
    with app.app_context():
        _, problems = pkg.load_with(plugins.registry(), folder)
    assert [str(p) for p in problems] == [
        "01-sesi/module.toml:22: setting 'activities[0].practices': no practice "
        "'sumedang-command-center' in the practice catalogue "
        "(lms/practices/data/practices.toml); did you mean 'command-center-sumedang'?"
    ]
    response = client.post_form(
        "/admin/courses/import",
        {"archive": (io.BytesIO(make_zip(folder, prefix="tiru")), "tiru.zip")},
    )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "01-sesi/module.toml" in page and problems[0].message in page
    assert db.session.scalar(select(func.count(CourseVersion.id))) == 0
    good = course_package(
        slug="tiru",
        modules=1,
        activities=(
            ("tugas", "assignment", {**settings, "practices": ["command-center-sumedang"]}),
        ),
    )
    response = client.post_form(
        "/admin/courses/import", {"archive": (io.BytesIO(_zip_of(good, tmp_path / "ok")), "t.zip")}
    )
    assert response.status_code == 302


def test_a_zip_slip_archive_is_refused(db, client, login, make_user):
    login(make_user("admin"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../evil.txt", "x")
    response = client.post_form(
        "/admin/courses/import", {"archive": (io.BytesIO(buffer.getvalue()), "evil.zip")}
    )
    assert response.status_code == 422
    assert "evil.txt" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CourseVersion.id))) == 0


def test_download_then_upload_is_unchanged(db, client, login, make_user, make_course):
    version = make_course(modules=2)
    login(make_user("admin"))
    response = client.get(f"/admin/courses/{version.course_id}/versions/{version.id}/package.zip")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    again = client.post_form(
        "/admin/courses/import",
        {"archive": (io.BytesIO(response.data), "k.zip")},
        follow_redirects=True,
    )
    assert "identik" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CourseVersion.id))) == 1


# --------------------------------------------------------------------------- query counts


def _measure(db, client, login, make_user, make_cohort, make_course, attach, count_queries, size):
    """Statements per page for a course of `size` modules (×3 activities) and participants."""
    from datetime import time

    from courses.meetings import services as meetings

    people = [make_user("participant") for _ in range(size)]
    mentor = make_user("mentor")
    admin = make_user("admin")
    cohort = make_cohort("32.11", mentors=[mentor], participants=people)
    version = make_course(
        slug=f"ukuran-{size}",
        modules=size,
        activities=(("bacaan", "reading"), ("pertemuan", "meeting"), ("ulang", "reading")),
    )
    attach(cohort, version)
    meetings.generate_schedule(
        db.session.get(Cohort, cohort.id),
        meetings.ScheduleInput(date(2026, 12, 7), time(9), 7, "", "", mentor.id),
        "Asia/Jakarta",
    )
    db.session.commit()
    meeting = meetings.meetings_of(cohort.id)[-1]
    module_id = _module_ids(db, version)[-1]
    pages = {
        "home": (people[0], "/home"),
        "plan": (people[0], f"/learn/{cohort.id}"),
        "module": (people[0], f"/learn/{cohort.id}/modules/{module_id}"),
        "schedule": (mentor, f"/cohorts/{cohort.id}/schedule"),
        "attendance": (mentor, f"/cohorts/{cohort.id}/meetings/{meeting.id}/attendance"),
        "mentor home": (mentor, "/home"),
        "authoring": (admin, f"/admin/courses/{version.course_id}"),
        "courses": (admin, "/admin/courses/"),
    }
    counts = {}
    for name, (user, path) in pages.items():
        login(user)
        client.get(path)  # a first visit may record completions
        with count_queries() as counted:
            assert client.get(path).status_code == 200, path
        counts[name] = counted.n
        client.post_form("/logout")
    return counts


def test_course_pages_issue_the_same_statements_whatever_the_size(
    db, client, login, make_user, make_cohort, make_course, attach, count_queries
):
    args = (db, client, login, make_user, make_cohort, make_course, attach, count_queries)
    small = _measure(*args, size=2)
    large = _measure(*args, size=30)  # 30 modules, 90 activities, 30 participants
    assert small == large
    # The mentor's home also counts the at-risk participants of every running cohort (the
    # dashboard's rules over the gradebook: test_query_counts pins it at 1 and 5 cohorts).
    assert large.pop("mentor home") <= 25, large
    assert max(large.values()) <= 12, large


def test_published_material_is_rendered_once_and_a_draft_edit_shows_at_once(
    db, client, login, make_user, make_cohort, make_course, attach, monkeypatch
):
    import markdown as markdown_library

    from lms import markdown as lms_markdown

    conversions: list[str] = []
    convert = markdown_library.markdown

    def counted(text: str, **kwargs):
        conversions.append(text)
        return convert(text, **kwargs)

    monkeypatch.setattr(lms_markdown._markdown, "markdown", counted)
    lms_markdown._render.cache_clear()
    participant, _, cohort, version = _setup(
        db, make_user, make_cohort, make_course, attach, material="# Bahan tetap\n\nIsi terbit."
    )
    login(participant)
    first = _module_ids(db, version)[0]
    for _ in range(3):
        page = client.get(f"/learn/{cohort.id}/modules/{first}").get_data(as_text=True)
        assert "<h1>Bahan tetap</h1>" in page
    assert conversions.count("# Bahan tetap\n\nIsi terbit.") == 1  # once, not per request

    client.post_form("/logout")
    login(make_user("admin"))
    course_id = version.course_id
    assert client.post_form(f"/admin/courses/{course_id}/draft").status_code == 302
    draft = db.session.scalar(
        select(CourseVersion).where(
            CourseVersion.course_id == course_id, CourseVersion.status == "draft"
        )
    )
    module = db.session.scalar(
        select(Module).where(Module.version_id == draft.id, Module.position == 1)
    )
    view_as = f"/admin/courses/{course_id}/versions/{draft.id}/view-as/modules/{module.id}"
    assert "<h1>Bahan tetap</h1>" in client.get(view_as).get_data(as_text=True)
    form = {
        "slug": module.slug,
        "title": module.title,
        "summary": module.summary,
        "objectives": "Tujuan baru",
        "duration_minutes": "45",
        "indicators": "1",
        "material": "# Bahan disunting\n\nIsi baru.",
        "meeting_minutes": "90",
        "meeting_agenda": "Paparan",
        "revision": str(module.revision),
    }
    response = client.post_form(f"/admin/courses/{course_id}/modules/{module.id}/edit", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(view_as).get_data(as_text=True)
    assert "<h1>Bahan disunting</h1>" in page and "Bahan tetap" not in page
