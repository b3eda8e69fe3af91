"""The evidence a brief cites, as its notes read it (with its source, the source's authors and
the footnote it carries), and the stamp of its last change.

A brief's notes, API detail and PDF read the same rows, whichever revision of it they show:
the revision only chooses which evidence (its body) and the wording of each quote (its pins,
applied afterwards in memory). The rows are therefore kept in the shared cache under their ids
and their stamp, not under the revision: a new publication of a brief whose cited evidence has
not changed renders its notes without loading a hundred rows and their sources again."""

import datetime
import functools
import hashlib
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Count, Max, prefetch_related_objects

from evidence.models import Evidence
from sources.models import Reference, Source, SourceAuthor

# As long as the formatted bibliography of the same sources (briefs.citations.bibliography).
CACHE_SECONDS = 24 * 3600


class EvidenceStamp(NamedTuple):
    """How many of the cited evidence still exist, and the newest ``updated_at`` of that
    evidence and of its sources: every edit of evidence (its figures included) or of a source
    (its authors included) saves, and so dates, the evidence or the source; a deletion changes
    the count. With the newest ``verified_at``, which verify_evidence sets alone (the brief's
    annotations show it). The key of the brief's cached body (BriefPage.brief_cache_version)
    and of these rows; its edit times are the API's Last-Modified."""

    count: int
    evidence: datetime.datetime | None
    source: datetime.datetime | None
    verified: datetime.datetime | None


def evidence_stamp(ids) -> EvidenceStamp:
    """The stamp of the evidence ``ids``: one aggregate query (none without ids)."""
    if not ids:
        return EvidenceStamp(0, None, None, None)
    row = Evidence.objects.filter(pk__in=ids).aggregate(
        count=Count("pk"),
        evidence=Max("updated_at"),
        source=Max("source__updated_at"),
        verified=Max("verified_at"),
    )
    return EvidenceStamp(**row)


def load_cited_evidence(ids) -> dict[int, Evidence]:
    """The evidence ``ids`` by id, with its source (one object per source), the footnote it
    carries and the source's authors: two queries (none without ids)."""
    if not ids:
        return {}
    found = Evidence.objects.select_related("source", "footnote__repeats").in_bulk(ids)
    sources = {}
    for evidence in found.values():  # one Source object per source: its authors load once
        evidence.source = sources.setdefault(evidence.source_id, evidence.source)
    prefetch_related_objects(list(sources.values()), "authors")
    return found


@functools.cache
def _schema() -> str:
    """The fields of the models cached here: rows pickled by an older deployment whose models
    differ are never read back."""
    return ";".join(
        f"{model._meta.label}:{','.join(f.attname for f in model._meta.concrete_fields)}"
        for model in (Evidence, Source, SourceAuthor, Reference)
    )


def _key(ids, stamp: EvidenceStamp) -> str:
    when = [value.isoformat() if value else "" for value in stamp[1:]]
    signature = f"{_schema()}|{sorted(ids)}|{stamp.count}|{when}"
    return "briefs:cited-evidence:" + hashlib.sha256(signature.encode()).hexdigest()


def cited_evidence(ids, stamp: EvidenceStamp | None = None) -> dict[int, Evidence]:
    """The evidence ``ids`` as load_cited_evidence gives it; with its ``stamp`` (read before),
    from the cache when it holds the rows of that stamp, else loaded and stored there. Rows
    changed after the stamp was read are stored under the older stamp, which no later request
    asks for again."""
    if not ids:
        return {}
    if stamp is None:
        return load_cited_evidence(ids)
    key = _key(ids, stamp)
    found = cache.get(key)
    if found is None:
        found = load_cited_evidence(ids)
        cache.set(key, found, CACHE_SECONDS)
    return found
