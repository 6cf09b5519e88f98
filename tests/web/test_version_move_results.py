"""Moving a cohort to a new version of its course keeps every result in the gradebook:
quiz results by the quiz's grading method and released assignment grades, recorded on the
old version's activities, count for the same activities (module slug + key) of the new."""

from __future__ import annotations

import re

from sqlalchemy import select

from assignments.models import Submission
from courses.models import Activity, Module
from tests.web.test_assignments import RUBRIC, _grade, _submit
from tests.web.test_quizzes import _choice
from tests.web.test_tracking import _quiz, _take


def _course(make_course, version="1.0.0", title="Kursus Uji"):
    return make_course(
        modules=1,
        version=version,
        title=title,
        activities=(
            ("bacaan", "reading"),
            ("post-test", "quiz", {"kind": "post", "draw": 2, "pass_percent": 50}),
            ("tugas", "assignment", {"brief": "Tugas", "rubric": RUBRIC}),
        ),
        questions={1: [_choice("m1-a"), _choice("m1-b")]},
    )


def _lines(page: str) -> list[str]:
    return re.findall(r'data-testid="grade-line">(.*?)</tr>', page, re.S)


def test_results_survive_moving_the_cohort_to_a_new_version(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant, mentor = make_user("participant"), make_user("mentor")
    cohort = make_cohort("32.11", mentors=[mentor], participants=[participant])
    v1 = _course(make_course)
    attach(cohort, v1)
    login(participant)
    _take(client, cohort.id, _quiz(db, v1, 1, "post-test"), right=1)  # 50%
    assignment = db.session.scalar(
        select(Activity.id)
        .join(Module, Module.id == Activity.module_id)
        .where(Module.version_id == v1.id, Activity.key == "tugas")
    )
    assert _submit(client, f"/learn/{cohort.id}/assignments/{assignment}").status_code == 302
    client.post_form("/logout")
    login(mentor)
    submission = db.session.scalar(select(Submission.id))
    assert _grade(client, submission, levels=(2, 2, 2)).status_code == 302  # 10 of 10
    assert client.post_form(f"/grading/submissions/{submission}/release").status_code == 302
    client.post_form("/logout")

    login(participant)
    before = client.get(f"/learn/{cohort.id}/gradebook").get_data(as_text=True)
    # post 40 and assignment 60: 0.4 × 50 + 0.6 × 100 = 80.
    assert "80%" in before.split('data-testid="course-grade"')[1][:300]

    v2 = _course(make_course, version="1.1.0", title="Kursus Uji (revisi)")
    assert v2.id != v1.id
    attach(cohort, v2)
    after = client.get(f"/learn/{cohort.id}/gradebook").get_data(as_text=True)
    assert "Kursus Uji (revisi)" in after
    assert "80%" in after.split('data-testid="course-grade"')[1][:300]
    lines = _lines(after)
    assert len(lines) == 2
    assert "50%" in lines[0] and "100%" in lines[1]
