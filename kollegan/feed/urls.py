from django.urls import path, re_path

from kollegan.feed import views

app_name = "feed"

# Under /inlagg/. <kind> is inlagg or svar (anything else: 404).
urlpatterns = [
    path("nytt/", views.create, name="create"),
    path("flode/", views.more, name="more"),
    path("<int:pk>/", views.post_detail, name="post"),
    path("<int:pk>/andra/", views.edit, name="edit"),
    path("<int:pk>/ta-bort/", views.delete, name="delete"),
    path("<int:pk>/svara/", views.reply, name="reply"),
    path("<int:pk>/gilla/", views.like, name="like"),
    path("<int:pk>/gillar/", views.likers, name="likers"),
    path("<int:pk>/fast/", views.pin, name="pin"),
    path("svar/<int:pk>/andra/", views.reply_edit, name="reply_edit"),
    path("svar/<int:pk>/ta-bort/", views.reply_delete, name="reply_delete"),
    path("moderera/<slug:kind>/<int:pk>/", views.moderate, name="moderate"),
    # The key is secrets.token_urlsafe (letters, digits, "-", "_").
    re_path(r"^bild/(?P<key>[A-Za-z0-9_-]{16,40})\.jpg$", views.image, name="image"),
]
