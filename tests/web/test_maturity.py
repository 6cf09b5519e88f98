"""The SPBE maturity self-assessment: the region's coordinator fills in a level and a
justification per indicator (partial saves allowed), submits a complete one, the cohort's
mentor approves it or sends it back; the overview compares baseline and follow-up and points
to the modules for the weakest indicators."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text

from courses.models import Module
from lms import spbe
from lms.cohorts.models import Cohort
from lms.maturity import services
from lms.maturity.models import IndicatorScore, SelfAssessment

GOOD = "Dokumen kebijakan sudah ditetapkan bupati"
ALL = [i.number for i in spbe.INDICATORS]


@pytest.fixture
def region(db, make_user, make_cohort):
    """Cohort in 32.11 with its mentor and the region's coordinator."""
    mentor = make_user("mentor")
    coordinator = make_user("coordinator", region="32.11")
    cohort = make_cohort("32.11", mentors=[mentor])
    return {"mentor": mentor, "coordinator": coordinator, "cohort": cohort}


def _url(cohort, phase="baseline", suffix=""):
    return f"/cohorts/{cohort.id}/maturity/{phase}{suffix}"


def _form(levels, justification=GOOD, **extra):
    """The whole form as a browser sends it: every indicator, empty where not given."""
    data = {}
    for n in ALL:
        data[f"level-{n}"] = str(levels[n]) if n in levels else ""
        data[f"justification-{n}"] = (
            (justification(n) if callable(justification) else justification) if n in levels else ""
        )
    data.update(extra)
    return data


def _assess(db, cohort, phase, levels, justification=GOOD):
    """Save levels through the service and commit."""
    assessment = services.get_or_create_assessment(db.session.get(Cohort, cohort.id), phase)
    services.save_scores(
        assessment, {n: services.ScoreInput(level, justification) for n, level in levels.items()}
    )
    db.session.commit()
    return assessment.id


def _assessment(db, cohort, phase="baseline"):
    db.session.expire_all()
    return db.session.scalar(
        select(SelfAssessment).where(
            SelfAssessment.cohort_id == cohort.id, SelfAssessment.phase == phase
        )
    )


def _score_count(db):
    return db.session.scalar(select(func.count(IndicatorScore.id)))


def _row(page, testid, attr=None):
    """The first <tr> with this data-testid (and data-indicator, when given)."""
    extra = f' data-indicator="{attr}"' if attr is not None else ""
    match = re.search(rf'<tr data-testid="{testid}"{extra}[^>]*>(.*?)</tr>', page, re.S)
    assert match, f"no row {testid} {attr}"
    return match.group(1)


def _value(html, testid):
    match = re.search(rf'data-testid="{testid}"[^>]*data-value="([^"]*)"', html)
    assert match, f"no {testid}"
    return match.group(1)


# --------------------------------------------------------------------------- saving


def test_coordinator_saves_part_and_sees_the_computed_index(client, db, login, region):
    login(region["coordinator"])
    cohort = region["cohort"]
    assert client.get(_url(cohort)).status_code == 200
    assert _assessment(db, cohort) is None  # opening the form writes nothing

    response = client.post_form(_url(cohort), _form({1: 5, 32: 1}, save="1"))
    assert response.status_code == 302
    assessment = _assessment(db, cohort)
    assert assessment.status == "draft" and assessment.index_value is None
    assert _score_count(db) == 2

    page = client.get(_url(cohort)).get_data(as_text=True)
    # (1.3 × 5 + 2.75 × 1) / 4.05 = 2.28
    assert _value(page, "index-value") == "2.28"
    assert 'data-testid="index-predicate">Cukup<' in page
    assert _value(page, "given-count") == "2"
    row = _row(page, "indicator-row", 1)
    assert '<option selected value="5">' in row and GOOD in row
    assert 'data-testid="assessment-form"' in page


