"""The brief editor in the Wagtail admin: saving a brief through the page add/edit views (as the
admin's form posts it), the validation messages and where they land, inline citations stored as
<a linktype="evidence" id="N">, the evidence chooser (filters, search, order, what can be
chosen), rendering after cited evidence goes away, and the reference index ("Usage")."""

import html as htmllib
import json
import re

import pytest
from django.urls import reverse
from django.utils.text import slugify
from wagtail.models import Page, ReferenceIndex
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from briefs.blocks import RICH_TEXT_FEATURES
from briefs.models import BriefPage
from evidence.models import Evidence

from .admin_steps import editor_library

pytestmark = pytest.mark.django_db


@pytest.fixture
def lib():
    return editor_library()


# Form data as the admin's page form posts it -----------------------------------------------


def text(html):
    return rich_text(html, features=RICH_TEXT_FEATURES)


def cite(evidence, words):
    return f'<a linktype="evidence" id="{evidence.pk}">{words}</a>'


def listblock(values):
    data = {
        str(index): {"value": value, "deleted": "", "order": str(index), "id": ""}
        for index, value in enumerate(values)
    }
    data["count"] = str(len(values))
    return data


def section(heading):
    return ("section", {"heading": heading, "anchor": ""})


def paragraph(html):
    return ("paragraph", text(html))


def chart(*evidence, title="Trade in numbers", chart_type="bar"):
    return (
        "chart",
        {
            "title": title,
            "chart_type": chart_type,
            "evidence": listblock([e.pk for e in evidence]),
            "caption": "",
        },
    )


def evidence_quote(evidence):
    return ("evidence_quote", {"evidence": evidence.pk, "commentary": text("")})


def recommendations(addressee, *items):
    return (
        "recommendations",
        {
            "title": "Recommendations",
            "groups": listblock(
                [
                    {
                        "addressee": addressee,
                        "items": listblock([{"text": item, "evidence": ""} for item in items]),
                    }
                ]
            ),
        },
    )


def table(rows):
    return (
        "table",
        json.dumps(
            {
                "data": rows,
                "first_row_is_table_header": False,
                "first_col_is_header": False,
                "table_header_choice": "neither",  # the admin's table widget always posts it
                "table_caption": "",
            }
        ),
    )


def brief_form(title, body, **extra):
    return nested_form_data(
        {
            "title": title,
            "slug": slugify(title),
            "standfirst": "What the brief finds, in two sentences.",
            "kind": "country",
            "publication_date": "",
            "cover_image": "",
            "cover_image_alt": "",
            "authors": inline_formset([{"name": "Aigerim Analyst", "affiliation": ""}]),
            "comments": inline_formset([]),
            "body": streamfield(body),
            **extra,
        }
    )


def add_url(index):
    return reverse("wagtailadmin_pages:add", args=("briefs", "briefpage", index.pk))


def post_new(client, index, body, title="Kazakhstan and China"):
    return client.post(add_url(index), brief_form(title, body))


def body_errors(response):
    """The body's error as the editor receives it (the JSON the StreamField widget shows)."""
    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    assert "body" in form.errors, form.errors
    error = form.errors.as_data()["body"][0]
    return error.as_json_data()


def messages_in(data):
    """Every message of a nested block error, with its path in the body."""
    found = []

    def walk(node, path):
        if isinstance(node, dict):
            for message in node.get("messages", []):
                found.append((path, message))
            children = node.get("blockErrors", {})
            items = children.items() if isinstance(children, dict) else enumerate(children)
            for key, child in items:
                if child is not None:
                    walk(child, (*path, str(key)))
        elif isinstance(node, list):
            for item in node:
                walk(item, path)

    walk(data, ())
    return found


# Saving a brief ----------------------------------------------------------------------------


