from django import forms
from django.utils.html import format_html, format_html_join
from wagtail.admin.forms import WagtailAdminModelForm

from sources import page_images
from sources.models import Source

from . import ocr, services, usage
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
    # Shown only once the quote turns out to be evidence already (see _check_duplicates).
    separate_evidence = forms.BooleanField(
        required=False,
        widget=forms.HiddenInput,
        label="This is a separate piece of evidence",
        help_text="It makes a different claim from the existing evidence for this passage; "
        "say which in the claim.",
    )
    # Shown only when rejecting evidence that live briefs cite (see _confirm_rejection).
    confirm_reject = forms.BooleanField(
        required=False,
        widget=forms.HiddenInput,
        label="Reject it anyway",
        help_text="The briefs listed above stay live and keep citing it.",
    )

    ocr_confirmed = forms.BooleanField(
        required=False,
        label="I checked this quote against the scanned page",
        help_text="The quote was read by OCR, and some of its words less surely than the "
        "threshold: compare it with the scanned page shown here, correct it if needed, then "
        "tick this box.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "source" in self.fields:
            self.fields["source"].queryset = Source.objects.order_by("title")
        if self.instance.anchor_status != Evidence.AnchorStatus.CHANGED:
            del self.fields["accept_new_wording"]  # its panel is then not shown
        self.fields["ocr_confirmed"].initial = self.instance.ocr_confirmed_at is not None
        self._anchor = None
        # The quote's OCR check (evidence/ocr.py QuoteOcr) when it asks for a confirmation.
        self.ocr_check = None
        instance = self.instance
        if instance.pk and (instance.ocr_needs_confirmation or instance.ocr_confirmed_at):
            self.ocr_check = ocr.quote_ocr(instance.source_text, instance.start, instance.end)
            self._ocr_pages = (instance.source_text, instance.start, instance.end)

    def ocr_scans(self):
        """The scanned pages the quote to confirm stands on (``page_images.scan_data``), when
        they are pages of the source's current file."""
        if self.ocr_check is None:
            return []
        text, start, end = self._ocr_pages
        if text.pk != text.source.current_text_id:
            return []
        first, last = text.page_for_offset(start), text.page_for_offset(max(start, end - 1))
        return [
            page_images.scan_data(text.source_id, number, record)
            for number in range(first, last + 1)
            if (record := text.ocr_page(number))
        ]

    def _check_ocr(self, cleaned):
        """Refuse a quote of doubtful OCR words until the analyst ticks the confirmation."""
        if self._anchor is not None:
            text = cleaned["source"].current_text
            result = ocr.quote_ocr(text, self._anchor.start, self._anchor.end)
            self.ocr_check = result if result and result.needs_confirmation else None
            self._ocr_pages = (text, self._anchor.start, self._anchor.end)
        if self.ocr_check is not None and not cleaned.get("ocr_confirmed"):
            words = ", ".join(f"“{word}”" for word in self.ocr_check.low_words[:8])
            self.add_error(
                "ocr_confirmed",
                f"This quote was read by OCR with low confidence (its least sure word "
                f"{self.ocr_check.lowest:.0f}%, threshold {ocr.confirm_below():.0f}%"
                f"{'; doubtful: ' + words if words else ''}). Check it against the scanned "
                "page shown beside this box, correct the quote if needed, and tick “I checked "
                "this quote against the scanned page” to save it.",
            )

    def clean(self):
        cleaned = super().clean()
        self._confirm_rejection(cleaned)
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
            self._check_ocr(cleaned)
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
        self._check_duplicates(source, cleaned)
        self._check_ocr(cleaned)
        return cleaned

    def _confirm_rejection(self, cleaned):
        """Rejecting evidence that live briefs cite takes a second, informed step."""
        rejecting = (
            self.instance.pk
            and cleaned.get("review_status") == Evidence.ReviewStatus.REJECTED
            and self.initial.get("review_status") != Evidence.ReviewStatus.REJECTED
        )
        if not rejecting or cleaned.get("confirm_reject"):
            return
        briefs = list(usage.live_pages_citing([self.instance]))
        if not briefs:
            return
        self.fields["confirm_reject"].widget = forms.CheckboxInput()
        self.add_error(
            "review_status",
            format_html(
                "{} live brief{} cite{} this evidence: {}. Tick “Reject it anyway” to reject it.",
                len(briefs),
                "" if len(briefs) == 1 else "s",
                "s" if len(briefs) == 1 else "",
                format_html_join(
                    ", ",
                    '<a href="{}" target="_blank" rel="noreferrer">{}</a>',
                    ((page.url, page.title) for page in briefs),
                ),
            ),
        )

    def _check_duplicates(self, source, cleaned):
        """The same passage twice is refused unless the analyst says it is deliberate and the
        new piece makes its own claim (the claim is the recorded reason)."""
        existing = list(
            services.same_passage(
                source.current_text,
                self._anchor.start,
                self._anchor.end,
                exclude_pk=self.instance.pk,
            )
        )
        if not existing:
            return
        links = format_html_join(
            ", ",
            '<a href="{}" target="_blank" rel="noreferrer">{}</a>',
            ((evidence.get_admin_url(), evidence) for evidence in existing),
        )
        if not cleaned.get("separate_evidence"):
            self.fields["separate_evidence"].widget = forms.CheckboxInput()
            candidate = Evidence.ReviewStatus.CANDIDATE
            if all(evidence.review_status == candidate for evidence in existing):
                # Most often after an ingestion: the worker proposed this passage already, and
                # "already evidence" sent analysts looking for evidence they had never made.
                message = (
                    "This passage is already a candidate, proposed automatically: {}. Open it "
                    "to accept it (with your claim), or tick “This is a separate piece of "
                    "evidence” and give this one its own claim."
                )
            else:
                message = (
                    "This passage is already evidence: {}. Edit that instead, or tick “This is "
                    "a separate piece of evidence” and give this one its own claim."
                )
            self.add_error("quote", format_html(message, links))
            return
        claim = " ".join((cleaned.get("claim") or "").split()).casefold()
        taken = {" ".join(evidence.claim.split()).casefold() for evidence in existing}
        if not claim or claim in taken:
            self.fields["separate_evidence"].widget = forms.CheckboxInput()
            self.add_error(
                "claim",
                format_html(
                    "A separate piece of evidence for the same passage must make a different "
                    "claim from the existing evidence ({}).",
                    links,
                ),
            )

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
        if self.ocr_check is not None and evidence.ocr_confirmed_at is None:
            # _check_ocr let it through: the box is ticked.
            ocr.confirm(evidence, self.for_user)
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
