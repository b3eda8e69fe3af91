"""Full-text search: p95 latency of the analyst's ranked evidence search over 100,000 pieces of
evidence and of the public brief search over 2,000 live briefs, and whether the evidence query
plan uses the full-text (GIN) index.

The rows are written and indexed in one transaction that is committed, then the tables are
vacuumed and analysed (VACUUM ANALYZE; on PostgreSQL), as autovacuum leaves them in service,
before anything is timed; the rows are deleted at the end (and left over by an interrupted run,
at the start), and the tables vacuumed again. Until issue 16's last changes everything ran in
one transaction rolled back at the end: no VACUUM could run in it, so every search visited the
dead row versions that indexing leaves (modelsearch writes an index entry, then updates its
title norm) and those that earlier runs' rollbacks left until autovacuum came by: three dead
versions for each live index entry, a 100 ms evidence search that takes 16 ms on the vacuumed
table, and p95s that moved by half between two runs. On PostgreSQL the search backend is
Wagtail's database backend (modelsearch), which keeps a tsvector per object in
wagtailsearch_indexentry with GIN indexes; on SQLite (FTS5) the plan check and the old-path
baselines do not apply and are reported as such.

Each latency row's baseline is the old query path timed in the same run on the same rows, in
rounds interleaved with the current path's: Wagtail's database backend as it comes (not
config/search_backend.py), the text search configuration left to the server (to_tsquery without
a configuration) and without the expression indexes on the primary key cast to text
(config/search.py), i.e. the queries as they ran before issue 16.
"""

import hashlib
import random
import time
from pathlib import Path

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

COUNT = 100_000
BRIEFS = 2_000
# Each matches at least one sentence of the demo corpus, from which the rows are drawn.
QUERIES = [
    "Chinese investment Kazakhstan",
    "Confucius Institutes",
    "digital trade restrictions",
    "Khorgos dry port",
    "e-commerce chapter RCEP",
    "Hollywood films",
    "data localisation",
    "Sinophobia",
]
# Single words that match a third to three quarters of the rows: every match is ranked, so these
# are slower; reported beside the target's row, not in it.
BROAD_QUERIES = ["China", "Kazakhstan"]
ROUNDS = 64  # 8 terms x 64 = 512 timed queries per search (issue 16: at least 500)
# The old path, for the baselines: one round after every four (128 queries each); also the
# rounds of the broad one-word queries.
OLD_ROUNDS = 16
TARGET_P95_MS = 50.0
JOIN_INDEXES = ("evidence_id_search_join", "brief_id_search_join")


class _Rollback(Exception):
    pass


def _sentences():
    corpus = Path(__file__).resolve().parent.parent / "demo" / "corpus"
    sentences = []
    for name in ("chinas-image-in-kazakhstan.txt", "china-soft-power-digital-trade.txt"):
        text = (corpus / name).read_text(encoding="utf-8")
        sentences += [s.strip() for s in text.replace("\n", " ").split(". ") if 60 < len(s) < 400]
    return sentences


SOURCE_TITLE = "Search benchmark source"
SLUG_PREFIX = "bench-search-"


def _populate_evidence():
    from evidence.models import Evidence
    from sources.models import Source, SourceText

    rng = random.Random(7)
    sentences = _sentences()
    source = Source.objects.create(
        title=SOURCE_TITLE, file="bench/search.txt", status=Source.Status.READY
    )
    text = SourceText.objects.create(
        source=source,
        version=1,
        full_text="x" * 1000,
        text_sha256="0" * 64,
        file_sha256="0" * 64,
        page_starts=[0],
    )
    batch = []
    for number in range(COUNT):
        quote = f"{rng.choice(sentences)} ({number})"
        batch.append(
            Evidence(
                source=source,
                source_text=text,
                quote=quote,
                claim=rng.choice(sentences)[:380],
                start=0,
                end=10,
                page=1 + number % 300,
                text_sha256=hashlib.sha256(quote.encode()).hexdigest(),
            )
        )
    return Evidence.objects.bulk_create(batch, batch_size=5000)


