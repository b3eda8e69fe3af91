from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = env_bool("DEBUG", True)
BRIEFDESK_DEMO_MODE = env_bool("BRIEFDESK_DEMO_MODE", True)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# `make run` sets it from PORT; a bare `manage.py runserver` serves here.
BRIEFDESK_BASE_URL = (env("BRIEFDESK_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", BRIEFDESK_BASE_URL)
