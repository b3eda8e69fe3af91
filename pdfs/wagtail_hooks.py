from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem

from briefs.models import BriefPage

from . import admin_views, views


@hooks.register("register_admin_urls")
def register_pdf_admin_urls():
    urls = [
        path("brief/<int:page_id>/", admin_views.brief_pdfs, name="brief"),
        path("brief/<int:page_id>/regenerate/", admin_views.regenerate, name="regenerate"),
        path("brief/<int:page_id>/preview/", admin_views.preview, name="preview"),
        path("<int:pdf_id>/download/", views.editor_download, name="download"),
    ]
    return [path("pdfs/", include((urls, "pdfs_admin"), namespace="pdfs_admin"))]


class BriefPDFMenuItem(PageMenuItem):
    label = "PDF"
    icon_name = "doc-full"
    priority = 66

    def is_shown(self, user):
        return self.page.permissions_for_user(user).can_edit()

    @property
    def url(self):
        return reverse("pdfs_admin:brief", args=[self.page.pk])


@hooks.register("register_page_header_buttons")
def brief_pdf_header_button(page, user, view_name, next_url=None):
    """ "PDF" in the page header's menu of a brief: status, history, regenerate, preview."""
    if issubclass(page.specific_class or type(page), BriefPage):
        yield BriefPDFMenuItem(page=page)


@hooks.register("register_page_listing_more_buttons")
def brief_pdf_listing_button(page, user, next_url=None):
    if issubclass(page.specific_class or type(page), BriefPage):
        yield BriefPDFMenuItem(page=page)
