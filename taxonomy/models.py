"""The shared taxonomy of countries and topics. Sources, evidence and briefs all point here,
so a country page lists everything about that country. The taxonomy is data: editors add
countries and topics in the admin."""

from django.db import models
from django.utils.text import slugify
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class TaxonomyTerm(index.Indexed, models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(
        max_length=120, unique=True, blank=True, help_text="Used in URLs; filled from the name."
    )
    description = models.TextField(blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)


class Country(TaxonomyTerm):
    iso_code = models.CharField(
        "ISO 3166-1 alpha-2 code",
        max_length=2,
        unique=True,
        help_text="Two capital letters, for example KZ.",
    )

    panels = [FieldPanel("name"), FieldPanel("iso_code"), *TaxonomyTerm.panels[1:]]

    class Meta(TaxonomyTerm.Meta):
        verbose_name_plural = "countries"

    def clean(self):
        self.iso_code = (self.iso_code or "").upper()


class Topic(TaxonomyTerm):
    pass
