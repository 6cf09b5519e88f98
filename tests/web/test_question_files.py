"""GIFT and Moodle XML through the admin UI and `lms quizzes`: all-or-nothing imports into
a draft, with every problem listed; exports that import again."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import func, select

from courses.models import Course, CourseVersion
from quizzes.models import Question

SAMPLE = Path(__file__).resolve().parents[1] / "unit" / "data" / "sample.gift.txt"
GOOD = """::Prinsip::Manakah prinsip SPBE?{=Keterpaduan#Ya. ~Sentralisasi#Bukan.}

::Tahun::Tahun berapa Perpres 95 terbit?{#2018:0}
"""
BAD = """::Rusak::Pertanyaan tanpa jawaban benar{~a ~b}

::Kurung::Kurung tidak ditutup{=a ~b
"""


def _draft(db, client, make_course):
    version = make_course(modules=1)
    response = client.post_form(f"/admin/courses/{version.course_id}/draft")
    assert response.status_code == 302
    return db.session.scalar(
        select(CourseVersion).where(
            CourseVersion.course_id == version.course_id, CourseVersion.status == "draft"
        )
    )


def _upload(client, draft, text: str, name: str):
    return client.post_form(
        f"/admin/courses/{draft.course_id}/versions/{draft.id}/questions/import",
        {"module_slug": "01-sesi", "file": (io.BytesIO(text.encode()), name)},
    )


def test_a_gift_file_imports_into_the_draft(db, client, login, make_user, make_course):
    login(make_user("admin"))
    draft = _draft(db, client, make_course)
    response = _upload(client, draft, GOOD, "soal.gift")
    assert response.status_code == 302
    rows = db.session.execute(
        select(Question.type, Question.module_slug).where(Question.version_id == draft.id)
    ).all()
    assert sorted(rows) == [("numeric", "01-sesi"), ("single_choice", "01-sesi")]
    bank = client.get(f"/admin/courses/{draft.course_id}/versions/{draft.id}/questions")
    assert bank.get_data(as_text=True).count('data-testid="bank-row"') == 2


def test_a_malformed_file_imports_nothing_and_lists_every_problem(
    db, client, login, make_user, make_course
):
    login(make_user("admin"))
    draft = _draft(db, client, make_course)
    response = _upload(client, draft, GOOD + "\n" + BAD, "soal.gift")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    table = page.split('data-testid="import-problems"', 1)[1]
    assert table.count("<tr>") >= 3  # header + both bad questions
    assert "line" in table
    assert db.session.scalar(select(func.count(Question.id))) == 0


def test_a_published_version_takes_no_imports(db, client, login, make_user, make_course):
    login(make_user("admin"))
    version = make_course(modules=1)
    response = _upload(client, version, GOOD, "soal.gift")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Question.id))) == 0


def test_export_then_import_gives_the_same_questions(db, client, login, make_user, make_course):
    login(make_user("admin"))
    draft = _draft(db, client, make_course)
    assert (
        _upload(client, draft, SAMPLE.read_text(encoding="utf-8"), "sample.gift").status_code == 302
    )
    before = db.session.execute(
        select(Question.type, Question.name, Question.text).where(Question.version_id == draft.id)
    ).all()
    assert len(before) >= 8
    for fmt in ("xml", "gift"):
        exported = client.get(
            f"/admin/courses/{draft.course_id}/versions/{draft.id}/questions.{fmt}"
        )
        assert exported.status_code == 200
        assert exported.headers["Content-Disposition"].startswith("attachment")
        other = make_course(slug=f"lain-{fmt}", modules=1)
        client.post_form(f"/admin/courses/{other.course_id}/draft")
        other_draft = db.session.scalar(
            select(CourseVersion).where(
                CourseVersion.course_id == other.course_id, CourseVersion.status == "draft"
            )
        )
        again = _upload(client, other_draft, exported.data.decode(), f"bank.{fmt}")
        assert again.status_code == 302, again.get_data(as_text=True)[:800]
        after = db.session.execute(
            select(Question.type, Question.name, Question.text).where(
                Question.version_id == other_draft.id
            )
        ).all()
        assert sorted(after) == sorted(before), fmt


def test_the_command_line_import_is_all_or_nothing(app, db, make_course, tmp_path):
    version = make_course(modules=1)
    slug = db.session.scalar(select(Course.slug).where(Course.id == version.course_id))
    bad = tmp_path / "bad.gift"
    bad.write_text(GOOD + "\n" + BAD, encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["quizzes", "import", str(bad), "--course", slug, "--module", "01-sesi"]
    )
    assert result.exit_code == 1 and "nothing was imported" in result.output
    assert "line" in result.output
    assert db.session.scalar(select(func.count(Question.id))) == 0
    good = tmp_path / "good.gift"
    good.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(
        args=["quizzes", "import", str(good), "--course", slug, "--module", "01-sesi"]
    )
    assert result.exit_code == 0, result.output
    assert "Imported 2 questions" in result.output
    assert db.session.scalar(select(func.count(Question.id))) == 2


MOODLE = Path(__file__).resolve().parents[1] / "unit" / "data" / "moodle"


def test_unsupported_moodle_types_block_the_import_unless_the_rest_is_chosen(
    db, client, login, make_user, make_course
):
    login(make_user("admin"))
    draft = _draft(db, client, make_course)
    xml = (MOODLE / "unsupported.xml").read_text(encoding="utf-8")
    url = f"/admin/courses/{draft.course_id}/versions/{draft.id}/questions/import"
    refused = _upload(client, draft, xml, "bank.xml")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Isian rumpang&#34; (line 3)" in page
    assert 'data-testid="import-rest-hint"' in page
    assert db.session.scalar(select(func.count(Question.id))) == 0
    bank = client.get(f"/admin/courses/{draft.course_id}/versions/{draft.id}/questions")
    assert 'name="import_rest"' in bank.get_data(as_text=True)
    imported = client.post_form(
        url,
        {"module_slug": "01-sesi", "import_rest": "y", "file": (io.BytesIO(xml.encode()), "b.xml")},
    )
    assert imported.status_code == 302
    assert db.session.scalars(select(Question.name)).all() == ["Perpres"]
    shown = client.get(imported.headers["Location"]).get_data(as_text=True)
    assert "Isian rumpang" in shown and "(line 17)" in shown  # every skipped one is listed


def test_import_the_rest_does_not_skip_a_broken_question(db, client, login, make_user, make_course):
    login(make_user("admin"))
    draft = _draft(db, client, make_course)
    xml = (MOODLE / "unsupported.xml").read_text(encoding="utf-8")
    xml = xml.replace('<answer fraction="0"><text>false</text></answer>', "")
    response = client.post_form(
        f"/admin/courses/{draft.course_id}/versions/{draft.id}/questions/import",
        {"module_slug": "01-sesi", "import_rest": "y", "file": (io.BytesIO(xml.encode()), "b.xml")},
    )
    assert response.status_code == 422
    assert "Perpres&#34; (line 7)" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Question.id))) == 0


def test_moodle_id_numbers_become_question_keys(db, client, login, make_user, make_course):
    login(make_user("admin"))
    draft = _draft(db, client, make_course)
    text = (MOODLE / "categories.gift.txt").read_text(encoding="utf-8")
    assert _upload(client, draft, text, "bank.gift").status_code == 302
    rows = db.session.execute(select(Question.key, Question.tags).order_by(Question.id)).all()
    assert rows[0] == ("q-prinsip-1", ["Default for SPBE/Bab 1", "prinsip", "modul-1"])
    assert rows[1].key != "" and rows[1].tags == ["Default for SPBE/Bab 2"]
    exported = client.get(f"/admin/courses/{draft.course_id}/versions/{draft.id}/questions.gift")
    assert "// [id:q-prinsip-1]" in exported.get_data(as_text=True)


def test_the_command_line_imports_the_rest_only_when_asked(app, db, make_course, tmp_path):
    version = make_course(modules=1)
    slug = db.session.scalar(select(Course.slug).where(Course.id == version.course_id))
    runner = app.test_cli_runner()
    args = ["quizzes", "import", str(MOODLE / "unsupported.xml"), "--course", slug]
    refused = runner.invoke(args=[*args, "--module", "01-sesi"])
    assert refused.exit_code == 1
    assert "--import-rest" in refused.output and "(line 13)" in refused.output
    assert db.session.scalar(select(func.count(Question.id))) == 0
    done = runner.invoke(args=[*args, "--module", "01-sesi", "--import-rest"])
    assert done.exit_code == 0, done.output
    assert "Imported 1 questions" in done.output and "(skipped)" in done.output
    assert db.session.scalar(select(func.count(Question.id))) == 1
