from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
BRIEFDESK_DEMO_MODE = env_bool("BRIEFDESK_DEMO_MODE", True)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