class TestSaveBrief:
    def test_draft_with_inline_citation_quote_and_chart_is_saved(
        self, admin_client, lib, brief_index
    ):
        body = [
            section("Chinese investment"),
            paragraph(f"<p>Investment {cite(lib['investment'], 'reached a record')} in 2018.</p>"),
            evidence_quote(lib["opinion_quote"]),
            chart(lib["investment"], lib["exports"]),
        ]
        response = post_new(admin_client, brief_index, body)
        assert response.status_code == 302, messages_in(body_errors(response))
        brief = BriefPage.objects.get()
        assert not brief.live
        raw = brief.get_latest_revision_as_object().body.raw_data
        assert [block["type"] for block in raw] == [
            "section",
            "paragraph",
            "evidence_quote",
            "chart",
        ]
        assert (
            f'<a linktype="evidence" id="{lib["investment"].pk}">reached a record</a>'
            in (raw[1]["value"])
        )
        assert raw[2]["value"]["evidence"] == lib["opinion_quote"].pk
        assert [item["value"] for item in raw[3]["value"]["evidence"]] == [
            lib["investment"].pk,
            lib["exports"].pk,
        ]
        assert raw[0]["value"]["anchor"] == "chinese-investment"

    def test_editing_keeps_citations_in_the_editor_data(self, admin_client, lib, brief_index):
        body = [paragraph(f"<p>{cite(lib['investment'], 'Investment grew')} fast.</p>")]
        assert post_new(admin_client, brief_index, body).status_code == 302
        brief = BriefPage.objects.get()
        response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[brief.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        # The editor loads the plugin, its styles and the chooser's modal handlers.
        assert "briefs/js/evidence-citation.js" in html
        assert "briefs/css/editor.css" in html
        assert "wagtailadmin/js/chooser-modal.js" in html
        # The contentstate given to Draftail carries the entity with the quote and page.
        flat = htmllib.unescape(html).replace("\\", "")
        assert '"type": "EVIDENCE"' in flat
        assert f'"id": {lib["investment"].pk},' in flat
        assert "Chinese investment reached 27 billion dollars in 2018.u201d (p. 1)" in flat
        assert '"page": 1' in flat

    @pytest.mark.parametrize(
        ("case", "path", "expected"),
        [
            ("chart_without_figures", ("1", "evidence"), "carries no figures"),
            ("chart_mixing_units", ("1", "evidence"), "mixes units (%, USD)"),
            ("cites_rejected", ("1",), "is rejected, not accepted"),
            ("cites_orphaned", ("1",), "is orphaned"),
            ("cites_candidate", ("1",), "is candidate, not accepted"),
            ("section_followed_by_section", ("0",), "This section is empty"),
            ("section_at_the_end", ("2",), "This section is empty"),
            (
                "recommendations_without_addressee",
                ("1", "groups", "0", "addressee"),
                "Say who each group of recommendations is for.",
            ),
            ("empty_table", ("1",), "The table is empty"),
            ("quote_of_rejected", ("1", "evidence"), "only accepted evidence can be cited"),
            ("chart_of_orphaned", ("1", "evidence"), "is orphaned"),
        ],
    )
    def test_bad_brief_is_refused_with_a_placed_message_and_nothing_saved(
        self, admin_client, lib, brief_index, case, path, expected
    ):
        heading = section("Findings")
        bodies = {
            "chart_without_figures": [heading, chart(lib["no_figures"])],
            "chart_mixing_units": [heading, chart(lib["investment"], lib["unemployment"])],
            "cites_rejected": [
                heading,
                paragraph(f"<p>Loans {cite(lib['rejected'], 'lacked transparency')}.</p>"),
            ],
            "cites_orphaned": [
                heading,
                paragraph(f"<p>Jobs {cite(lib['orphaned'], 'were promised')}.</p>"),
            ],
            "cites_candidate": [
                heading,
                paragraph(f"<p>Trade {cite(lib['candidate'], 'grew fast')}.</p>"),
            ],
            "section_followed_by_section": [
                heading,
                section("Another"),
                paragraph("<p>Some prose.</p>"),
            ],
            "section_at_the_end": [
                heading,
                paragraph("<p>Some prose.</p>"),
                section("Nothing follows"),
            ],
            "recommendations_without_addressee": [
                heading,
                recommendations("", "Publish the loan terms."),
            ],
            "empty_table": [heading, table([[None, None], ["", None]])],
            "quote_of_rejected": [heading, evidence_quote(lib["rejected"])],
            "chart_of_orphaned": [heading, chart(lib["orphaned"])],
        }
        pages_before = Page.objects.count()
        response = post_new(admin_client, brief_index, bodies[case])
        found = messages_in(body_errors(response))
        assert any(
            where[: len(path)] == path and expected in message for where, message in found
        ), found
        assert Page.objects.count() == pages_before
        assert not BriefPage.objects.exists()
        assert "could not be created" in response.content.decode()

    def test_bad_edit_keeps_the_last_good_revision(self, admin_client, lib, brief_index):
        good = [paragraph(f"<p>{cite(lib['investment'], 'Investment')} grew.</p>")]
        assert post_new(admin_client, brief_index, good).status_code == 302
        brief = BriefPage.objects.get()
        revisions = brief.revisions.count()
        bad = [paragraph(f"<p>{cite(lib['rejected'], 'Loans')} were opaque.</p>")]
        response = admin_client.post(
            reverse("wagtailadmin_pages:edit", args=[brief.pk]),
            brief_form(brief.title, bad),
        )
        found = messages_in(body_errors(response))
        assert any("rejected" in message for _, message in found), found
        assert "could not be saved" in response.content.decode()
        brief.refresh_from_db()
        assert brief.revisions.count() == revisions
        latest = brief.get_latest_revision_as_object().body.raw_data
        assert f'id="{lib["investment"].pk}"' in latest[0]["value"]

    def test_chart_error_names_the_units(self, admin_client, lib, brief_index):
        response = post_new(
            admin_client,
            brief_index,
            [section("Numbers"), chart(lib["investment"], lib["unemployment"])],
        )
        found = messages_in(body_errors(response))
        assert (
            ("1", "evidence"),
            "The chosen evidence mixes units (%, USD); a chart needs one unit.",
        ) in found


class TestChartBlockOnDrafts:
    """A chart whose evidence list still holds an empty item (just added in the editor, or
    caught by autosave) saves as a draft, and is refused on publish."""

    def block_value(self, *evidence):
        from briefs.blocks import ChartBlock

        block = ChartBlock()
        raw = {"title": "Trade", "chart_type": "bar", "caption": "", "evidence": list(evidence)}
        return block, block.to_python(raw)

    def test_draft_with_nothing_chosen_yet_is_accepted(self):
        block, value = self.block_value(None)
        cleaned = block.clean_deferred(value)
        assert [item for item in cleaned["evidence"] if item] == []

    def test_draft_checks_what_is_chosen_so_far(self, lib):
        from wagtail.blocks import StructBlockValidationError

        block, value = self.block_value(lib["investment"].pk, None, lib["unemployment"].pk)
        with pytest.raises(StructBlockValidationError) as raised:
            block.clean_deferred(value)
        assert "mixes units" in str(raised.value.block_errors["evidence"])
        block, value = self.block_value(lib["investment"].pk, None)
        assert block.clean_deferred(value)["evidence"][0].pk == lib["investment"].pk

    def test_publishing_needs_evidence(self):
        from wagtail.blocks import StructBlockValidationError

        block, value = self.block_value(None)
        with pytest.raises(StructBlockValidationError):
            block.clean(value)


# Rendering after the evidence changes ------------------------------------------------------


def publish(admin_client, brief_index, body):
    data = brief_form("Kazakhstan and China", body)
    data["action-publish"] = "action-publish"
    response = admin_client.post(add_url(brief_index), data)
    assert response.status_code == 302, messages_in(body_errors(response))
    return BriefPage.objects.get()


class TestRenderingAfterEvidenceChanges:
    @pytest.fixture
    def brief(self, admin_client, lib, brief_index):
        return publish(
            admin_client,
            brief_index,
            [
                section("Chinese investment"),
                paragraph(
                    f"<p>Investment {cite(lib['investment'], 'reached a record')} and "
                    f"opinion {cite(lib['opinion_quote'], 'stayed wary')}.</p>"
                ),
                evidence_quote(lib["opinion_quote"]),
                ("key_figure", {"evidence": lib["investment"].pk, "figure": 1, "caption": ""}),
                chart(lib["investment"], lib["exports"]),
            ],
        )

    def test_published_brief_renders_its_citations(self, client, brief, lib):
        response = client.get(brief.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "reached a record" in html
        assert 'href="#note-1"' in html

    @pytest.mark.parametrize("change", ["rejected", "orphaned", "deleted"])
    def test_brief_still_renders_when_cited_evidence_goes_away(self, client, brief, lib, change):
        for key in ("investment", "opinion_quote"):
            evidence = lib[key]
            if change == "rejected":
                evidence.review_status = Evidence.ReviewStatus.REJECTED
                evidence.save()
            elif change == "orphaned":
                evidence.anchor_status = Evidence.AnchorStatus.ORPHANED
                evidence.save()
            else:
                evidence.delete()
        response = client.get(brief.url)
        assert response.status_code == 200
        html = response.content.decode()
        # The cited words stay; the brief does not break.
        assert "reached a record" in html and "stayed wary" in html
        assert "Chinese investment" in html

    def test_editor_opens_and_flags_citations_of_deleted_or_rejected_evidence(
        self, admin_client, brief, lib
    ):
        lib["opinion_quote"].review_status = Evidence.ReviewStatus.REJECTED
        lib["opinion_quote"].save()
        lib["investment"].delete()
        response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[brief.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Missing evidence" in html
        assert "only accepted evidence can be cited" in html


# The evidence chooser ----------------------------------------------------------------------

CHOOSE_URL = reverse("evidence_chooser:choose")
RESULTS_URL = reverse("evidence_chooser:choose_results")


def listed(response):
    """The evidence ids listed by a chooser response, in order, and those that can be chosen."""
    if response["Content-Type"].startswith("application/json"):
        html = json.loads(response.content)["html"]
    else:
        html = response.content.decode()
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    ids, choosable = [], []
    for row in rows:
        match = re.search(r"/evidence_chooser/chosen/(\d+)/", row)
        quote = re.search(r'evidence-choice__quote">“(.*?)”', row)
        if not quote:
            continue
        evidence = Evidence.objects.get(quote__startswith=quote.group(1)[:40])
        ids.append(evidence.pk)
        if match:
            assert int(match.group(1)) == evidence.pk
            choosable.append(evidence.pk)
    return ids, choosable


class TestChooser:
    def test_modal_lists_citable_evidence_only_by_default(self, admin_client, lib):
        response = admin_client.get(CHOOSE_URL)
        assert response.status_code == 200
        data = json.loads(response.content)
        assert data["step"] == "choose"
        ids, choosable = listed(response)
        citable = set(Evidence.objects.citable().values_list("pk", flat=True))
        assert set(ids) == citable and ids == choosable
        # Ordered by source title, then by position in the source.
        assert ids[:2] == [lib["no_figures"].pk, lib["ecommerce"].pk]  # "Digital Silk Road"
        html = data["html"]
        for label in ("Source", "Country", "Topic", "Kind", "Status", "Search term"):
            assert f">{label}" in html or f'aria-label="{label}' in html or label in html
        # Every filter reloads the results when changed.
        assert html.count("data-chooser-modal-search-filter") == 5
        assert "Steppe Economics" in html and "Citable" in html

    def test_all_statuses_lists_citable_first_and_marks_the_rest(self, admin_client, lib):
        ids, choosable = listed(admin_client.get(RESULTS_URL, {"status": "all"}))
        citable = set(Evidence.objects.citable().values_list("pk", flat=True))
        assert len(ids) == Evidence.objects.count()
        assert set(ids[: len(citable)]) == citable
        assert set(choosable) == citable  # the others offer no link to choose them
        html = admin_client.get(RESULTS_URL, {"status": "all"}).content.decode()
        assert html.count("Cannot be cited") == 3
        assert "Orphaned: its quote is no longer found in the source" in html
        assert "Rejected: only accepted evidence can be cited" in html

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"source": "steppe"}, ["investment", "opinion_quote", "exports", "unemployment"]),
            ({"country": "china"}, ["no_figures", "ecommerce", "investment"]),
            ({"topic": "opinion"}, ["opinion_quote"]),
            ({"kind": "statistic"}, ["ecommerce", "investment", "exports", "unemployment"]),
            ({"status": "rejected"}, ["rejected"]),
            ({"status": "orphaned"}, ["orphaned"]),
            ({"status": "candidate"}, ["candidate"]),
            ({"source": "steppe", "country": "china", "topic": "trade"}, ["investment"]),
            ({"q": "billion"}, ["investment", "exports"]),
            ({"q": "billion", "country": "china"}, ["investment"]),
            ({"q": "Chinese", "topic": "opinion"}, ["opinion_quote"]),
            ({"q": "Chinese", "topic": "opinion", "status": "all"}, ["opinion_quote", "rejected"]),
            ({"q": "e-commer"}, ["ecommerce"]),  # prefix of a word: autocomplete
            ({"q": "Silk Road"}, ["ecommerce", "no_figures"]),  # the source's title
            ({"q": "zebra"}, []),
        ],
    )
    def test_filters_work_together_with_search(self, admin_client, lib, params, expected):
        query = {}
        for key, value in params.items():
            query[key] = lib[value].pk if key in ("source", "country", "topic") else value
        response = admin_client.get(RESULTS_URL, query)
        assert response.status_code == 200
        ids, _ = listed(response)
        wanted = [lib[key].pk for key in expected]
        if "q" in params:
            assert sorted(ids) == sorted(wanted)
        else:
            assert ids == wanted

    def test_search_results_keep_citable_first(self, admin_client, lib):
        ids, choosable = listed(admin_client.get(RESULTS_URL, {"q": "Chinese", "status": "all"}))
        assert ids.index(lib["rejected"].pk) > max(ids.index(pk) for pk in choosable)

    def test_bad_filter_values_do_not_fail(self, admin_client, lib):
        for params in ({"source": "999999"}, {"status": "nonsense"}, {"p": "1", "topic": "x"}):
            assert admin_client.get(RESULTS_URL, params).status_code == 200

    def test_chosen_response_carries_what_the_citation_shows(self, admin_client, lib):
        evidence = lib["investment"]
        response = admin_client.get(reverse("evidence_chooser:chosen", args=[evidence.pk]))
        data = json.loads(response.content)
        assert data["step"] == "chosen"
        result = data["result"]
        assert result["id"] == str(evidence.pk)
        assert result["quote"] == "Chinese investment reached 27 billion dollars in 2018."
        assert result["label"] == str(evidence)
        assert result["page"] == 1
        assert result["source"] == lib["steppe"].pk
        assert result["citable"] is True
        assert result["edit_url"].endswith(f"/{evidence.pk}/")

    def test_chooser_requires_admin_access(self, client, lib):
        response = client.get(CHOOSE_URL)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


