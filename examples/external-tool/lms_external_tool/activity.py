"""`external_tool`: an activity scored by an external tool that posts the score back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from courses import contract
from courses.activities import ActivityType, ActivityView, ConfigProblem
from courses.contract import GradeCategory, GradedActivity, Risk, RiskContext
from lms.extensions import csrf, limiter
from lms.markdown import render_markdown

TEMPLATES = Path(__file__).resolve().parent / "templates"
SETTINGS = {"tool_url", "pass_percent", "instructions"}

bp = Blueprint("external_tool", __name__, template_folder=str(TEMPLATES))


def _pass_percent(config: Mapping[str, Any]) -> float:
    return float(config.get("pass_percent", 60))


class ExternalToolActivity(ActivityType):
    name = "external_tool"
    risks_many_cohorts = True
    label = "Alat eksternal (dinilai)"
    completion_events = frozenset()
    grade_categories = (GradeCategory("external", "Alat eksternal"),)
    blueprint = bp

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        problems = [
            ConfigProblem(key, f"unknown setting {key!r}") for key in sorted(set(config) - SETTINGS)
        ]
        url = config.get("tool_url")
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme != "https" or not parts.netloc:
            problems.append(ConfigProblem("tool_url", "tool_url must be an https:// address"))
        mark = config.get("pass_percent", 60)
        if isinstance(mark, bool) or not isinstance(mark, int) or not 0 <= mark <= 100:
            problems.append(ConfigProblem("pass_percent", "pass_percent must be 0 to 100"))
        if not isinstance(config.get("instructions", ""), str):
            problems.append(ConfigProblem("instructions", "instructions must be text"))
        return problems

    def prepare(self, activity_ids: list[int], enrolment_id: int | None) -> dict[int, Any]:
        if enrolment_id is None:
            return {}
        return {a: contract.load_record(enrolment_id, a) for a in activity_ids}

    def render(self, view: ActivityView) -> Markup:
        return Markup(  # noqa: S704 (a rendered template)
            render_template(
                "external_tool/activity.html",
                view=view,
                record=view.extra.get("data"),
                instructions=render_markdown(view.config.get("instructions", "")),
                pass_percent=_pass_percent(view.config),
            )
        )

    # ------------------------------------------------------------------ contract

    def category(self, config: Mapping[str, Any]) -> str:
        return "external"

    def pass_percent(self, config: Mapping[str, Any]) -> float:
        return _pass_percent(config)

    def result_query(self, activities: Sequence[GradedActivity], enrolments: Any) -> Any:
        return contract.record_query(activities, enrolments)

    def last_activity_query(self, enrolments: Any) -> Any:
        return contract.record_activity_query(self.name, enrolments)

    def risks(
        self, activities: Sequence[GradedActivity], context: RiskContext
    ) -> dict[int, list[Risk]]:
        found: dict[int, list[Risk]] = {}
        for activity in activities:
            mark = _pass_percent(activity.config)
            for enrolment_id in context.enrolment_ids:
                result = context.results.get((enrolment_id, activity.id))
                if result is not None and result.percent is not None and result.percent < mark:
                    found.setdefault(enrolment_id, []).append(
                        Risk(
                            "external_tool_failed",
                            _(
                                "%(title)s: score %(score)d below %(mark)d",
                                title=activity.title,
                                score=round(result.percent),
                                mark=round(mark),
                            ),
                        )
                    )
        return found


@bp.get("/<int:activity_id>/launch")
def launch(activity_id: int) -> Any:
    """Send the participant to the tool with a signed token and the address for the score."""
    enrolment, activity, _module = contract.participant_activity(activity_id, "external_tool")
    from courses.services import decode_settings

    config = decode_settings(activity.config)
    query = urlencode(
        {
            "token": contract.score_token(enrolment.id, activity.id),
            "return": url_for("external_tool.score", _external=True),
        }
    )
    return redirect(f"{config['tool_url']}?{query}")


@bp.post("/score")
@csrf.exempt
@limiter.limit("60 per minute")
def score() -> Any:
    """The tool posts `token` and `score` (0-100) back; the token is the only credential."""
    from courses.models import Activity
    from courses.services import decode_settings
    from lms.extensions import db

    data = request.get_json(silent=True) or request.form
    found = contract.read_score_token(str(data.get("token", "")))
    if found is None:
        abort(403)
    enrolment_id, activity_id = found
    try:
        value = float(data.get("score", ""))
    except ValueError:
        return jsonify(error="score must be a number from 0 to 100"), 400
    if not 0.0 <= value <= 100.0:
        return jsonify(error="score must be a number from 0 to 100"), 400
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.type != "external_tool":
        abort(404)
    record = contract.load_record(enrolment_id, activity_id)
    tries = int((record.data or {}).get("tries", 0)) + 1 if record is not None else 1
    contract.report_result(
        enrolment_id,
        activity_id,
        percent=value,
        state="scored",
        data={"tries": tries},
        complete_when="graded",
        pass_percent=_pass_percent(decode_settings(activity.config)),
    )
    db.session.commit()
    return jsonify(ok=True, score=value, tries=tries)
