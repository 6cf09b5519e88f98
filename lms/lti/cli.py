"""`lms lti`: rotate our key, send course grades back, read a platform's roster."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.extensions import db


@click.group("lti")
def lti_cli() -> None:
    """LTI 1.3 tool: keys, grade passback, rosters."""


@lti_cli.command("rotate-key")
@with_appcontext
def rotate_key() -> None:
    """Make a new signing key; the old one stays published at /lti/jwks.json for a day."""
    from lms.lti import keys
    from lms.models import utcnow

    key = keys.rotate(utcnow())
    db.session.commit()
    click.echo(f"New key {key.kid} signs from now on.")


@lti_cli.command("send-grades")
@click.option("--cohort", "cohort_id", type=int, default=None, help="Only this cohort.")
@with_appcontext
def send_grades(cohort_id: int | None) -> None:
    """Send changed course grades to the platforms (run it from cron)."""
    from lms.lti import services
    from lms.models import utcnow

    sent = services.send_grades(utcnow(), cohort_id)
    db.session.commit()
    click.echo(f"Sent {len(sent)} grades.")


@lti_cli.command("roster")
@click.argument("platform_id", type=int)
@with_appcontext
def roster(platform_id: int) -> None:
    """List the members of the platform's course (Names and Role Provisioning)."""
    from lms.lti import services
    from lms.lti.models import LtiPlatform

    platform = db.session.get(LtiPlatform, platform_id)
    if platform is None:
        raise click.ClickException(f"No platform {platform_id}.")
    try:
        members = services.roster(platform)
    except services.LtiError as error:
        raise click.ClickException(str(error)) from error
    for member in members:
        roles = ",".join(r.rsplit("#", 1)[-1] for r in member.get("roles", []))
        click.echo(
            f"{member.get('user_id')}\t{member.get('email', '')}\t{member.get('name', '')}\t{roles}"
        )
