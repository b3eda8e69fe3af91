from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, env

BRIEFDESK_DEMO_MODE = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(env("MEDIA_ROOT", VAR_DIR / "test-media"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a worker process started by a test sees the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
# Tests that need a worker start a real one (see conftest.py); the rest run tasks inline.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# The origin the tests' absolute URLs use ("http://localhost/..."), whatever the environment says.
BRIEFDESK_BASE_URL = "http://localhost"
# The whole-response cache would hide changes that tests make without signals (queryset
# updates); serving/tests turn it on where it is what is tested.
RESPONSE_CACHE_SECONDS = int(env("RESPONSE_CACHE_SECONDS", "0"))
