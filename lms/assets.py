"""Static files under content-hashed names (`lms.3f2a9c1b0d.css`), so browsers may keep
them for a year: a changed file gets a new name, and pages link to it at once.

Templates call `static_url("lms.css")`. The static view answers a hashed name whose hash
matches the file's content with `Cache-Control: public, max-age=31536000, immutable`;
plain names and stale hashes are served as before, without the long cache.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Flask, Response, send_from_directory, url_for

YEAR = 365 * 24 * 3600
DIGEST_LENGTH = 10
_HASHED = re.compile(
    rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})(?P<suffix>\.[A-Za-z0-9]+)$"
)


class Assets:
    """Content digests of the files in one static folder, recomputed when a file changes."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder).resolve()
        self._digests: dict[str, tuple[float, str]] = {}

    def digest(self, filename: str) -> str | None:
        path = (self.folder / filename).resolve()
        if not path.is_relative_to(self.folder) or not path.is_file():
            return None
        mtime = path.stat().st_mtime
        cached = self._digests.get(filename)
        if cached is None or cached[0] != mtime:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:DIGEST_LENGTH]
            cached = self._digests[filename] = (mtime, digest)
        return cached[1]

    def hashed_name(self, filename: str) -> str:
        """`vendor/pico.min.css` -> `vendor/pico.min.<digest>.css` (unchanged if missing)."""
        digest = self.digest(filename)
        stem, dot, suffix = filename.rpartition(".")
        if digest is None or not dot:
            return filename
        return f"{stem}.{digest}.{suffix}"

    def original(self, name: str) -> tuple[str, bool]:
        """The file a requested name stands for, and whether it was a hashed name."""
        match = _HASHED.match(name)
        if match is None:
            return name, False
        return match["stem"] + match["suffix"], True


def init_app(app: Flask) -> None:
    assert app.static_folder is not None
    assets = Assets(app.static_folder)
    folder = app.static_folder

    def static_url(filename: str) -> str:
        return url_for("static", filename=assets.hashed_name(filename))

    def serve(filename: str) -> Response:
        original, hashed = assets.original(filename)
        if not hashed or assets.digest(original) is None:
            return _buffered(send_from_directory(folder, filename))
        if filename != assets.hashed_name(original):
            # A page made before the file changed: the current file, without the long cache.
            return _buffered(send_from_directory(folder, original))
        response = send_from_directory(folder, original, max_age=YEAR)
        response.cache_control.public = True
        response.cache_control.immutable = True
        return _buffered(response)

    app.jinja_env.globals["static_url"] = static_url
    app.view_functions["static"] = serve


def _buffered(response: Response) -> Response:
    """The file read into memory and closed: the compressor replaces the body of the
    response it compresses, and would leave a file wrapper open."""
    if response.direct_passthrough:
        body = response.response
        response.direct_passthrough = False
        data = response.get_data()
        close = getattr(body, "close", None)
        if close is not None:
            close()
        response.set_data(data)
    return response