# "Usage": the briefs citing each piece of evidence ---------------------------------------


class TestUsage:
    def test_reference_index_lists_briefs_citing_evidence_inline_and_in_blocks(
        self, admin_client, lib, brief_index
    ):
        brief = publish(
            admin_client,
            brief_index,
            [
                section("Chinese investment"),
                paragraph(f"<p>{cite(lib['investment'], 'Investment')} grew.</p>"),
                evidence_quote(lib["opinion_quote"]),
                chart(lib["exports"]),
            ],
        )
        for key in ("investment", "opinion_quote", "exports"):
            references = ReferenceIndex.get_references_to(lib[key])
            assert {ref.object_id for ref in references} == {str(brief.pk)}, key
        assert not ReferenceIndex.get_references_to(lib["ecommerce"]).exists()

        usage = admin_client.get(
            reverse("wagtailsnippets_evidence_evidence:usage", args=[lib["investment"].pk])
        )
        assert usage.status_code == 200
        assert "Kazakhstan and China" in usage.content.decode()

    def test_evidence_edit_view_links_to_the_briefs_citing_it(self, admin_client, lib, brief_index):
        publish(
            admin_client,
            brief_index,
            [paragraph(f"<p>{cite(lib['investment'], 'Investment')} grew.</p>")],
        )
        edit_url = reverse("wagtailsnippets_evidence_evidence:edit", args=[lib["investment"].pk])
        html = admin_client.get(edit_url).content.decode()
        usage_url = reverse("wagtailsnippets_evidence_evidence:usage", args=[lib["investment"].pk])
        assert usage_url in html
        assert re.search(r"Cited in\s+1\s+brief\b", html)
