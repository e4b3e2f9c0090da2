"""Settings, read from the environment.

Fail closed: production is the default, so a forgotten variable never leaves a live site
in debug mode or with a guessable key. Production needs ``DATABASE_URL`` (PostgreSQL),
``SECRET_KEY`` and ``ALLOWED_HOSTS``; ``manage check --deploy`` passes with those.

Development is the explicit choice, ``COPRODUCE_ENV=development`` (the demo and the tests
choose it): SQLite in a data directory (``COPRODUCE_DATA_DIR``, default ``.coproduce-data``
in the working directory), a key generated there, email written to files, tasks run at once.
DEBUG stays off even then unless ``COPRODUCE_DEBUG=1``: the demo shows the styled error pages
a resident would see, not Django's debug pages listing every route.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ.get("COPRODUCE_ENV", "production")
if ENV not in {"production", "development"}:
    raise ImproperlyConfigured(f"COPRODUCE_ENV must be 'production' or 'development', not {ENV!r}.")
PRODUCTION = ENV == "production"
DATA_DIR = Path(os.environ.get("COPRODUCE_DATA_DIR", Path.cwd() / ".coproduce-data")).resolve()


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "Set SECRET_KEY in the environment for production (or COPRODUCE_ENV=development for a local copy)."
        )
    # Development: one random key per data directory, so sessions survive restarts.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = not PRODUCTION and os.environ.get("COPRODUCE_DEBUG", "0") == "1"
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "coproduce.core",
    "coproduce.members",
    "coproduce.voting",
    "coproduce.governance",
    "coproduce.elections",
    "coproduce.budgets",
    "coproduce.consultations",
    "coproduce.panels",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks_db",
    "django_htmx",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "coproduce.core.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "coproduce.config.urls"
WSGI_APPLICATION = "coproduce.config.wsgi.application"

TEMPLATES = [
    {
        # Our own pages: Jinja2 with the GOV.UK Frontend macros.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "coproduce.core.jinja.environment"},
    },
    {
        # Django admin and allauth ship Django templates; ours for allauth wrap the same layout.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'coproduce.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
# A URL name, not "/": reversed in the language of the page, so signing out in Welsh stays in Welsh.
LOGOUT_REDIRECT_URL = "core:home"

# django-allauth: email log-in, verified addresses, rate limits on, MFA for officers.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
}
ACCOUNT_ADAPTER = "coproduce.core.accounts.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "coproduce.core.accounts.SignupForm"  # asks for the person's name
# Confirming the email address signs in the browser that signed up and carries on where the
# person was going (e.g. back to the join form), instead of asking for the password again.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TOTP_ISSUER = "Coproduce"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("cy", _("Welsh"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/London"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Uploads (candidates' photos) through Django's storage API: files under the data directory unless
# COPRODUCE_MEDIA_ROOT says where; they are served by the apps' own views, never as a public folder.
MEDIA_ROOT = Path(os.environ.get("COPRODUCE_MEDIA_ROOT", DATA_DIR / "media")).resolve()
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start without it
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Email through Django's mailers: SMTP in production, files in .coproduce-data/sent-email otherwise.
_MAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.filebased.EmailBackend",
)
if _MAIL_BACKEND.endswith("smtp.EmailBackend"):
    _MAIL_OPTIONS = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": os.environ.get("EMAIL_USE_TLS", "0") == "1",
    }
elif _MAIL_BACKEND.endswith("filebased.EmailBackend"):
    _MAIL_OPTIONS = {"file_path": str(DATA_DIR / "sent-email")}
else:
    _MAIL_OPTIONS = {}
MAILERS = {"default": {"BACKEND": _MAIL_BACKEND, "OPTIONS": _MAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Coproduce <no-reply@coproduce.invalid>")

# django.tasks: the database backend in production; run at once in development and tests.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend" if PRODUCTION else "django.tasks.backends.immediate.ImmediateBackend",
        )
    }
}

# Content security policy: nothing from elsewhere; our own scripts only.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
}

# The JSON API: at most 100 rows a page; throttled per address and per signed-in person.
NINJA_PAGINATION_PER_PAGE = 25
NINJA_PAGINATION_MAX_LIMIT = 100
API_THROTTLE_PER_ADDRESS = os.environ.get("API_THROTTLE_PER_ADDRESS", "300/m")
API_THROTTLE_PER_USER = os.environ.get("API_THROTTLE_PER_USER", "600/m")

# Rate limits (sign-in, the API) are counted in the cache: in the database in production, so every
# app process behind the load balancer shares the same count (run ``manage createcachetable``).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "coproduce_cache"}
    if PRODUCTION
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"django.tasks": {"level": os.environ.get("LOG_LEVEL", "WARNING")}},
}

# --- The council that runs this site (core; issue 16) -------------------------------------------
# Its name is shown in the header, in every page title ("Your work – Kingsmere Borough Council") and
# in every email allauth sends. The demo borough is Kingsmere; a real council sets its own name.
COPRODUCE_SITE_NAME = os.environ.get("COPRODUCE_SITE_NAME", "").strip() or (
    "Coproduce" if PRODUCTION else "Kingsmere Borough Council"
)
# Where people reach this site, for links in emails and letters sent outside a request.
COPRODUCE_SITE_URL = os.environ.get("COPRODUCE_SITE_URL", "").strip().rstrip("/") or "http://127.0.0.1:8000"
# The logo beside the name in the header: a static path ("core/kingsmere-logo.svg") or a URL. The
# demo ships a generic one (no crown, no coat of arms); empty for none.
COPRODUCE_LOGO = os.environ.get("COPRODUCE_LOGO", "" if PRODUCTION else "core/kingsmere-logo.svg").strip()
if COPRODUCE_LOGO.startswith("https://"):
    # A logo served from elsewhere: allow its origin for images, and nothing else from it.
    from urllib.parse import urlsplit as _urlsplit

    _logo = _urlsplit(COPRODUCE_LOGO)
    SECURE_CSP["img-src"] = [*SECURE_CSP["img-src"], f"{_logo.scheme}://{_logo.netloc}"]
# --- end of the council block -------------------------------------------------------------------
