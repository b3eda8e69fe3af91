from django.urls import path

from . import views

app_name = "pdfs"

urlpatterns = [
    path("<int:page_id>/<slug:slug>.pdf", views.public_pdf, name="public"),
    path("<int:page_id>/<slug:slug>/v<int:number>.pdf", views.version_pdf, name="version"),
]