def _populate_briefs():
    """BRIEFS live, public briefs beside the demo's, written with bulk inserts (no revisions,
    no publishing signals): each a title, a standfirst and twelve paragraphs of sentences drawn
    from the demo corpus, with the taxonomy and authors of a demo brief."""
    import uuid

    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from wagtail.models import Page

    from briefs.models import BriefAuthor, BriefPage
    from briefs.services import published_briefs

    rng = random.Random(11)
    sentences = _sentences()
    demos = list(published_briefs().prefetch_related("countries", "topics", "authors"))
    parent = demos[0].get_parent()
    first_step = parent.get_last_child()._get_lastpos_in_path() + 1
    content_type = ContentType.objects.get_for_model(BriefPage)
    now = timezone.now()
    pages = []
    for number in range(BRIEFS):
        slug = f"{SLUG_PREFIX}{number}"
        title = " ".join(rng.choice(sentences).split()[:9]) + f" ({number})"
        pages.append(
            Page(
                title=title,
                draft_title=title,
                slug=slug,
                content_type=content_type,
                path=Page._get_path(parent.path, parent.depth + 1, first_step + number),
                depth=parent.depth + 1,
                numchild=0,
                url_path=f"{parent.url_path}{slug}/",
                live=True,
                first_published_at=now,
                last_published_at=now,
                locale_id=parent.locale_id,
                translation_key=uuid.uuid4(),
            )
        )
    pages = Page.objects.bulk_create(pages, batch_size=500)
    Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild + BRIEFS)
    briefs, authors, countries, topics = [], [], [], []
    for page in pages:
        demo = rng.choice(demos)
        paragraphs = ["<p>" + ". ".join(rng.sample(sentences, 4)) + ".</p>" for _ in range(12)]
        brief = BriefPage(
            page_ptr=page,
            standfirst=rng.choice(sentences),
            kind=demo.kind,
            publication_date=demo.publication_date,
        )
        brief.__dict__.update({f.attname: getattr(page, f.attname) for f in Page._meta.fields})
        brief.body = [{"type": "paragraph", "value": p} for p in paragraphs]
        # The child table only (raw): Django cannot bulk insert a multi-table model.
        brief.save_base(raw=True)
        briefs.append(brief)
        authors += [BriefAuthor(page=brief, name=a.name, sort_order=0) for a in demo.authors.all()]
        countries += [
            BriefPage.countries.through(briefpage_id=page.pk, country_id=c.pk)
            for c in demo.countries.all()
        ]
        topics += [
            BriefPage.topics.through(briefpage_id=page.pk, topic_id=t.pk) for t in demo.topics.all()
        ]
    BriefAuthor.objects.bulk_create(authors)
    BriefPage.countries.through.objects.bulk_create(countries)
    BriefPage.topics.through.objects.bulk_create(topics)
    return briefs


def _index(model, objs, related):
    from wagtail.search.backends import get_search_backend

    index = get_search_backend().get_index_for_model(model)
    ids = [obj.pk for obj in objs]
    for start in range(0, len(ids), 2000):
        # Related fields prefetched per chunk, as `update_index` does.
        chunk = model.objects.filter(pk__in=ids[start : start + 2000]).prefetch_related(*related)
        index.add_items(model, list(chunk))


TABLES = (
    "wagtailsearch_indexentry",
    "evidence_evidence",
    "wagtailcore_page",
    "briefs_briefpage",
    "briefs_briefauthor",
    "briefs_briefpage_countries",
    "briefs_briefpage_topics",
)


def _vacuum_analyze():
    """VACUUM ANALYZE the tables the benchmark writes (outside any transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"VACUUM ANALYZE {table}")


def _remove_rows():
    """Delete the rows _populate_evidence and _populate_briefs wrote, and their index entries,
    also those an interrupted run left. Plain DELETEs (``_raw_delete``): Django's deletion would
    run every receiver of the 102,000 deletions (a search index task for each)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField
    from django.db.models.functions import Cast
    from modelsearch.conf import get_app_config
    from wagtail.models import Page

    from briefs.models import BriefAuthor, BriefIndexPage, BriefPage
    from evidence.models import Evidence
    from sources.models import Source, SourceText

    search_models = get_app_config()
    index_entries = search_models.get_model("IndexEntry").objects
    full_text = None  # SQLite's FTS5 table beside the entries
    if connection.vendor == "sqlite":
        full_text = search_models.get_model("SQLiteFTSIndexEntry")
    sources = Source.objects.filter(title=SOURCE_TITLE, file="bench/search.txt")
    pages = Page.objects.filter(slug__startswith=SLUG_PREFIX, content_type__model="briefpage")
    briefs = BriefPage.objects.filter(pk__in=pages.values("pk"))
    for model, objects in (
        (Evidence, Evidence.objects.filter(source__in=sources)),
        (BriefPage, briefs),
    ):
        keys = objects.annotate(key=Cast("pk", CharField(max_length=50))).values("key")
        content_type = ContentType.objects.get_for_model(model)
        entries = index_entries.filter(content_type=content_type, object_id__in=keys)
        if full_text is not None:
            full_text.objects.filter(index_entry__in=entries.values("pk"))._raw_delete("default")
        entries._raw_delete("default")
    Evidence.objects.filter(source__in=sources)._raw_delete("default")
    SourceText.objects.filter(source__in=sources)._raw_delete("default")
    BriefAuthor.objects.filter(page__in=briefs)._raw_delete("default")
    for through in (BriefPage.countries.through, BriefPage.topics.through):
        through.objects.filter(briefpage__in=briefs)._raw_delete("default")
    ids = list(pages.values_list("pk", flat=True))
    BriefPage.objects.filter(pk__in=ids)._raw_delete("default")
    Page.objects.filter(pk__in=ids)._raw_delete("default")
    sources._raw_delete("default")
    for index in BriefIndexPage.objects.all():  # the parent's count of children, as it was
        Page.objects.filter(pk=index.pk).update(numchild=index.get_children().count())


def _backend(old):
    from wagtail.search.backends import get_search_backend

    # The old path, as before issue 16: Wagtail's database backend as it comes (no
    # config.search_backend, and the text search configuration left to the server).
    return get_search_backend("wagtail.search.backends.database") if old else get_search_backend()


