"""Settings for the benchmarks: the production settings (DEBUG off, real middleware, manifest static files)
plus the baseline view's URL. Used in-process by bench.runner and by gunicorn in the throughput run.

The database comes from DATABASE_URL, which bench.runner points at the bench's own database
(salescrm_bench_<size>) before Django starts; it is never the dev or test database.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-secret-key-not-for-production-0123456789abcdefghijkl")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

from salescrm.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405  (for bench/templates/)

# Jobs enqueued by the measured POSTs go to an in-memory broker: the bench measures the web tier and
# must not leave thousands of tasks in a shared Redis with no worker to take them.
CELERY_BROKER_URL = "memory://"

# The REST API's per-token rate limit (api/) would answer the timed requests 429.
API_RATE_LIMIT = 10**9

# axes logs every login and lock check at INFO: noise in the bench's output.
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # noqa: F405
