"""Listing filters shared by the public brief listing and the admin's evidence chooser."""


def filter_by(queryset, data, lookups):
    """``queryset`` narrowed by each field of ``data`` (a form's cleaned_data) that has a
    value, through its lookup in ``lookups`` ({field name: ORM lookup})."""
    for field, lookup in lookups.items():
        if data.get(field):
            queryset = queryset.filter(**{lookup: data[field]})
    return queryset
