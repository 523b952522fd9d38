from django.urls import path  # noqa: F401

from kollegan.documents import views  # noqa: F401

app_name = "documents"

urlpatterns: list = []
