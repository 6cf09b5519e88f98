"""Configuration read from the environment, with safe defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment, or one generated once into the instance folder."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = instance_path / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'lms.sqlite3'}"
    # Heroku-style URLs and bare postgresql:// both mean psycopg 3 here.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: Path) -> dict[str, object]:
    """Build the app's configuration from environment variables."""
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "UPLOAD_FOLDER": os.environ.get("LMS_UPLOAD_FOLDER", str(instance_path / "uploads")),
        "LMS_STORAGE": os.environ.get("LMS_STORAGE", "local"),
        "LMS_STORAGE_PATH": os.environ.get("LMS_STORAGE_PATH", ""),
        "LMS_S3_BUCKET": os.environ.get("LMS_S3_BUCKET", ""),
        "LMS_S3_ENDPOINT_URL": os.environ.get("LMS_S3_ENDPOINT_URL", ""),
        "LMS_S3_REGION": os.environ.get("LMS_S3_REGION", ""),
        "LMS_S3_PREFIX": os.environ.get("LMS_S3_PREFIX", ""),
        "LMS_S3_ACCESS_KEY_ID": os.environ.get("LMS_S3_ACCESS_KEY_ID", ""),
        "LMS_S3_SECRET_ACCESS_KEY": os.environ.get("LMS_S3_SECRET_ACCESS_KEY", ""),
        "MAX_CONTENT_LENGTH": int(os.environ.get("LMS_MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        # Outside video players the material may embed (a lone link to such a video):
        # "youtube" (youtube-nocookie) and/or "vimeo" (dnt); none by default.
        "LMS_VIDEO_EMBED": os.environ.get("LMS_VIDEO_EMBED", ""),
        "LMS_ASSET_MAX_BYTES": int(os.environ.get("LMS_ASSET_MAX_BYTES", str(20 * 1024 * 1024))),
        "LMS_ASSET_PACKAGE_MAX_BYTES": int(
            os.environ.get("LMS_ASSET_PACKAGE_MAX_BYTES", str(100 * 1024 * 1024))
        ),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT_ACCOUNT": os.environ.get("LMS_LOGIN_LIMIT_ACCOUNT", "5 per 15 minutes"),
        "LOGIN_RATE_LIMIT_IP": os.environ.get("LMS_LOGIN_LIMIT_IP", "30 per 15 minutes"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "no-reply@livinglab.local"),
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "LMS_REDIS_URL": os.environ.get("LMS_REDIS_URL") or os.environ.get("REDIS_URL", ""),
        "LMS_BASE_URL": os.environ.get("LMS_BASE_URL", ""),
        "DISCUSSION_POST_LIMIT": os.environ.get("LMS_POST_LIMIT", "20 per 10 minutes"),
        "PASSWORD_RESET_HOURS": int(os.environ.get("LMS_PASSWORD_RESET_HOURS", "48")),
        "UPLOAD_RETENTION_DAYS": int(os.environ.get("LMS_UPLOAD_RETENTION_DAYS", "730")),
        "JOB_RESULT_DAYS": int(os.environ.get("LMS_JOB_RESULT_DAYS", "7")),
    }


DEFAULTS: dict[str, object] = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "BABEL_DEFAULT_LOCALE": "id",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
    "LANGUAGES": ("id", "en"),
    "WTF_CSRF_TIME_LIMIT": None,
    "RATELIMIT_HEADERS_ENABLED": True,
    # Redis down: limits are counted per process in memory until it is back, pages serve.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "PAGE_SIZE": 50,
}
