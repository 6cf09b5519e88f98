"""Personal data under UU 27/2022 (Pelindungan Data Pribadi): a participant's own export,
an admin's erasure of a person who has left, retention of uploads of finished cohorts, and
the privacy notice.

It reads and changes rows of every layer, so it sits at the top next to `lms.home`, and
works on the tables through SQLAlchemy Core (`db.metadata`) rather than importing the
activity types' models.
"""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    from lms.privacy.cli import uploads_cli
    from lms.privacy.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(uploads_cli)
