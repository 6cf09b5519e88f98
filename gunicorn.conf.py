"""gunicorn settings for `make serve` (production-like). Every value can be set from the
environment; see the README's "Deployment" section for sizing."""

import gc
import json
import multiprocessing
import os

from lms import create_app
from lms.serving import NotMigrated, check_migrated

bind = os.environ.get("LMS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("LMS_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("LMS_THREADS", "2"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("LMS_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("LMS_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
wsgi_app = "lms:create_app()"
accesslog = os.environ.get("LMS_ACCESS_LOG", "-")
errorlog = "-"
# One JSON object per request, for log shippers; no query strings (they may carry tokens).
access_log_format = json.dumps(
    {
        "time": "%(t)s",
        "remote": "%(h)s",
        "method": "%(m)s",
        "path": "%(U)s",
        "status": "%(s)s",
        "bytes": "%(B)s",
        "duration_us": "%(D)s",
        "referer": "%(f)s",
        "agent": "%(a)s",
    }
)


def on_starting(server):
    """Refuse to start workers on a database that is not at the newest migration."""
    try:
        check_migrated(create_app())
    except NotMigrated as error:
        server.log.error("Living Lab LMS not started: %s", error)
        raise SystemExit(3) from None


def post_worker_init(worker):
    """Take what the worker made at start-up (the app, its modules, templates and
    translations: some 200,000 objects) out of the garbage collector's sight. Otherwise
    every full collection walks them all, and under load one request in a few waits
    about 90 ms for it (measured on the cohort dashboard and the mentor's home)."""
    gc.collect()
    gc.freeze()
