from django.urls import path

from kollegan.files import views

app_name = "files"

urlpatterns = [
    path("<int:pk>/", views.download, name="download"),
    path("<int:pk>/ta-bort/", views.delete, name="delete"),
    path("bifoga/<str:owner_kind>/<int:owner_id>/", views.attach, name="attach"),
]
