from django.urls import path

from kollegan.profiles import views

app_name = "profiles"

urlpatterns = [
    path("medarbetare/", views.directory, name="directory"),
    path("medarbetare/<int:pk>/", views.detail, name="detail"),
    path("min-sida/", views.my_page, name="my_page"),
    path("min-sida/api-nycklar/", views.token_create, name="token_create"),
    path("min-sida/api-nycklar/<int:pk>/aterkalla/", views.token_revoke, name="token_revoke"),
]
