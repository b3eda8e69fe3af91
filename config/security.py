"""Security plumbing shared by every environment: the Content-Security-Policy split between the
public site and the Wagtail admin, the request size limit, and the client address used by the
sign-in lock-out (django-axes)."""

import logging

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from django.conf import settings
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, with CSP_ADMIN_UPDATE added to the policy under CSP_ADMIN_PATHS.

    The public site keeps the strict CONTENT_SECURITY_POLICY; only the admin, whose own scripts
    need inline <script> and inline styles, gets the relaxation."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and request.path_info.startswith(tuple(settings.CSP_ADMIN_PATHS)):
            update = {key: list(value) for key, value in settings.CSP_ADMIN_UPDATE.items()}
            for key, value in (parts.update or {}).items():
                update.setdefault(key, []).extend(value if isinstance(value, list) else [value])
            parts.update = update
        return parts


class RequestSizeLimitMiddleware:
    """Answers 413 with a readable page when the declared body exceeds MAX_REQUEST_BYTES.

    Django only limits the non-file part of a request (DATA_UPLOAD_MAX_MEMORY_SIZE) and would
    otherwise stream an upload of any size to disk before a form could refuse it. A reverse
    proxy should enforce a limit too (nginx: client_max_body_size); this one holds without it.
    Hand-written: no installed library does this."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BYTES
        if limit and length > limit:
            logger.warning(
                "Refused a request body of %d bytes (limit %d) for %s",
                length,
                limit,
                request.path,
            )
            return request_too_large(request, length)
        return self.get_response(request)


def _megabytes(size, decimals):
    if size < 1024 * 1024:
        return f"{size} bytes"
    text = f"{size / (1024 * 1024):.{decimals}f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + " MB"


def _sizes(length, limit):
    """The request's size and the limit, with just enough decimals to differ ("60.4 MB" and
    "60 MB", never "60 MB" and "60 MB"); in bytes when megabytes cannot tell them apart."""
    for decimals in range(4):
        size, most = _megabytes(length, decimals), _megabytes(limit, decimals)
        if size != most:
            return size, most
    return f"{length:,} bytes", f"{limit:,} bytes"


def request_too_large(request, length):
    size, limit = _sizes(length, settings.MAX_REQUEST_BYTES)
    context = {
        "size": size,
        "limit": limit,
        "source_limit": f"{settings.SOURCE_MAX_UPLOAD_MB} MB",
        "back": request.META.get("HTTP_REFERER", ""),
    }
    accept = request.META.get("HTTP_ACCEPT", "")
    if request.path.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    ):
        response = JsonResponse(
            {
                "detail": f"The request is too large ({context['size']}); the limit is "
                f"{context['limit']}.",
                "limit_bytes": settings.MAX_REQUEST_BYTES,
            },
            status=413,
        )
    else:
        # A plain render: the request body is never read, so no CSRF or session work here.
        response = TemplateResponse(request, "security/request_too_large.html", context, status=413)
        response.render()
    # The client may still be sending the body; closing tells it to stop.
    response["Connection"] = "close"
    add_never_cache_headers(response)
    return response


def client_ip(request):
    """The client's address for the lock-out: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in
    front, the address the outermost trusted proxy saw (X-Forwarded-For is appended to by each
    proxy, so only the last TRUSTED_PROXY_COUNT entries can be trusted)."""
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) >= count:
        return forwarded[-count]
    return forwarded[0] if forwarded else remote


def lockout_response(request, original_response=None, credentials=None):
    """The page django-axes shows instead of the sign-in form once a username is locked out from
    an address (AXES_LOCKOUT_CALLABLE): what happened, for how long, and what to do."""
    from axes.helpers import get_client_username, get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "minutes": max(1, round(cool_off.total_seconds() / 60)) if cool_off else None,
    }
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        return JsonResponse(context, status=settings.AXES_HTTP_RESPONSE_CODE)
    response = TemplateResponse(
        request, "security/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    return response.render()
