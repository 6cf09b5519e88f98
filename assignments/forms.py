"""The per-cohort assignment times form (the rest of the assignment forms are plain HTML
built around rubrics and files, checked in the views and services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField
from wtforms.validators import Optional


class AssignmentWindowForm(FlaskForm):
    opens_at = DateTimeLocalField(_l("Opens"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    due_at = DateTimeLocalField(_l("Due"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    cutoff_at = DateTimeLocalField(_l("Cut-off"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
