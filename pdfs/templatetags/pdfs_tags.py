"""The PDF on the public brief page: the brief's template asks the PDF app, so that the briefs
app, which the PDF app builds on, never imports it."""

from django import template

from ..services import live_pdf_status

register = template.Library()


@register.simple_tag
def live_pdf(page):
    """``{% live_pdf page as pdf %}``: the status of the public PDF of ``page``'s live revision
    (pdfs.services.PDFStatus), or None when the brief is not live or has no PDF row. Asked
    once per page object (the head's citation_pdf_url and the download box share it)."""
    if not hasattr(page, "_live_pdf_status"):
        page._live_pdf_status = live_pdf_status(page)
    return page._live_pdf_status
