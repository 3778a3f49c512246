"""One settings module, driven by environment variables (see .env.example).

Production mode is the default: DEBUG is on only when DJANGO_DEBUG=1 is set.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from salescrm.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SALESCRM_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "salescrm.adminsite.CrmAdminConfig",  # django.contrib.admin, with its names looked up in the catalogues
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # pg_trgm's indexes and similarity for 名寄せ and the search box (companies)
    "django.forms",  # its widget templates, under ours (templates/django/forms/widgets/)
    "django_htmx",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "salescrm",
    "accounts",
    "prospects",
    "pipeline",
    "closing",
    "targets",
    "imports",
    "activities",
    "reports",
    "companies",
    "products",
    "ninja",  # django-ninja: its templates and the vendored Swagger UI of the API docs (api/)
    "api",
    "webhooks",
    "notifications",
    "inbound",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "salescrm.middleware.PublicPathsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "salescrm.middleware.ResponseRulesMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
    "webhooks.middleware.SubscriptionsMemoMiddleware",
]

ROOT_URLCONF = "salescrm.urls"
WSGI_APPLICATION = "salescrm.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

# Widgets render through the project's templates, so templates/django/forms/widgets/ can add to them
# (the character limit under every text input).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": [
                "django.templatetags.i18n",
                "salescrm.templatetags.crm",
            ],
        },
    },
    # Hot partials only: board cards, month-list and prospect-list rows, agenda items (*/jinja2/): docs/performance.md.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
        "OPTIONS": {"environment": "pipeline.jinja_env.environment"},
    },
]

# --- Database: PostgreSQL only. Persistent connections: opening one costs more than most pages' queries.
DATABASE_URL = env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/salescrm")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("salescrm runs on PostgreSQL only; DATABASE_URL must be postgres://...")
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis / Celery. Redis is never on the request path: sessions and axes live in PostgreSQL.
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Asia/Tokyo"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Short socket timeouts so that a hung Redis cannot hold a web request (celery#4296);
# the visibility timeout stays above the task time limit so that acks_late tasks are not run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 1.0,
    "socket_connect_timeout": 1.0,
    "visibility_timeout": 3600,
    "global_keyprefix": env_str("REDIS_KEY_PREFIX", ""),
}
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "salescrm")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The beat schedule lives here, in one place (django-celery-beat does not support Django 6.1).
CELERY_BEAT_SCHEDULE: dict = {}

# --- Auth
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout keyed on username + IP, so one shared office IP is never locked out as a whole.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
REQUIRE_ADMIN_2FA = env_bool("REQUIRE_ADMIN_2FA", False)

# --- Sessions: in the database; idle and absolute timeouts.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 3600)
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 2 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security headers; production values by default.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY", True) else None
)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Uploads: refuse oversized bodies with a message, not a crash.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 40 * 1024 * 1024)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 200)

# --- i18n: Japanese first.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Tokyo")
# The company's one currency: every amount is in it, formatted with it (JPY: no decimals), summed as
# it. See docs/currency.md.
COMPANY_CURRENCY = env_str("COMPANY_CURRENCY", "JPY").strip().upper()
if not (len(COMPANY_CURRENCY) == 3 and COMPANY_CURRENCY.isascii() and COMPANY_CURRENCY.isalpha()):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("COMPANY_CURRENCY must be a three-letter ISO 4217 code such as JPY.")

# Horizon suggestion from the expected month: short = this month or within SHORT months after it,
# mid = up to MID months ahead, long = later or unknown.
HORIZON_SHORT_MONTHS = env_int("HORIZON_SHORT_MONTHS", 1)
HORIZON_MID_MONTHS = env_int("HORIZON_MID_MONTHS", 6)

# --- Static files: vendored only, served by WhiteNoise.
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "salescrm.storage.StaticFilesStorage"
        if env_bool("DJANGO_MANIFEST_STATIC", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Email: console in development, SMTP from the environment in production. The environment keeps
# Django's old EMAIL_* names; they make the one mailer of MAILERS (Django 6.1).
_MAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
# Django's own backends that send nothing over SMTP; any other backend (Django's SMTP one or a custom one,
# usually its subclass) gets the SMTP options: BaseEmailBackend ignores options it does not know.
_LOCAL_MAIL_BACKENDS = {
    f"django.core.mail.backends.{name}.EmailBackend" for name in ("console", "locmem", "dummy")
}
_MAIL_OPTIONS: dict[str, object] = {}
if _MAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
    # The folder of the file backend, used by bin/faults to count the alert emails.
    _MAIL_OPTIONS = {"file_path": env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))}
elif _MAIL_BACKEND not in _LOCAL_MAIL_BACKENDS:
    _MAIL_OPTIONS = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "use_ssl": env_bool("EMAIL_USE_SSL", False),
        "timeout": env_int("EMAIL_TIMEOUT", 30),
    }
    if _MAIL_OPTIONS["use_tls"] and _MAIL_OPTIONS["use_ssl"]:
        # Django's SMTP backend refuses the pair only when it sends, inside a job; say it at start-up.
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "EMAIL_USE_TLS (STARTTLS, port 587) and EMAIL_USE_SSL (SMTPS, port 465): set one, not both."
        )
MAILERS = {"default": {"BACKEND": _MAIL_BACKEND, "OPTIONS": _MAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "salescrm <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Pipeline targets (targets app): when Celery beat runs the check and sends the digest.
# Working hours and days of the check are configurable; times are Asia/Tokyo (CELERY_TIMEZONE).
TARGETS_CHECK_FIRST_HOUR = env_int("TARGETS_CHECK_FIRST_HOUR", 9)
TARGETS_CHECK_LAST_HOUR = env_int("TARGETS_CHECK_LAST_HOUR", 19)
TARGETS_CHECK_DAYS = env_str("TARGETS_CHECK_DAYS", "mon-sat")
TARGETS_MORNING_CHECK_HOUR = env_int("TARGETS_MORNING_CHECK_HOUR", 8)
TARGETS_DIGEST_TIME = env_str("TARGETS_DIGEST_TIME", "08:30")
CELERY_BEAT_SCHEDULE.update(
    {
        # Every 30 minutes during working hours, Monday to Saturday: 09:00, 09:30, ... 18:30.
        "targets-check-working-hours": {
            "task": "targets.check_pipeline_targets",
            "schedule": crontab(
                minute="0,30",
                hour=f"{TARGETS_CHECK_FIRST_HOUR}-{TARGETS_CHECK_LAST_HOUR - 1}",
                day_of_week=TARGETS_CHECK_DAYS,
            ),
        },
        # The last run of the working day, at 19:00, Monday to Saturday.
        "targets-check-end-of-day": {
            "task": "targets.check_pipeline_targets",
            "schedule": crontab(minute=0, hour=TARGETS_CHECK_LAST_HOUR, day_of_week=TARGETS_CHECK_DAYS),
        },
        # Once every morning at 08:00, every day, so the day starts with fresh alerts.
        "targets-check-morning": {
            "task": "targets.check_pipeline_targets",
            "schedule": crontab(minute=0, hour=TARGETS_MORNING_CHECK_HOUR),
        },
        # At 00:10 every day: the day's source history and flow rollup, read by every check of the day
        # (the first check computes it if this has not run).
        "targets-flow-rollup": {
            "task": "targets.refresh_flow_rollup",
            "schedule": crontab(hour=0, minute=10),
        },
        # The daily digest of open alerts at 08:30, every day.
        "targets-alert-digest": {
            "task": "targets.send_alert_digest",
            "schedule": crontab(
                minute=int(TARGETS_DIGEST_TIME.split(":")[1]), hour=int(TARGETS_DIGEST_TIME.split(":")[0])
            ),
        },
    }
)

# --- closing app
# Every day at 07:00 Tokyo time: lost prospects whose re-contact date has come get a follow-up prospect.
CELERY_BEAT_SCHEDULE["closing-recontact-followups"] = {
    "task": "closing.create_recontact_followups",
    "schedule": crontab(hour=7, minute=0),
}
# "Waiting too long": open mid/long-term prospects with no test closing for this many days.
TEST_CLOSING_STALE_DAYS = env_int("TEST_CLOSING_STALE_DAYS", 30)
# A positive test-closing answer proposes raising the probability to at least this (percent).
TEST_CLOSING_POSITIVE_PROBABILITY = env_int("TEST_CLOSING_POSITIVE_PROBABILITY", 70)

# --- activities app
# Every day at 07:30 Tokyo time: the day's agenda and overdue activities to each user who opted in.
CELERY_BEAT_SCHEDULE["activities-morning-email"] = {
    "task": "activities.send_morning_emails",
    "schedule": crontab(hour=7, minute=30),
}

# --- pipeline: beat jobs (Asia/Tokyo, CELERY_TIMEZONE)
CELERY_BEAT_SCHEDULE.update(
    {
        # Every night at 00:15: flag prospects whose expected month has passed, recompute suggestions.
        "pipeline-horizon-upkeep": {
            "task": "pipeline.horizon_upkeep",
            "schedule": crontab(hour=0, minute=15),
        },
        # On the 1st of each month at 00:05: snapshot the "might buy this month" lists.
        "pipeline-snapshot-month": {
            "task": "pipeline.snapshot_month",
            "schedule": crontab(day_of_month=1, hour=0, minute=5),
        },
    }
)
# --- prospects: at 00:20 every day, check the trigger-kept open counts (prospects.OpenCount) against
# a real count and compact them.
CELERY_BEAT_SCHEDULE["prospects-open-count-upkeep"] = {
    "task": "prospects.open_count_upkeep",
    "schedule": crontab(hour=0, minute=20),
}
# --- Two-factor (accounts): the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "salescrm")
# --- imports: uploaded files stay under var/ (never served); files above IMPORT_ASYNC_ROWS data rows
# are checked and imported by a Celery task with a progress bar.
IMPORT_UPLOAD_DIR = Path(env_str("IMPORT_UPLOAD_DIR", str(VAR_DIR / "imports")))
IMPORT_ASYNC_ROWS = env_int("IMPORT_ASYNC_ROWS", 2000)
# A running import task writes a heartbeat every IMPORT_HEARTBEAT_SECONDS; a job whose heartbeat is
# older than IMPORT_STALE_SECONDS lost its worker and is shown failed, ready to run again.
IMPORT_HEARTBEAT_SECONDS = env_int("IMPORT_HEARTBEAT_SECONDS", 10)
IMPORT_STALE_SECONDS = env_int("IMPORT_STALE_SECONDS", 120)

# --- History: statement-level triggers record every changed row from the statement's transition
# tables: the same events as row-level triggers, one trigger call per statement for bulk writes (imports,
# bulk updates; docs/performance.md).
import pgtrigger  # noqa: E402

PGHISTORY_LEVEL = pgtrigger.Statement
# The history context (who, which URL) is attached to the requests that write: its middleware prefixes
# every statement of a tracked request with two set_config() calls, which a page that only reads paid
# on each of its queries (GET is in pghistory's default list).
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# --- Board: the cards a column shows at first, and adds with each "show more cards" (the column's count
# and sums cover all prospects).
BOARD_CARDS_PER_COLUMN = env_int("BOARD_CARDS_PER_COLUMN", 10)
# Rows per page of the "might buy this month" list (its totals, print view and exports cover every row).
MONTH_LIST_PAGE_SIZE = env_int("MONTH_LIST_PAGE_SIZE", 25)
# --- reliability: a request waits at most JOBS_ENQUEUE_WAIT s for a Celery publish (salescrm/lib/jobs.py);
# after a broker failure, callers stop waiting for JOBS_BROKER_BACKOFF s. See docs/reliability.md.
JOBS_ENQUEUE_WAIT = env_int("JOBS_ENQUEUE_WAIT_MS", 500) / 1000
JOBS_BROKER_BACKOFF = env_int("JOBS_BROKER_BACKOFF", 10)
# --- notifications: the base URL of links in e-mails; the sweep re-sends e-mails still unsent after
# NOTIFICATIONS_SWEEP_AFTER_SECONDS (a broker outage lost the publish, or the retries ran out).
SITE_URL = env_str("SITE_URL", "http://localhost:8000")
NOTIFICATIONS_SWEEP_AFTER_SECONDS = env_int("NOTIFICATIONS_SWEEP_AFTER_SECONDS", 300)
CELERY_BEAT_SCHEDULE["notifications-sweep-unsent"] = {
    "task": "notifications.sweep_unsent",
    "schedule": crontab(minute="*/5"),
}
# --- webhooks: delivery of signed events (webhooks app; README "Webhooks"). Private, loopback and
# link-local receivers are refused unless WEBHOOKS_ALLOW_PRIVATE (tests, a receiver on the same host).
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 10)
WEBHOOKS_MAX_ATTEMPTS = env_int("WEBHOOKS_MAX_ATTEMPTS", 8)
# The wait before attempt n+1 is between half and all of min(MAX, BASE * 2**(n-1)) seconds; MAX stays
# below the broker's visibility timeout (3600 s), which a countdown must not outlive.
WEBHOOKS_RETRY_BASE_SECONDS = float(env_str("WEBHOOKS_RETRY_BASE_SECONDS", "30"))
WEBHOOKS_RETRY_MAX_SECONDS = min(float(env_str("WEBHOOKS_RETRY_MAX_SECONDS", "1800")), 3000.0)
WEBHOOKS_PAUSE_AFTER_FAILURES = env_int("WEBHOOKS_PAUSE_AFTER_FAILURES", 5)
# Every minute: deliveries whose publish was lost (broker down at the commit) go now.
CELERY_BEAT_SCHEDULE["webhooks-sweep-due"] = {
    "task": "webhooks.sweep_due",
    "schedule": crontab(minute="*"),
}
# --- REST API (api/): requests per personal token in each fixed window of API_RATE_WINDOW_SECONDS;
# one more answers 429 with Retry-After.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 120)
API_RATE_WINDOW_SECONDS = env_int("API_RATE_WINDOW_SECONDS", 60)
# --- inbound: the web inquiry form's protection (inbound/guard.py) and its sweep. A token younger than
# INBOUND_MIN_FILL_SECONDS is a bot's; older than INBOUND_TOKEN_MAX_AGE, a stale page. At most
# INBOUND_RATE_LIMIT submissions per address per INBOUND_RATE_WINDOW_SECONDS.
INBOUND_MIN_FILL_SECONDS = env_int("INBOUND_MIN_FILL_SECONDS", 3)
INBOUND_TOKEN_MAX_AGE = env_int("INBOUND_TOKEN_MAX_AGE", 24 * 3600)
INBOUND_RATE_LIMIT = env_int("INBOUND_RATE_LIMIT", 5)
INBOUND_RATE_WINDOW_SECONDS = env_int("INBOUND_RATE_WINDOW_SECONDS", 600)
INBOUND_MAX_BODY_BYTES = env_int("INBOUND_MAX_BODY_BYTES", 16 * 1024)
INBOUND_TRUST_FORWARDED_FOR = env_bool("DJANGO_BEHIND_PROXY", True)
INBOUND_SWEEP_AFTER_SECONDS = env_int("INBOUND_SWEEP_AFTER_SECONDS", 120)
CELERY_BEAT_SCHEDULE["inbound-sweep"] = {"task": "inbound.sweep", "schedule": crontab(minute="*")}
