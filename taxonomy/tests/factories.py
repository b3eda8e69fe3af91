"""factory_boy factories of the taxonomy: countries and topics, found by their code or slug if
they exist (the demo taxonomy and several tests share KZ, CN, soft-power…)."""

import factory
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from taxonomy.models import Country, Topic


class CountryFactory(DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("iso_code",)

    name = factory.Sequence(lambda n: f"Country {n}")
    iso_code = factory.Sequence(lambda n: f"X{chr(65 + n % 26)}")


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda topic: slugify(topic.name))
