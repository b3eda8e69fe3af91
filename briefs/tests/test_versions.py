"""Versions of a brief on the public site: permanent version pages, the claim-by-claim summary,
the side-by-side diff, superseded PDFs, notices, and withdrawal (410)."""

import pytest
from bs4 import BeautifulSoup
from django.core.files.base import ContentFile

from briefs.changes import summarize
from briefs.models import BriefPage, BriefVersion, RevisionNotice
from pdfs.models import BriefPDF
from review.withdrawal import withdraw

from .conftest import (
    cite,
    evidence_quote,
    key_findings,
    make_brief,
    paragraph,
    recommendations,
    section,
)

pytestmark = pytest.mark.django_db


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def text_of(response):
    return " ".join(soup(response).get_text(" ").split())


def body_v1(corpus):
    return [
        section("Investment"),
        paragraph(f"<p>Projects were worth {cite('$27 billion', corpus['projects'])}.</p>"),
        paragraph(f"<p>FDI was {cite('$500 million', corpus['fdi_1999'])} in 1999.</p>"),
        key_findings([("Investment grew twentyfold in a decade.", None)]),
        recommendations([("Government", [("Publish the project list.", None)])]),
        evidence_quote(corpus["public"]),
    ]


def body_v2(corpus):
    body = body_v1(corpus)
    # The correction: the 1999 figure cited the wrong passage; note 2 now quotes 2008.
    body[2] = paragraph(f"<p>FDI was {cite('$700 million', corpus['fdi_2008'])} in 2008.</p>")
    body[3] = key_findings([("Investment grew fourteenfold in a decade.", None)])
    body.append(section("Outlook"))
    return body


def publish_new_version(page, body, notice_type="correction", text="The 2008 figure."):
    page = BriefPage.objects.get(pk=page.pk)
    page.body = body
    revision = page.save_revision()
    RevisionNotice.objects.create(revision=revision, notice_type=notice_type, text=text)
    revision.publish()
    return BriefPage.objects.get(pk=page.pk)


@pytest.fixture
def two_versions(brief_index, corpus):
    page = make_brief(brief_index, "Versioned brief", body_v1(corpus))
    v1_revision = page.live_revision_id
    page = publish_new_version(page, body_v2(corpus))
    return page, v1_revision, corpus


def test_each_publication_is_a_numbered_version(two_versions):
    page, v1_revision, _ = two_versions
    v1, v2 = BriefVersion.objects.filter(page=page).order_by("number")
    assert (v1.number, v1.revision_id, v1.notice_type) == (1, v1_revision, "")
    assert (v2.number, v2.revision_id) == (2, page.live_revision_id)
    assert (v2.notice_type, v2.notice_text) == ("correction", "The 2008 figure.")
    # Saving a draft is no version; saving the live page again is none either.
    page.save_revision()
    BriefPage.objects.get(pk=page.pk).save()
    assert BriefVersion.objects.filter(page=page).count() == 2


def test_version_pages_render_each_revision_as_published(client, two_versions):
    page, _, _ = two_versions
    v1 = client.get(f"{page.url}versions/1/")
    assert v1.status_code == 200
    text = text_of(v1)
    assert "$500 million" in text and "$700 million" not in text
    assert "version 1" in text and "read the current version" in text
    assert "Chinese foreign direct investment stood at about $500 million" in text  # its note
    canonical = soup(v1).select_one('link[rel="canonical"]')["href"]
    assert canonical.endswith(f"{page.url}versions/1/")

    v2 = client.get(f"{page.url}versions/2/")
    text = text_of(v2)
    assert "$700 million" in text and "It is the current version" in text
    changes = [li.get_text(" ", strip=True) for li in soup(v2).select(".changes li")]
    assert any(c.startswith("Note 2: quote changed") and "$700 million" in c for c in changes)
    assert any("Key finding" in c and "reworded" in c for c in changes)
    assert any(c.startswith("Section added") and "Outlook" in c for c in changes)
    assert client.get(f"{page.url}versions/3/").status_code == 404
    assert client.get(f"{page.url}versions/0/").status_code == 404


