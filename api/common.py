"""What every endpoint of the public API shares: one error shape (and its schema), conditional
GET (ETag, Last-Modified, 304), Cache-Control, rate limits, pagination, query filters, sparse
fieldsets (``?fields=``), id parsing and the viewsets' public names."""

import functools
import hashlib
import logging
import math

from django.conf import settings
from django.http import Http404
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

# Largest values of the primary keys (Wagtail pages use 32-bit ids, our models 64-bit ones):
# a larger id in a URL is a 404, never a database overflow error.
MAX_PAGE_ID = 2**31 - 1
MAX_BIG_ID = 2**63 - 1


# Errors -------------------------------------------------------------------------------------------


def _flatten(detail):
    """DRF error details as plain lists of strings, keyed by parameter."""
    if isinstance(detail, dict):
        return {str(key): _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        flat = []
        for item in detail:
            value = _flatten(item)
            flat.extend(value if isinstance(value, list) else [value])
        return flat
    return str(detail)


def _summary(details):
    if isinstance(details, dict):
        parts = []
        for key, value in details.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            parts.append(text if key == "non_field_errors" else f"{key}: {text}")
        return "; ".join(parts)
    if isinstance(details, list):
        return " ".join(details)
    return str(details)


def error_body(status_code, code, message, details=None):
    return {
        "error": {
            "status": status_code,
            "code": code,
            "message": message,
            "details": details if details is not None else {},
        }
    }


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status code.")
    code = serializers.CharField(
        help_text="Machine-readable: invalid_parameter, not_found, throttled, "
        "authentication_failed, method_not_allowed, not_acceptable, server_error…"
    )
    message = serializers.CharField(help_text="What went wrong, for people.")
    details = serializers.DictField(
        help_text="For invalid_parameter: the messages of each parameter; for throttled: "
        "retry_after (seconds); for gone (a withdrawn brief): notice, the withdrawal notice "
        "(type, date, text); otherwise empty."
    )


class ErrorSerializer(serializers.Serializer):
    """Every error of the API has this shape."""

    error = ErrorDetailSerializer()


class Gone(exceptions.APIException):
    """410: what was published here was withdrawn; ``details`` say how (e.g. the notice)."""

    status_code = status.HTTP_410_GONE
    default_detail = "This was withdrawn."
    default_code = "gone"

    def __init__(self, detail=None, details=None):
        super().__init__(detail)
        self.details = details or {}


def error_responses(**descriptions):
    """OpenAPI responses for error statuses, all in the one error shape."""
    defaults = {
        401: "The API token is not valid (omit the Authorization header to read anonymously).",
        429: "Rate limit reached: try again after the number of seconds in Retry-After.",
    }
    defaults.update({int(key.lstrip("e")): value for key, value in descriptions.items()})
    return {
        status: OpenApiResponse(response=ErrorSerializer, description=description)
        for status, description in sorted(defaults.items())
    }


def exception_handler(exc, context):
    """Every error as ``{"error": {"status", "code", "message", "details"}}``.

    Validation errors (bad query parameters) list the message of each parameter in
    ``details``; anything unexpected is logged and answered with the same shape and a 500."""
    if isinstance(exc, Http404):
        message = str(exc.args[0]) if exc.args and isinstance(exc.args[0], str) else None
        exc = exceptions.NotFound(message or "Not found.")
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unexpected error in the API", exc_info=exc)
        response = Response(
            error_body(500, "server_error", "The server failed to answer this request."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
        patch_cache_control(response, no_store=True)
        return response
    if isinstance(exc, exceptions.ValidationError):
        details = _flatten(exc.detail)
        if not isinstance(details, dict):
            details = {"non_field_errors": details if isinstance(details, list) else [details]}
        body = error_body(
            response.status_code,
            "invalid_parameter",
            f"Invalid request: {_summary(details)}",
            details,
        )
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        details = dict(getattr(exc, "details", None) or {})
        if isinstance(exc, exceptions.Throttled):
            wait = max(1, math.ceil(exc.wait or 1))
            response["Retry-After"] = str(wait)
            details = {"retry_after": wait}
            detail = f"Too many requests: try again in {wait} second{'s' if wait != 1 else ''}."
        body = error_body(response.status_code, code, str(_summary(_flatten(detail))), details)
    response.data = body
    patch_cache_control(response, no_store=True)
    return response


# Rate limits --------------------------------------------------------------------------------------


class _SettingsRate:
    """Reads its rate when asked, not at import (DRF's throttles copy the settings once, which
    would make the rates impossible to change per environment in tests)."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or None

    def __init__(self):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)


class AnonymousRateThrottle(_SettingsRate, AnonRateThrottle):
    """Anonymous clients, counted per IP address (see NUM_PROXIES for proxies)."""

    scope = "anon"


class TokenRateThrottle(_SettingsRate, UserRateThrottle):
    """Clients with an API token, counted per token user, at the higher "token" rate."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None  # anonymous: AnonymousRateThrottle counts them
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


def throttle_cached_answer(request):
    """The 429 that an answer served from the whole-response cache (serving/) must still give
    when the client is over its rate limit, or None: the limits count every answer, cached or
    not (the rate a client is promised is the rate it gets). Run by the cache middleware on a
    hit under ``/api/`` (``RESPONSE_CACHE_HIT_CHECKS``)."""
    from rest_framework.renderers import JSONRenderer
    from rest_framework.request import Request
    from rest_framework.views import APIView

    view = APIView()
    drf_request = Request(request)
    view.request = drf_request
    for throttle in view.get_throttles():
        if not throttle.allow_request(drf_request, view):
            response = exception_handler(
                exceptions.Throttled(throttle.wait()), {"view": view, "request": drf_request}
            )
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
            response.renderer_context = {"request": drf_request, "view": view}
            return response.render()
    return None


# Pagination ---------------------------------------------------------------------------------------


class ApiPagination(PageNumberPagination):
    """``?page=N&page_size=M`` (M from 1 to 100, default 20). A page beyond the last is a 404;
    a page or size that is not a whole number in range is a 400."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_page_message = "Page {page_number} does not exist: there are {num_pages} page(s)."

    def _number(self, request, name, low, high):
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return None  # an empty parameter is no parameter, as for every filter
        if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
            raise exceptions.ValidationError(
                {name: [f"Must be a whole number from {low} to {high}, not “{raw[:40]}”."]}
            )
        return int(raw)

    def get_page_size(self, request):
        size = self._number(request, self.page_size_query_param, 1, self.max_page_size)
        return size or self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        number = self._number(request, self.page_query_param, 1, 10**9) or 1
        paginator = self.django_paginator_class(queryset, page_size)
        if number > 1 and number > paginator.num_pages:
            raise exceptions.NotFound(
                self.invalid_page_message.format(page_number=number, num_pages=paginator.num_pages)
            )
        self.page = paginator.page(min(number, max(paginator.num_pages, 1)))
        return list(self.page)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "page": self.page.number,
                "pages": self.page.paginator.num_pages,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["count", "page", "pages", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "description": "Results over all pages."},
                "page": {"type": "integer", "description": "This page's number, from 1."},
                "pages": {"type": "integer", "description": "The number of pages."},
                "next": {**link, "description": "The next page, or null on the last."},
                "previous": {**link, "description": "The previous page, or null on the first."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "in": "query",
                "required": False,
                "description": "Page number, from 1. A page beyond the last is a 404.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 10**9},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Results per page, 1 to {self.max_page_size} "
                f"(default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


# Ids ----------------------------------------------------------------------------------------------


def parse_id(value, what, maximum=MAX_BIG_ID) -> int:
    """A path's numeric id, or a 404 that says why (ids are whole numbers)."""
    text = str(value)
    if not (text.isascii() and text.isdigit()):
        raise exceptions.NotFound(
            f"No {what} has the id “{text[:40]}”: ids are positive whole numbers."
        )
    if not 1 <= int(text) <= maximum:
        raise exceptions.NotFound(f"No {what} has the id {text[:40]}.")
    return int(text)


# Filters ------------------------------------------------------------------------------------------


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, with the filter form's errors passed on as Django renders them.

    django-filter's own translation formats each message again with ``message % params``, so
    a message holding the request's value (``?country=%25``) raised a TypeError, a 500. The
    form's rendered errors interpolate params only where there are some, as Django does."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise exceptions.ValidationError(
                {
                    name: [error["message"] for error in errors]
                    for name, errors in filterset.form.errors.get_json_data().items()
                }
            )
        return filterset.qs


# Sparse fieldsets ---------------------------------------------------------------------------------
# Hand-written: drf-flex-fields (not installed, last release 2023) and drf-dynamic-fields drop
# fields in the serializer, after the whole representation was built, and pass over unknown
# names in silence; here an unknown name is a 400, and the views build only what is asked for.

FIELDS_PARAMETER = "fields"


class SparseFieldsMixin:
    """A serializer that gives only the top-level fields in ``context["fields"]`` (None: all).
    ``always_fields`` are given whatever is asked: they say which resource it is. In the
    schema (api.schema.SparseFieldsExtension) only those are required."""

    always_fields = ("id", "slug")

    def get_fields(self):
        fields = super().get_fields()
        wanted = self.context.get(FIELDS_PARAMETER)
        if wanted is None:
            return fields
        return {name: field for name, field in fields.items() if name in wanted}


@functools.cache
def field_names(serializer_class) -> tuple[str, ...]:
    """The top-level fields of ``serializer_class``, in their order."""
    return tuple(serializer_class().fields)


def requested_fields(request, serializer_class) -> frozenset[str] | None:
    """The top-level fields that ``?fields=a,b`` asks for, with the serializer's always_fields;
    None for all of them (no ``fields``, or an empty one, as for every parameter). A name the
    resource does not have is a 400 that lists the ones it has."""
    names = [
        name
        for value in request.query_params.getlist(FIELDS_PARAMETER)
        if value != ""
        for name in value.split(",")
    ]
    if not names:
        return None
    allowed = field_names(serializer_class)
    unknown = [name for name in dict.fromkeys(names) if name not in allowed]
    if unknown:
        quoted = ", ".join(f"“{name[:40]}”" for name in unknown[:5])
        raise exceptions.ValidationError(
            {
                FIELDS_PARAMETER: [
                    f"Unknown field{'s' if len(unknown) > 1 else ''} {quoted}: the fields "
                    f"are {', '.join(allowed)} (comma-separated)."
                ]
            }
        )
    return frozenset(names) | frozenset(serializer_class.always_fields)


def fields_parameter(serializer_class, what="the resource", example="title,url"):
    """The OpenAPI description of ``?fields=`` for a view answering with ``serializer_class``."""
    always = " and ".join(f"``{name}``" for name in serializer_class.always_fields)
    return OpenApiParameter(
        FIELDS_PARAMETER,
        {"type": "array", "items": {"type": "string", "enum": list(field_names(serializer_class))}},
        OpenApiParameter.QUERY,
        style="form",
        explode=False,
        description=f"Only these top-level fields of {what}, comma-separated "
        f"(e.g. ``{example}``); {always} are always given. What is not asked for "
        "is not computed. Absent or empty: every field. An unknown field is a 400.",
    )


# Conditional GET ----------------------------------------------------------------------------------


class ConditionalGetMixin:
    """ETag, Last-Modified and Cache-Control on every successful GET, and 304 Not Modified
    for ``If-None-Match`` / ``If-Modified-Since``.

    The ETag is a hash of the rendered representation, so it changes whenever anything shown
    changes (a publication, an unpublication, an edited source, a new PDF). Last-Modified is
    the time of the content: an action sets ``self.content_modified`` (a datetime) to when
    what it shows last changed (a brief's last publication, the newest publication change of
    any brief for lists, an evidence's or source's last edit); without one (the schema), no
    Last-Modified is sent and the ETag alone validates."""

    cache_seconds = None
    content_modified = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        last_modified = None
        if self.content_modified is not None:
            last_modified = int(self.content_modified.timestamp())
            response["Last-Modified"] = http_date(last_modified)
        response["ETag"] = etag
        seconds = self.cache_seconds
        if seconds is None:
            seconds = getattr(settings, "API_CACHE_SECONDS", 60)
        patch_cache_control(response, public=True, max_age=seconds)
        not_modified = get_conditional_response(
            request, etag=etag, last_modified=last_modified, response=response
        )
        if not_modified is not response and not_modified.status_code == 304:
            for header in ("Cache-Control", "Vary", "Content-Location", "Last-Modified"):
                if header in response:
                    not_modified[header] = response[header]
        return not_modified


# Names --------------------------------------------------------------------------------------------


class NamedViewSetMixin:
    """The name that the browsable API's pages and OPTIONS answers give a viewset ("Brief List").
    DRF derives it from the class name; the API's viewsets are named ``…APIViewSet`` to tell
    them from the admin's, so ``view_name`` keeps the name they have always shown."""

    view_name = ""

    def get_view_name(self):
        if getattr(self, "name", None) is not None:  # an extra action's own name
            return self.name
        suffix = getattr(self, "suffix", None)
        return f"{self.view_name} {suffix}" if suffix else self.view_name
