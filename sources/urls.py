from django.urls import path

from . import views

app_name = "sources"
urlpatterns = [
    path("<int:pk>/reader/", views.reader, name="reader"),
    path("<int:pk>/file/", views.original_file, name="file"),
    path("<int:pk>/pages/<int:number>.png", views.page_image, name="page_image"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/retry/", views.retry, name="retry"),
]