def test_saving_again_updates_clears_and_stores_the_index_once_complete(client, db, login, region):
    login(region["coordinator"])
    cohort = region["cohort"]
    client.post_form(_url(cohort), _form({1: 2, 2: 3}))
    # Level 1 changes, level 2 is cleared, the others are added: 46 of 47.
    levels = dict.fromkeys(range(3, 48), 4) | {1: 3}
    assert client.post_form(_url(cohort), _form(levels)).status_code == 302
    scores = {s.indicator: s.level for s in db.session.scalars(select(IndicatorScore))}
    assert scores[1] == 3 and 2 not in scores and len(scores) == 46
    assert _assessment(db, cohort).index_value is None

    client.post_form(_url(cohort), _form(levels | {2: 4}))
    assert _score_count(db) == 47
    expected = services.compute_index(levels | {2: 4}).index
    assert _assessment(db, cohort).index_value == pytest.approx(expected)


def test_a_post_with_only_some_indicators_leaves_the_others(client, db, login, region):
    login(region["coordinator"])
    cohort = region["cohort"]
    _assess(db, cohort, "baseline", {1: 2, 2: 2})
    response = client.post_form(_url(cohort), {"level-2": "5", "justification-2": GOOD})
    assert response.status_code == 302
    levels = dict(db.session.execute(select(IndicatorScore.indicator, IndicatorScore.level)).all())
    assert levels == {1: 2, 2: 5}


