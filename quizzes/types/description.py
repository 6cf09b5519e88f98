"""Description: text between questions (the engine shows it); nothing to answer, no points.

No settings. Response: None.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from quizzes.types._common import QuestionTypeBase


class Description(QuestionTypeBase):
    name = "description"
    label = _l("Description")
    scored = False
