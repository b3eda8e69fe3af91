"""Production settings: gunicorn, the Celery worker and beat, in containers (docker-compose.yml) or
on a host (`make stack`). Everything comes from the environment; .env.example documents it.

The import fails with one ImproperlyConfigured message naming every required variable that is
missing, so that a misconfigured container stops at once and says what to fix."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, LOGGING, STORAGES, env, env_bool, env_list

# Variables without which production must not start (an empty value counts as missing).
REQUIRED_ENVIRONMENT = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL")
PLACEHOLDER_PREFIX = "change-me"  # the placeholders of .env.example


def _check_environment():
    missing = [name for name in REQUIRED_ENVIRONMENT if env(name) is None]
    if STORAGES["default"]["BACKEND"].startswith("storages."):
        missing += [name for name in ("AWS_STORAGE_BUCKET_NAME",) if env(name) is None]
    problems = []
    if missing:
        problems.append("missing required environment variables: " + ", ".join(missing))
    secret = env("SECRET_KEY") or ""
    if secret.startswith(PLACEHOLDER_PREFIX):
        problems.append(
            "SECRET_KEY is still the placeholder of .env.example (generate one with "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    elif secret and len(secret) < 50:
        problems.append(f"SECRET_KEY is too short ({len(secret)} characters, at least 50)")
    if problems:
        raise ImproperlyConfigured(
            "Briefdesk cannot start with the production settings: "
            + "; ".join(problems)
            + ". Set them in the environment or .env (see .env.example and README.md, "
            "'Configuration')."
        )


_check_environment()

DEBUG = False
BRIEFDESK_DEMO_MODE = env_bool("BRIEFDESK_DEMO_MODE", False)
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CELERY_BROKER_URL = env("CELERY_BROKER_URL")

# Persistent database connections: opening one per request cost about 7 ms of every page. Each
# is checked before reuse (CONN_HEALTH_CHECKS), so a restarted database costs one retry, not an
# error. DB_CONN_MAX_AGE=0 closes them after each request again.
DATABASES = {
    **DATABASES,
    "default": {
        **DATABASES["default"],
        "CONN_MAX_AGE": int(env("DB_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
    },
}

# Media: the filesystem or S3-compatible storage, as in base.py (media_storage). Static files:
# collected with hashed names and compressed, served by WhiteNoise with far-future caching.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS: a TLS-terminating proxy in front sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# /healthz/ answers over plain HTTP too: container and load-balancer checks do not speak TLS.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not SECURE_HSTS_PRELOAD:
    # security.W021 asks for HSTS preloading, a commitment for the whole domain that cannot be
    # undone quickly: it is opt-in (SECURE_HSTS_PRELOAD=true), so its warning is silenced.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# E-mail (notifications of the review workflow, password resets).
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Briefdesk <webmaster@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Logs: one JSON object per line on stderr (LOG_FORMAT=plain for text).
LOG_FORMAT = env("LOG_FORMAT", "json")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'plain' or 'json', not {LOG_FORMAT!r}.")
LOGGING = {**LOGGING, "handlers": {**LOGGING["handlers"]}}
LOGGING["handlers"]["console"] = {**LOGGING["handlers"]["console"], "formatter": LOG_FORMAT}