def _search_evidence(query, old=False):
    """The evidence listing's search (config/search.py FullTextIndexViewMixin): the backend,
    ranked, first page."""
    from evidence.models import Evidence

    return list(_backend(old).search(query, Evidence.objects.all(), order_by_relevance=True)[:20])


def _search_briefs(query, old=False):
    """The public /search/ page (briefs/models/listings.py): search_briefs, then the page of
    results with its count and prefetches (services.paginate), without the template."""
    from django.test import RequestFactory

    from briefs import services
    from config.search import clean_query

    request = RequestFactory().get("/search/", {"q": query})
    if old:
        results = _backend(True).search(
            clean_query(query), services.published_briefs(), order_by_relevance=True
        )
    else:
        results = services.search_briefs(query)
    page = services.paginate(request, results)
    return page.paginator.count, page.object_list


def _time(search, rounds, queries=QUERIES, warm_up=True):
    for query in queries if warm_up else ():
        search(query)
    timings = []
    for _ in range(rounds):
        for query in queries:
            began = time.perf_counter()
            results = search(query)
            timings.append((time.perf_counter() - began) * 1000)
            assert results and results[0], f"no results for {query!r}"
    return timings


def _p95(timings):
    timings = sorted(timings)
    return round(timings[int(len(timings) * 0.95) - 1], 1)


def _plan_uses_index(query):
    """True when EXPLAIN of the ranked search shows a scan of a GIN index."""
    if connection.vendor != "postgresql":
        return None
    # A full query log (9,000 entries, e.g. after the other modules) captures nothing.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        _search_evidence(query)
    sql = next(q["sql"] for q in captured.captured_queries if "indexentry" in q["sql"].lower())
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return "Bitmap Index Scan" in plan and "indexentry" in plan


def _time_against_old_path(search):
    """(new, old) timings of ``search``: ROUNDS rounds of QUERIES on the current path and,
    after every fourth, a round on the old path (PostgreSQL only; else old is None), so that
    both see the same load of the machine. The old path runs in a savepoint without the join
    indexes, rolled back at once."""
    postgresql = connection.vendor == "postgresql"
    new, old = _time(search, 0), [] if postgresql else None
    for _ in range(ROUNDS // 4):
        new += _time(search, 4, warm_up=False)
        if postgresql:
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        for name in JOIN_INDEXES:
                            cursor.execute(f"DROP INDEX {name}")
                    old += _time(lambda query: search(query, old=True), 1)
                    raise _Rollback
            except _Rollback:
                pass
    return new, old


def run():
    from briefs.models import BriefPage
    from evidence.models import Evidence

    _remove_rows()  # what an interrupted run left
    try:
        with transaction.atomic():
            started = time.perf_counter()
            objs = _populate_evidence()
            populated = time.perf_counter() - started
            _index(Evidence, objs, ["source", "tags"])
            indexed = time.perf_counter() - started - populated
            briefs = _populate_briefs()
            _index(BriefPage, briefs, ["authors", "countries", "topics"])
        _vacuum_analyze()
        evidence_timings, old_evidence = _time_against_old_path(_search_evidence)
        brief_timings, old_briefs = _time_against_old_path(_search_briefs)
        broad_timings = _time(_search_evidence, OLD_ROUNDS, BROAD_QUERIES)
        uses_index = [_plan_uses_index(query) for query in QUERIES]
    finally:
        _remove_rows()
        _vacuum_analyze()
    rows = [
        {
            "name": f"evidence rows indexed ({connection.vendor})",
            "value": COUNT,
            "unit": "rows",
            "baseline": None,
            "target": None,
        },
        {
            "name": "index build, 100k evidence (baseline: bulk insert of the rows)",
            "value": round(indexed, 1),
            "unit": "s",
            "baseline": round(populated, 1),
            "target": None,
        },
        {
            "name": "ranked evidence search p95, 100k evidence, first 20 "
            f"({len(evidence_timings)} queries; baseline: old query path)",
            "value": _p95(evidence_timings),
            "unit": "ms",
            "baseline": _p95(old_evidence) if old_evidence else None,
            "target": TARGET_P95_MS,
        },
        {
            "name": "broad one-word evidence search p95, first 20 "
            f"({', '.join(BROAD_QUERIES)}: {len(broad_timings)} queries)",
            "value": _p95(broad_timings),
            "unit": "ms",
            "baseline": None,
            "target": None,
        },
        {
            "name": f"public brief search p95, {BRIEFS:,} live briefs, count and first "
            f"page ({len(brief_timings)} queries; baseline: old query path)",
            "value": _p95(brief_timings),
            "unit": "ms",
            "baseline": _p95(old_briefs) if old_briefs else None,
            "target": TARGET_P95_MS,
        },
    ]
    if connection.vendor == "postgresql":
        rows.append(
            {
                "name": "evidence queries whose plan uses the GIN index",
                "value": sum(bool(u) for u in uses_index),
                "unit": f"of {len(QUERIES)}",
                "baseline": None,
                "target": len(QUERIES),
            }
        )
    return rows
