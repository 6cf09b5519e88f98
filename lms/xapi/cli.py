"""`lms xapi send`: deliver waiting statements to the LRS (run it every minute from cron;
with a job queue it is the fallback for what the queue's retries gave up on)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.extensions import db


@click.group("xapi")
def xapi_cli() -> None:
    """xAPI statements to a Learning Record Store."""


@xapi_cli.command("send")
@with_appcontext
def send() -> None:
    """Send the statements that are due; failures are retried later with a growing delay."""
    from lms.models import utcnow
    from lms.xapi import services

    if not current_app.config.get("LMS_XAPI_URL"):
        raise click.ClickException("LMS_XAPI_URL is not set.")
    sent, failed = services.send(utcnow())
    db.session.commit()
    click.echo(f"Sent {sent} statements; {failed} wait for a retry.")
    if failed:
        raise SystemExit(1)
