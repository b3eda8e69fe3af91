from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from sources.models import Source

from . import services
from .anchoring import AnchorError
from .candidates import parse_figures
from .models import Evidence, EvidenceFigure


class EvidenceForm(WagtailAdminModelForm):
    """Anchors the quote on save: from a reader selection (offsets) or by locating a pasted
    quote in the source. A quote that cannot be anchored is refused."""

    selection_start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    selection_end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    accept_new_wording = forms.BooleanField(
        required=False,
        label="Accept the new wording",
        help_text="The source's new text words this quote differently (see Anchor above). "
        "Accepting makes the new wording citable; briefs already published keep the wording "
        "they were signed off with until a corrected version is published.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "source" in self.fields:
            self.fields["source"].queryset = Source.objects.order_by("title")
        if self.instance.anchor_status != Evidence.AnchorStatus.CHANGED:
            del self.fields["accept_new_wording"]  # its panel is then not shown
        self._anchor = None

    def clean(self):
        cleaned = super().clean()
        source, quote = cleaned.get("source"), cleaned.get("quote")
        if not source or quote is None or "quote" in self.errors:
            return cleaned
        instance = self.instance
        unchanged = (
            instance.pk
            and instance.source_id == source.pk
            and instance.quote == quote
            and cleaned.get("selection_start") is None
        )
        if unchanged:
            return cleaned
        try:
            self._anchor = services.anchor_quote(
                source,
                quote,
                start=cleaned.get("selection_start"),
                end=cleaned.get("selection_end"),
            )
        except AnchorError as exc:
            field = "source" if isinstance(exc, services.SourceNotReady) else "quote"
            self.add_error(field, str(exc))
            return cleaned
        cleaned["quote"] = self._anchor.exact
        return cleaned

    def save(self, commit=True):
        evidence = self.instance
        if self._anchor is not None:
            text = evidence.source.current_text
            services.apply_anchor(evidence, text, self._anchor)
            evidence.anchor_status = Evidence.AnchorStatus.EXACT
            evidence.anchor_note = (
                ""
                if self._anchor.method in ("exact", "position")
                else f"Anchored by {self._anchor.method} match ({self._anchor.score:.0f}%): "
                "the quote is stored as it stands in the source."
            )
            evidence.footnote = services.footnote_for(text, evidence.start, evidence.end)
        elif self.cleaned_data.get("accept_new_wording"):
            services.accept_new_wording(evidence, self.for_user)
        if evidence.pk is None and self.for_user and self.for_user.is_authenticated:
            evidence.created_by = self.for_user
        evidence = super().save(commit=commit)
        if commit and evidence.kind == Evidence.Kind.STATISTIC and not evidence.figures.exists():
            for order, figure in enumerate(parse_figures(evidence.display_quote)):
                value = services._decimal(figure.value)
                if value is not None:
                    EvidenceFigure.objects.create(
                        evidence=evidence,
                        value=value,
                        unit=figure.unit[:40],
                        year=figure.year,
                        label=(figure.label or figure.text)[:200],
                        sort_order=order,
                    )
        return evidence
