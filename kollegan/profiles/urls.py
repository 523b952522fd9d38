from django.urls import path, re_path

from kollegan.profiles import directory, my_data_views, profile_views, views

app_name = "profiles"

urlpatterns = [
    path("medarbetare/", directory.directory, name="directory"),
    path("medarbetare/<int:pk>/", views.detail, name="detail"),
    # The key is secrets.token_urlsafe (letters, digits, "-", "_"); the size one of PHOTO_SIZES.
    re_path(
        r"^medarbetare/foto/(?P<key>[A-Za-z0-9_-]{16,40})-(?P<size>small|medium|large)\.jpg$",
        profile_views.photo,
        name="photo",
    ),
    path("min-sida/", views.my_page, name="my_page"),
    path("min-sida/profil/", profile_views.edit, name="edit"),
    path("min-sida/api-nycklar/", views.token_create, name="token_create"),
    path("min-sida/api-nycklar/<int:pk>/aterkalla/", views.token_revoke, name="token_revoke"),
    path("min-sida/mina-uppgifter/", my_data_views.my_data, name="my_data"),
    path("min-sida/lamna/", my_data_views.leave, name="leave"),
]
