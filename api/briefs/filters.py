"""Query parameters of ``/api/v1/briefs/``. Every bad value is a form error, which the API
answers with a 400 naming the parameter (never a 500, never silently ignored). An empty value
(``?country=``) is no filter, the usual REST convention (and what the schema allows)."""

import django_filters
from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from briefs.models import BriefPage
from taxonomy.models import Country, Topic

from . import selectors

MAX_QUERY_LENGTH = 200


class TermField(forms.Field):
    """A country by ISO code (any case) or slug, or a topic by slug."""

    default_validators = [ProhibitNullCharactersValidator()]

    def __init__(self, model, *, by_iso=False, **kwargs):
        self.model = model
        self.by_iso = by_iso
        super().__init__(**kwargs)

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        # The value goes in params, never into the message itself (which is %-formatted).
        if "\x00" in value or len(value) > 120:
            raise forms.ValidationError(
                "“%(value)s” is not a valid value.", code="invalid", params={"value": value[:40]}
            )
        term = None
        if self.by_iso and len(value) == 2 and value.isascii() and value.isalpha():
            term = self.model.objects.filter(iso_code=value.upper()).first()
        if term is None:
            term = self.model.objects.filter(slug=value.lower()).first()
        if term is None:
            what = "ISO code or slug" if self.by_iso else "slug"
            name = self.model._meta.verbose_name
            raise forms.ValidationError(
                "No %(name)s has the %(what)s “%(value)s”.",
                code="unknown",
                params={"name": name, "what": what, "value": value},
            )
        return term


@extend_schema_field(OpenApiTypes.STR)
class TermFilter(django_filters.Filter):
    field_class = TermField


# A search text as the schema describes it: NUL characters are refused (PostgreSQL cannot hold
# them), which the schema says with a pattern so that clients and schemathesis know.
@extend_schema_field({"type": "string", "maxLength": MAX_QUERY_LENGTH, "pattern": "^[^\\u0000]*$"})
class SearchFilter(django_filters.CharFilter):
    pass


class IsoDateField(forms.DateField):
    """YYYY-MM-DD exactly, as the schema says (``format: date``): Django's DateField would also
    take other formats and surrounding spaces."""

    input_formats = ["%Y-%m-%d"]

    def to_python(self, value):
        if value and value != value.strip():
            raise forms.ValidationError("Enter a date as YYYY-MM-DD.", code="invalid")
        return super().to_python(value)


class IsoDateFilter(django_filters.DateFilter):
    field_class = IsoDateField


class BriefFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("published_from"), data.get("published_to")
        if start and end and start > end:
            raise forms.ValidationError(
                {"published_to": f"Must be on or after published_from ({start.isoformat()})."}
            )
        if data.get("ordering") == "relevance" and not data.get("q"):
            raise forms.ValidationError({"ordering": "Ordering by relevance needs a query q."})
        return data


ORDERING_CHOICES = [
    ("-publication_date", "Newest first (default without q)"),
    ("publication_date", "Oldest first"),
    ("title", "Title A to Z"),
    ("-title", "Title Z to A"),
    ("-updated", "Most recently (re)published first"),
    ("updated", "Least recently (re)published first"),
    ("relevance", "Best match for q first (default with q)"),
]


class BriefFilterSet(django_filters.FilterSet):
    country = TermFilter(
        model=Country,
        by_iso=True,
        method="filter_country",
        help_text="A country by ISO 3166-1 alpha-2 code (KZ, kz) or slug (kazakhstan). "
        "An unknown country is a 400.",
    )
    topic = TermFilter(
        model=Topic,
        method="filter_topic",
        help_text="A topic by slug (e.g. soft-power). An unknown topic is a 400.",
    )
    kind = django_filters.ChoiceFilter(choices=BriefPage.Kind.choices, help_text="Brief kind.")
    published_from = IsoDateFilter(
        field_name="publication_date",
        lookup_expr="gte",
        help_text="Published on or after this date (YYYY-MM-DD).",
    )
    published_to = IsoDateFilter(
        field_name="publication_date",
        lookup_expr="lte",
        help_text="Published on or before this date (YYYY-MM-DD).",
    )
    q = SearchFilter(
        method="filter_nothing",
        max_length=MAX_QUERY_LENGTH,
        help_text="Full-text search over titles, standfirsts, bodies, authors, countries and "
        f"topics (at most {MAX_QUERY_LENGTH} characters).",
    )
    ordering = django_filters.ChoiceFilter(
        choices=ORDERING_CHOICES,
        method="filter_nothing",
        help_text="Order of the results: " + ", ".join(value for value, _ in ORDERING_CHOICES),
    )

    class Meta:
        model = BriefPage
        fields = ["country", "topic", "kind", "published_from", "published_to", "q", "ordering"]
        form = BriefFilterForm

    def filter_country(self, queryset, name, value):
        return queryset.filter(countries=value) if value else queryset

    def filter_topic(self, queryset, name, value):
        return queryset.filter(topics=value) if value else queryset

    def filter_nothing(self, queryset, name, value):
        return queryset  # applied in filter_queryset, after the other filters

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        query = (self.form.cleaned_data.get("q") or "").strip()
        ordering = self.form.cleaned_data.get("ordering") or (
            "relevance" if query else "-publication_date"
        )
        if query:
            ids = selectors.search_ids(query)
            if ordering == "relevance":
                return selectors.order_by_ids(queryset, ids)
            queryset = queryset.filter(pk__in=ids)
        return queryset.order_by(*selectors.ORDERINGS[ordering])
