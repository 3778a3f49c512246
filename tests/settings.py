"""The production settings module, with test-only speed-ups. Services come from DATABASE_URL/REDIS_URL
(bin/test picks them)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghijkl")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")

from salescrm.settings import *  # noqa: F403

# One queue per test process (pytest-xdist workers included): a worker started by one test process must
# never consume the tasks of another, whose database it cannot see. Set here, not through the
# environment, which xdist workers inherit from the controller process.
CELERY_TASK_DEFAULT_QUEUE = f"salescrm-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
