"""The OpenAPI 3 schema of the public API (drf-spectacular): its description, the hooks that
keep it to /api/v1/, and the view that serves it."""

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.views import SpectacularAPIView

from .common import ConditionalGetMixin

DESCRIPTION = """
Read-only access to the published policy briefs of Briefdesk and to the evidence behind them:
each brief's text as structured blocks, its numbered citations (the exact quote, its page and
W3C Web Annotation selectors in the source), its bibliography (also as CSL-JSON) and its PDF.

Only what is published is served: briefs that are live and not restricted, as last published
(a newer draft appears only once it is published); sources and evidence only while a published
brief cites them. Anything else is a 404, whether it exists or not.

**Addresses.** A brief is at `/api/v1/briefs/{slug}/` (its slug, as on the site) and at
`/api/v1/briefs/by-id/{id}/` (its numeric `id`, which never changes). Sources and evidence are
at `/api/v1/sources/{id}/` and `/api/v1/evidence/{id}/`; ids are positive whole numbers.

**Citations in rich text.** `html` fields are clean HTML. An inline citation reads
`<span class="cited">cited words</span><a class="note-ref" href="#note-N" data-note="N"
data-evidence="ID">…N</a>`: `N` is the number of the note in the brief's `notes`, `ID` the
evidence (`/api/v1/evidence/ID/`).

**Caching.** Every successful response carries an `ETag` (a hash of the representation),
`Cache-Control: public, max-age=…` and a `Last-Modified` date: the time of the content (a brief's
last publication or a later edit of what it cites; for lists, the last publication change of any
brief). Send `If-None-Match` (or `If-Modified-Since`) to get a `304 Not Modified` when nothing
changed.

**Rate limits.** Anonymous clients get a limited number of requests per minute per IP address;
clients sending an API token issued by an administrator (`Authorization: Token <key>`) get a
higher limit. Beyond it the answer is `429` with a `Retry-After` header (seconds).

**Errors** all have one shape: `{"error": {"status", "code", "message", "details"}}`. A bad
query parameter is a `400` whose `details` name each parameter and what is wrong with it. An
empty query parameter (`?country=`) is the same as none: no filter, the default.

**Fewer fields.** The briefs' list, detail and versions take `?fields=title,url,versions`: only
those top-level fields (and always `id` and `slug`), and only those are computed, so a client
that polls for titles, versions and notices does not pay for the body and notes. Without
`fields` (or with an empty one) every field is there.
"""


def only_public_api(endpoints):
    """drf-spectacular pre-processing hook: the schema documents /api/v1/ only (Wagtail's
    admin API is built with DRF too)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


def describe_api(result, generator, request, public):
    """drf-spectacular post-processing hook: the description above, and every optional query
    parameter marked as allowed empty (an empty value is no value, see ApiPagination and
    FilterBackend)."""
    result.setdefault("info", {})["description"] = DESCRIPTION.strip()
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", ()) if isinstance(operation, dict) else ():
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result


class SparseFieldsExtension(OpenApiSerializerExtension):
    """The schema of a serializer taking ``?fields=`` (api.common.SparseFieldsMixin): every field
    as usual, but only its ``always_fields`` required, since ``fields`` may leave out the rest."""

    target_class = "api.common.SparseFieldsMixin"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        always = self.target.always_fields
        schema["required"] = [name for name in schema.get("required", ()) if name in always]
        return schema


class SchemaView(ConditionalGetMixin, SpectacularAPIView):
    """The OpenAPI 3 schema (YAML; JSON with ``?format=json`` or ``Accept: application/json``)."""

    cache_seconds = 300
