from django.urls import path  # noqa: F401

from kollegan.files import views  # noqa: F401

app_name = "files"

urlpatterns: list = []
