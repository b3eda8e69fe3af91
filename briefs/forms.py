from django import forms

from taxonomy.filtering import filter_by
from taxonomy.models import Country, Topic

from .models.pages import BriefPage


class BriefFilterForm(forms.Form):
    """Filters of the brief listing; bad values are reported on the form, never a 500."""

    country = forms.ModelChoiceField(
        Country.objects.all(), to_field_name="slug", required=False, empty_label="Any country"
    )
    topic = forms.ModelChoiceField(
        Topic.objects.all(), to_field_name="slug", required=False, empty_label="Any topic"
    )
    kind = forms.ChoiceField(choices=[("", "Any kind"), *BriefPage.Kind.choices], required=False)
    year = forms.IntegerField(required=False, min_value=1900, max_value=2999)

    def filter(self, queryset):
        return filter_by(
            queryset,
            self.cleaned_data,
            {
                "country": "countries",
                "topic": "topics",
                "kind": "kind",
                "year": "publication_date__year",
            },
        )