def test_errors_show_next_to_the_indicator_and_keep_what_was_typed(client, db, login, region):
    login(region["coordinator"])
    cohort = region["cohort"]
    long_text = "kata " * 401  # 2005 characters
    data = _form({1: 3, 5: 2})
    data.update(
        {
            "level-5": "9",
            "level-8": "²",
            "level-6": "",
            "justification-6": "Ada tulisan tanpa tingkat",
            "level-7": "2",
            "justification-7": long_text,
        }
    )
    response = client.post_form(_url(cohort), data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-testid="error-level-5"' in _row(page, "indicator-row", 5)
    assert 'data-testid="error-level-6"' in _row(page, "indicator-row", 6)
    assert 'data-testid="error-level-8"' in _row(page, "indicator-row", 8)
    assert 'data-testid="error-justification-7"' in _row(page, "indicator-row", 7)
    assert 'data-testid="error-level-1"' not in page
    assert 'role="alert"' in page
    # Nothing saved, everything typed kept.
    assert _score_count(db) == 0
    assert '<option selected value="3">' in _row(page, "indicator-row", 1)
    assert "Ada tulisan tanpa tingkat" in _row(page, "indicator-row", 6)
    assert long_text.strip() in _row(page, "indicator-row", 7)


# --------------------------------------------------------------------------- submitting


def test_submit_is_refused_until_every_indicator_has_a_justified_level(client, db, login, region):
    login(region["coordinator"])
    cohort = region["cohort"]
    partial = dict.fromkeys(range(1, 41), 3)
    response = client.post_form(_url(cohort), _form(partial, send="1"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for n in range(41, 48):
        assert f'data-testid="error-level-{n}"' in _row(page, "indicator-row", n)
    assert 'data-testid="error-level-1"' not in page
    assert '<option selected value="3">' in _row(page, "indicator-row", 40)  # kept
    assert _assessment(db, cohort) is None or _assessment(db, cohort).status == "draft"
    assert _score_count(db) == 0  # a refused submit saves nothing

    # Complete, but two justifications are too short: errors next to those two only.
    levels = dict.fromkeys(ALL, 3)
    short = {10: "ok", 20: "sudah ada"}
    data = _form(levels, lambda n: short.get(n, GOOD), send="1")
    response = client.post_form(_url(cohort), data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-testid="error-justification-10"' in _row(page, "indicator-row", 10)
    assert 'data-testid="error-justification-20"' in _row(page, "indicator-row", 20)
    assert page.count('data-testid="error-') == 2
    # Above the form, what is wrong as a whole.
    assert (
        "Penilaian mandiri belum dapat dikirim: setiap indikator memerlukan tingkat dan "
        "justifikasi beberapa kata. Perbaiki indikator yang ditandai di bawah."
    ) in page
    assert _score_count(db) == 0

    # But a plain save of the same accepts the short justifications.
    assert (
        client.post_form(_url(cohort), _form(levels, lambda n: short.get(n, GOOD))).status_code
        == 302
    )
    assert _assessment(db, cohort).status == "draft"

    response = client.post_form(_url(cohort), _form(levels, send="1"))
    assert response.status_code == 302
    assessment = _assessment(db, cohort)
    assert assessment.status == "submitted"
    assert assessment.index_value == 3.0
    assert assessment.submitted_by_id == region["coordinator"].id
    assert assessment.submitted_at is not None


def test_a_submitted_assessment_is_read_only_to_the_coordinator(client, db, login, region):
    login(region["coordinator"])
    cohort = region["cohort"]
    client.post_form(_url(cohort), _form(dict.fromkeys(ALL, 2), send="1"))
    assert _assessment(db, cohort).status == "submitted"

    page = client.get(_url(cohort)).get_data(as_text=True)
    assert 'data-testid="assessment-form"' not in page
    assert 'name="level-1"' not in page
    assert _value(page, "level-1") == "2"
    assert 'data-status="submitted"' in page
    assert 'data-testid="review-form"' not in page  # the coordinator does not review

    response = client.post_form(_url(cohort), _form(dict.fromkeys(ALL, 5)))
    assert response.status_code == 422
    assert 'role="alert"' in response.get_data(as_text=True)
    assert set(db.session.scalars(select(IndicatorScore.level))) == {2}
    assert _assessment(db, cohort).status == "submitted"


# --------------------------------------------------------------------------- review


def _submitted(db, cohort, user, level=3):
    _assess(db, cohort, "baseline", dict.fromkeys(ALL, level))
    assessment = db.session.get(SelfAssessment, _assessment(db, cohort).id)
    services.submit(assessment, user)
    db.session.commit()


def test_the_cohorts_mentor_approves(client, db, login, region):
    cohort = region["cohort"]
    _submitted(db, cohort, region["coordinator"])
    login(region["mentor"])
    page = client.get(_url(cohort)).get_data(as_text=True)
    assert 'data-testid="review-form"' in page
    assert 'data-testid="assessment-form"' not in page

    response = client.post_form(
        _url(cohort, suffix="/review"), {"approve": "1", "comment": "Bukti dukung lengkap."}
    )
    assert response.status_code == 302
    assessment = _assessment(db, cohort)
    assert assessment.status == "reviewed"
    assert assessment.review_comment == "Bukti dukung lengkap."
    assert assessment.reviewed_by_id == region["mentor"].id
    page = client.get(_url(cohort)).get_data(as_text=True)
    assert 'data-testid="review-form"' not in page
    assert "Bukti dukung lengkap." in page

    # Reviewed is final: neither another review nor the coordinator changes it.
    again = client.post_form(_url(cohort, suffix="/review"), {"send_back": "1", "comment": "x"})
    assert again.status_code == 422
    client.post_form("/logout")
    login(region["coordinator"])
    assert client.post_form(_url(cohort), _form({1: 5})).status_code == 422
    assert _assessment(db, cohort).status == "reviewed"


def test_the_mentor_sends_it_back_with_a_comment(client, db, login, region):
    cohort = region["cohort"]
    _submitted(db, cohort, region["coordinator"])
    login(region["mentor"])
    url = _url(cohort, suffix="/review")
    response = client.post_form(url, {"send_back": "1", "comment": "  "})
    assert response.status_code == 422
    assert 'data-testid="error-comment"' in response.get_data(as_text=True)
    assert _assessment(db, cohort).status == "submitted"
    assert client.post_form(url, {"comment": "Tanpa pilihan"}).status_code == 422

    response = client.post_form(url, {"send_back": "1", "comment": "Lengkapi bukti indikator 5."})
    assert response.status_code == 302
    assessment = _assessment(db, cohort)
    assert assessment.status == "draft"
    assert assessment.review_comment == "Lengkapi bukti indikator 5."

    client.post_form("/logout")
    login(region["coordinator"])
    page = client.get(_url(cohort)).get_data(as_text=True)
    assert 'data-testid="assessment-form"' in page  # editable again
    assert "Lengkapi bukti indikator 5." in page
    data = {"level-5": "4", "justification-5": GOOD, "send": "1"}
    assert client.post_form(_url(cohort), data).status_code == 302
    assert _assessment(db, cohort).status == "submitted"


def test_the_sheet_shows_who_submitted_and_reviewed_this_cohorts_assessment(
    client, db, login, make_cohort, region
):
    """Another cohort of the region fills in its own baseline afterwards: this cohort's page
    still shows its own levels, its submitter and its reviewer."""
    cohort, mentor, coordinator = region["cohort"], region["mentor"], region["coordinator"]
    _submitted(db, cohort, coordinator, level=3)
    assessment = db.session.get(SelfAssessment, _assessment(db, cohort).id)
    services.review(assessment, mentor, approve=True, comment="Bukti dukung lengkap.")
    db.session.commit()
    other = make_cohort("32.11", mentors=[mentor])
    _assess(db, other, "baseline", dict.fromkeys(ALL, 5))

    login(mentor)
    page = client.get(_url(cohort)).get_data(as_text=True)
    assert _value(page, "index-value") == "3.00"
    assert _value(page, "level-47") == "3"
    assert 'data-status="reviewed"' in page
    submitted = re.search(r'data-testid="submitted-by">([^<]*)<', page)
    assert submitted and submitted.group(1).startswith(f"Dikirim oleh {coordinator.name} pada ")
    review = re.search(r'<article data-testid="review-comment">(.*?)</article>', page, re.S)
    assert review and f"· {mentor.name}, " in review.group(1)
    assert coordinator.name not in review.group(1)

    page = client.get(_url(other)).get_data(as_text=True)
    assert _value(page, "index-value") == "5.00"
    assert 'data-testid="submitted-by"' not in page


def test_a_first_save_starts_a_draft_without_a_review_comment(client, db, login, region):
    login(region["coordinator"])
    cohort = region["cohort"]
    assert client.post_form(_url(cohort), _form({1: 3})).status_code == 302
    assessment = _assessment(db, cohort)
    assert (assessment.status, assessment.review_comment) == ("draft", "")
    page = client.get(_url(cohort)).get_data(as_text=True)
    assert 'data-testid="review-comment"' not in page


def test_a_second_save_finds_the_draft_without_trying_to_insert_it(db, region, count_queries):
    cohort = db.session.get(Cohort, region["cohort"].id)
    first = _assess(db, cohort, "baseline", {1: 2})
    with count_queries() as counted:
        again = services.get_or_create_assessment(cohort, "baseline")
    assert again.id == first
    assert not [s for s in counted.statements if s.startswith("INSERT")], counted.statements


def test_two_first_saves_at_once_share_one_assessment(db, region, monkeypatch):
    """Two coordinators' first saves of the same phase: the second looks, finds nothing
    (the first has not committed yet), inserts, hits the unique (cohort, phase) and then
    works on the first one's row."""
    cohort = db.session.get(Cohort, region["cohort"].id)
    first = _assess(db, cohort, "baseline", {1: 2})
    real = services.locked_assessment
    calls = []

    def not_yet_visible(cohort_id, phase):
        calls.append((cohort_id, phase))
        return None if len(calls) == 1 else real(cohort_id, phase)

    monkeypatch.setattr(services, "locked_assessment", not_yet_visible)
    second = services.get_or_create_assessment(cohort, "baseline")
    assert second.id == first
    assert calls == [(cohort.id, "baseline"), (cohort.id, "baseline")]
    services.save_scores(second, {2: services.ScoreInput(4, GOOD)})
    db.session.commit()
    assert db.session.scalar(select(func.count(SelfAssessment.id))) == 1
    assert _score_count(db) == 2


def test_a_save_by_someone_else_since_loading_is_seen_as_stale(db, region):
    """The row is reread under its lock: a revision written meanwhile by another process
    (here an UPDATE past the session) makes a form of the older revision stale."""
    cohort = db.session.get(Cohort, region["cohort"].id)
    _assess(db, cohort, "baseline", {1: 2})
    mine = services.get_or_create_assessment(cohort, "baseline")
    assert mine.revision == 1
    db.session.connection().execute(text("UPDATE self_assessment SET revision = 2"))
    again = services.get_or_create_assessment(cohort, "baseline")
    assert again.revision == 2
    with pytest.raises(services.StaleAssessment):
        services.save_scores(again, {1: services.ScoreInput(5, GOOD)}, revision=1)


# --------------------------------------------------------------------------- access


def test_access(client, db, login, make_user, make_cohort, region):
    cohort = region["cohort"]
    participant = make_user("participant", region="32.11")
    make_cohort("32.11", participants=[participant])
    other_coordinator = make_user("coordinator", region="35.10")
    other_mentor = make_user("mentor")
    make_cohort("32.11", mentors=[other_mentor])
    _submitted(db, cohort, region["coordinator"])
    pages = [f"/cohorts/{cohort.id}/maturity", _url(cohort), _url(cohort, "follow_up")]

    for user in (participant, other_coordinator, other_mentor):
        login(user)
        for page in pages:
            assert client.get(page).status_code == 403, (user.role, page)
        assert client.post_form(_url(cohort, "follow_up"), _form({1: 3})).status_code == 403
        review = client.post_form(_url(cohort, suffix="/review"), {"approve": "1"})
        assert review.status_code == 403
        client.post_form("/logout")

    # The cohort's mentor views but does not edit; the coordinator edits but does not review.
    login(region["mentor"])
    assert client.get(_url(cohort, "follow_up")).status_code == 200
    assert client.post_form(_url(cohort, "follow_up"), _form({1: 3})).status_code == 403
    client.post_form("/logout")
    login(region["coordinator"])
    assert client.post_form(_url(cohort, suffix="/review"), {"approve": "1"}).status_code == 403
    assert client.get(_url(cohort, "midterm")).status_code == 404
    assert _assessment(db, cohort).status == "submitted"
    assert _assessment(db, cohort, "follow_up") is None

    # An admin may do both.
    client.post_form("/logout")
    login(make_user("admin"))
    assert client.post_form(_url(cohort, suffix="/review"), {"approve": "1"}).status_code == 302
    assert client.post_form(_url(cohort, "follow_up"), _form({1: 3})).status_code == 302


def test_posts_need_a_csrf_token(client, db, login, region):
    login(region["coordinator"])
    response = client.post(_url(region["cohort"]), data=_form({1: 3}))
    assert response.status_code == 400
    assert _score_count(db) == 0


# --------------------------------------------------------------------------- overview


def test_overview_compares_the_phases_per_domain_and_aspect(client, db, login, region):
    cohort = region["cohort"]
    _assess(db, cohort, "baseline", dict.fromkeys(ALL, 2))
    follow_up = dict.fromkeys(ALL, 2)
    follow_up.update(dict.fromkeys((i.number for i in spbe.INDICATORS if i.aspect == 7), 4))
    follow_up.update({1: 5})  # aspect 1: (5 + 9 × 2) / 10 = 2.3
    _assess(db, cohort, "follow_up", follow_up)
    login(region["mentor"])
    page = client.get(f"/cohorts/{cohort.id}/maturity").get_data(as_text=True)

    assert _value(_row(page, "phase-row"), "phase-index") == "2.00"
    domain4 = _row(page, "change-domain-4")
    # domain 4: (27.5 × 4 + 18 × 2) / 45.5 = 3.21
    assert (_value(domain4, "before"), _value(domain4, "after")) == ("2.00", "3.21")
    assert _value(domain4, "delta") == "1.21"
    aspect7 = _row(page, "change-aspect-7")
    assert (_value(aspect7, "before"), _value(aspect7, "after"), _value(aspect7, "delta")) == (
        "2.00",
        "4.00",
        "2.00",
    )
    assert _value(_row(page, "change-aspect-1"), "delta") == "0.30"
    assert _value(_row(page, "change-aspect-8"), "delta") == "0.00"
    assert _value(_row(page, "change-domain-2"), "delta") == "0.00"
    # index: 2 + (27.5 × 2 + 1.3 × 3) / 100 = 2.589 → 2.59
    index = _row(page, "change-index")
    assert (_value(index, "after"), _value(index, "delta")) == ("2.59", "0.59")


def test_overview_without_a_follow_up_shows_no_change(client, db, login, region):
    cohort = region["cohort"]
    _assess(db, cohort, "baseline", {1: 3})
    login(region["coordinator"])
    page = client.get(f"/cohorts/{cohort.id}/maturity").get_data(as_text=True)
    assert _value(_row(page, "change-domain-1"), "before") == "3.00"
    assert _value(_row(page, "change-domain-1"), "delta") == ""
    assert 'data-testid="open-baseline"' in page


def test_weakest_indicators_link_to_the_modules_that_address_them(
    client, db, login, region, make_course, attach
):
    cohort = region["cohort"]
    # make_course: module n addresses indicator n + 1 (sessions 1, 2, 3 → 2, 3, 4).
    version = make_course(modules=3)
    attach(cohort, version)
    levels = dict.fromkeys(ALL, 4) | {2: 1, 3: 2, 40: 1}
    _assess(db, cohort, "baseline", levels)
    login(region["coordinator"])
    page = client.get(f"/cohorts/{cohort.id}/maturity").get_data(as_text=True)

    weak = re.findall(r'data-testid="weak-indicator" data-indicator="(\d+)"', page)
    # the two level-1s (heavier first), the level 2, then the heaviest level-4s (aspect 8)
    assert weak == ["40", "2", "3", "42", "43"]
    modules = {
        m.position: m.id
        for m in db.session.scalars(select(Module).where(Module.version_id == version.id))
    }
    row2 = _row(page, "weak-indicator", 2)
    assert f'href="/learn/{cohort.id}/modules/{modules[1]}"' in row2
    assert f'href="/learn/{cohort.id}/modules/{modules[2]}"' in _row(page, "weak-indicator", 3)
    assert 'data-testid="weak-module"' not in _row(page, "weak-indicator", 40)
    assert "<td>1 · Rintisan</td>" in _row(page, "weak-indicator", 40)
    assert "<td>2 · Terkelola</td>" in _row(page, "weak-indicator", 3)
    assert f"/modules/{modules[3]}" not in page  # indicator 4 is not among the weakest

    # Once the follow-up has levels, it is the latest.
    _assess(db, cohort, "follow_up", {4: 1})
    page = client.get(f"/cohorts/{cohort.id}/maturity").get_data(as_text=True)
    assert re.findall(r'data-testid="weak-indicator" data-indicator="(\d+)"', page) == ["4"]
    assert f'href="/learn/{cohort.id}/modules/{modules[3]}"' in page
    # The link works for the coordinator.
    assert client.get(f"/learn/{cohort.id}/modules/{modules[3]}").status_code == 200


def test_the_modules_of_a_weak_indicator_come_in_course_order(
    client, db, login, region, make_course, attach
):
    """Two sessions address indicator 2; the one stored last comes first in the course."""
    cohort = region["cohort"]
    version = make_course(modules=3)
    attach(cohort, version)
    stored = list(
        db.session.scalars(
            select(Module).where(Module.version_id == version.id).order_by(Module.id)
        )
    )
    stored[0].position, stored[2].position = 3, 1
    stored[2].indicators = [2]  # stored[0] addresses indicator 2 already
    db.session.commit()
    _assess(db, cohort, "baseline", {2: 1})
    login(region["coordinator"])
    page = client.get(f"/cohorts/{cohort.id}/maturity").get_data(as_text=True)
    links = re.findall(r'data-testid="weak-module" data-module="(\d+)"', page)
    assert links == [str(stored[2].id), str(stored[0].id)]


def test_the_schedule_links_to_the_overview(client, db, login, region):
    login(region["mentor"])
    page = client.get(f"/cohorts/{region['cohort'].id}/schedule").get_data(as_text=True)
    assert f'href="/cohorts/{region["cohort"].id}/maturity"' in page


# --------------------------------------------------------------------------- query counts


def test_the_form_page_issues_the_same_queries_empty_or_complete(
    client, db, login, make_cohort, region, count_queries
):
    login(region["coordinator"])
    empty = region["cohort"]
    full = make_cohort("32.11", mentors=[region["mentor"]])
    _assess(db, full, "baseline", dict.fromkeys(ALL, 3))
    with count_queries() as small:
        assert client.get(_url(empty)).status_code == 200
    with count_queries() as large:
        assert client.get(_url(full)).status_code == 200
    assert large.n == small.n, large.statements
    assert large.n <= 8, large.statements


def test_the_overview_is_bounded(client, db, login, region, make_course, attach, count_queries):
    cohort = region["cohort"]
    attach(cohort, make_course(modules=3))
    login(region["mentor"])
    with count_queries() as small:
        assert client.get(f"/cohorts/{cohort.id}/maturity").status_code == 200
    _assess(db, cohort, "baseline", dict.fromkeys(ALL, 2))
    _assess(db, cohort, "follow_up", dict.fromkeys(ALL, 3))
    with count_queries() as large:
        assert client.get(f"/cohorts/{cohort.id}/maturity").status_code == 200
    assert large.n <= small.n + 1, large.statements  # + the version's modules, once
    assert large.n <= 10, large.statements


# --------------------------------------------------------------------------- autosave (issue 19)


def test_autosave_answers_in_json_and_a_stale_revision_is_refused(client, login, db, region):
    cohort = region["cohort"]
    login(region["coordinator"])
    fetch = {"X-Requested-With": "fetch"}
    first = client.post_form(_url(cohort), _form({1: 4}, revision="0"), headers=fetch)
    assert first.status_code == 200 and first.json["ok"] and first.json["revision"] == 1
    # A second tab still on revision 0: refused, nothing changed.
    stale = client.post_form(_url(cohort), _form({1: 2}, revision="0"), headers=fetch)
    assert stale.status_code == 409 and stale.json["stale"] and stale.json["message"]
    assert _assessment(db, cohort).revision == 1
    assert db.session.scalar(select(IndicatorScore.level)) == 4
    # The same from the Save button: the page comes back with the typed text and the error.
    typed = "Teks dari tab lama."
    page = client.post_form(_url(cohort), _form({1: 2}, justification=typed, revision="0"))
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and typed in html and 'class="flash flash-error"' in html
    assert 'name="revision" id="revision" value="0"' in html  # still stale until reloaded
    assert db.session.scalar(select(IndicatorScore.level)) == 4
    # A justification without a level is refused in JSON too, with the field named.
    missing = client.post_form(
        _url(cohort),
        {**_form({}), "justification-3": "Tanpa level", "revision": "1"},
        headers=fetch,
    )
    assert missing.status_code == 422 and "level-3" in missing.json["problems"]
    # The next save counts on: revision 2, and a form still on revision 1 is now stale.
    second = client.post_form(_url(cohort), _form({1: 5}, revision="1"), headers=fetch)
    assert second.status_code == 200 and second.json["revision"] == 2
    again = client.post_form(_url(cohort), _form({1: 3}, revision="1"), headers=fetch)
    assert again.status_code == 409
    assert db.session.scalar(select(IndicatorScore.level)) == 5