def test_live_page_shows_notices_and_versions(client, two_versions):
    page, _, _ = two_versions
    html = soup(client.get(page.url))
    notice = html.select_one(".brief-notices").get_text(" ", strip=True)
    assert "Correction" in notice and "The 2008 figure." in notice and "version 2" in notice
    versions = html.select("#versions li")
    assert len(versions) == 2
    assert versions[0].select_one("a")["href"] == f"{page.url}versions/2/"
    assert "Correction" in versions[0].get_text() and "What changed" in versions[0].get_text()


def test_feed_has_an_entry_for_each_notice(client, two_versions):
    page, _, _ = two_versions
    feed = BeautifulSoup(client.get("/feed/").content, "xml")
    entries = {e.title.get_text(): e for e in feed.find_all("entry")}
    notice = entries["Correction: Versioned brief (version 2)"]
    assert notice.link["href"].endswith(f"{page.url}versions/2/")
    assert notice.summary.get_text() == "The 2008 figure."
    assert notice.id.get_text() != entries["Versioned brief"].id.get_text()
    # Version 1 came with no notice: no entry of its own.
    assert len(entries) == 2


def test_side_by_side_diff(client, two_versions):
    page, _, _ = two_versions
    response = client.get(f"{page.url}versions/2/diff/")
    assert response.status_code == 200
    table = soup(response).select_one("table.diff").get_text("").replace("\xa0", " ")
    assert "$500 million" in table and "$700 million" in table, table
    assert not soup(response).select("[style]")  # the site's CSP allows no inline style
    assert client.get(f"{page.url}versions/1/diff/").status_code == 404


def test_summary_names_exactly_the_changed_note(two_versions):
    page, _, _ = two_versions
    v1, v2 = BriefVersion.objects.filter(page=page).order_by("number")
    summary = summarize(v1.revision.as_object(), v2.revision.as_object())
    assert [(c.label, c.kind) for c in summary.notes] == [("Note 2", "changed")]
    (detail,) = summary.notes[0].details
    assert "Chinese foreign direct investment stood at about $500 million" in detail
    assert "Inflows came close to $700 million" in detail


def test_summary_of_added_removed_and_moved_notes(brief_index, corpus):
    old = BriefPage(title="A", standfirst="", body=body_v1(corpus))
    new_body = body_v1(corpus)
    del new_body[1]  # note 1 (projects) removed: the others move up
    new_body.append(paragraph(f"<p>{cite('RCEP', corpus['rcep'])}</p>"))
    new_body[3] = recommendations([("Government", [("Publish the full project list.", None)])])
    new = BriefPage(title="A", standfirst="", body=new_body)
    summary = summarize(old, new)
    kinds = {(c.label, c.kind) for c in summary.notes}
    assert kinds == {("Note 1", "removed"), ("Note 3", "added")}
    assert any(c.kind == "added" and "RCEP" in c.after for c in summary.notes)
    assert not any(c.kind == "changed" for c in summary.notes)  # moved, not changed
    assert [c.kind for c in summary.recommendations] == ["changed"]
    assert not summary.findings and not summary.sections
    # A page changed in the pinned quote of the same evidence is a changed note.
    new = BriefPage(title="A", standfirst="", body=body_v1(corpus))
    new.cited_quotes = {str(corpus["public"].pk): {"quote": "The public is sceptical.", "page": 9}}
    (change,) = summarize(old, new).notes
    assert change.label == "Note 3" and "page changed from" in change.text


def _ready_pdf(revision_id, content):
    pdf = BriefPDF.objects.get(revision_id=revision_id, kind="public")
    pdf.file.save("brief.pdf", ContentFile(content), save=False)
    pdf.status, pdf.size, pdf.sha256 = "ready", len(content), "x"
    pdf.save()
    return pdf


