from django.urls import path  # noqa: F401

from kollegan.helppages import views  # noqa: F401

app_name = "helppages"

urlpatterns: list = []