def test_superseded_pdfs_stay_served_unchanged(client, brief_index, corpus):
    page = make_brief(brief_index, "PDF versions", body_v1(corpus))
    _ready_pdf(page.live_revision_id, b"%PDF-1.7 version one")
    first = b"".join(client.get(f"/pdf/{page.pk}/{page.slug}/v1.pdf").streaming_content)
    assert first == b"%PDF-1.7 version one"
    page = publish_new_version(page, body_v2(corpus))
    _ready_pdf(page.live_revision_id, b"%PDF-1.7 version two")
    response = client.get(f"/pdf/{page.pk}/{page.slug}/v1.pdf")
    assert b"".join(response.streaming_content) == first
    assert 'filename="pdf-versions-v1.pdf"' in response["Content-Disposition"]
    live = client.get(f"/pdf/{page.pk}/{page.slug}.pdf")
    assert b"".join(live.streaming_content) == b"%PDF-1.7 version two"
    assert client.get(f"/pdf/{page.pk}/{page.slug}/v3.pdf").status_code == 404
    # The version page links its own PDF.
    link = soup(client.get(f"{page.url}versions/1/")).select_one(".pdf-download a")
    assert link["href"] == f"/pdf/{page.pk}/{page.slug}/v1.pdf"


def test_pdf_is_stamped_with_its_version(two_versions):
    from pdfs.rendering import render_brief_html

    page, _, _ = two_versions
    v2 = BriefVersion.objects.get(page=page, number=2)
    html = render_brief_html(v2.revision.as_object(), v2.revision)
    stamp = BeautifulSoup(html, "html.parser").select_one(".cover__version").get_text(" ")
    assert "Version 2" in stamp and v2.published_at.strftime("%-d %B %Y") in stamp
    notices = BeautifulSoup(html, "html.parser").select_one(".notices").get_text(" ")
    assert "Correction" in notices and "The 2008 figure." in notices


def test_withdrawn_brief_answers_410_and_leaves_every_listing(
    client, two_versions, django_user_model
):
    page, _, _ = two_versions
    home = page.get_parent().get_parent()
    listings = [page.get_parent().url, home.url, "/sitemap.xml", f"{home.url}feed/"]
    listings.append(f"{home.url}search/?q=Versioned")
    for url in listings:
        assert page.url in client.get(url).content.decode() or "Versioned" in text_of(
            client.get(url)
        ), url
    _ready_pdf(page.live_revision_id, b"%PDF-1.7 two")

    withdraw(page, None, "The survey it relies on was retracted.")
    for url in (page.url, f"{page.url}versions/1/", f"{page.url}versions/2/diff/"):
        response = client.get(url)
        assert response.status_code == 410, url
        text = text_of(response)
        assert "Versioned brief" in text and "The survey it relies on was retracted." in text
        assert "Version 2" in text and "Version 1" in text
        assert "$700 million" not in text  # no body
    for url in listings:
        if url.endswith("feed/"):
            continue  # the feed keeps the brief's notices, and announces its withdrawal
        body = client.get(url).content.decode()
        assert page.url not in body and "Versioned brief" not in body, url
    feed = BeautifulSoup(client.get(f"{home.url}feed/").content, "xml")
    titles = [entry.title.get_text() for entry in feed.find_all("entry")]
    assert "Versioned brief" not in titles  # the brief's own entry is gone
    assert titles[0] == "Withdrawal: Versioned brief"
    assert "The survey it relies on was retracted." in feed.find("entry").summary.get_text()
    assert client.get(f"/pdf/{page.pk}/{page.slug}/v2.pdf").status_code == 404
    assert client.get(f"/pdf/{page.pk}/{page.slug}.pdf").status_code == 404


def test_unpublished_without_notice_is_a_plain_404(client, brief_index, corpus):
    page = make_brief(brief_index, "Quietly unpublished", body_v1(corpus))
    page.unpublish()
    assert client.get(page.url).status_code == 404
    assert client.get(f"{page.url}versions/1/").status_code == 404


def test_deleting_a_brief_deletes_its_versions_but_a_version_keeps_its_revision(
    brief_index, corpus
):
    from django.db.models import RestrictedError

    page = make_brief(brief_index, "Deleted brief", body_v1(corpus))
    page = publish_new_version(page, body_v2(corpus))
    v1 = BriefVersion.objects.get(page=page, number=1)
    with pytest.raises(RestrictedError):
        v1.revision.delete()
    BriefPage.objects.get(pk=page.pk).delete()
    assert not BriefVersion.objects.filter(pk=v1.pk).exists()
