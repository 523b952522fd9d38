from django.urls import path

from kollegan.notes import views

app_name = "notes"

urlpatterns = [
    path("ny/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/andra/", views.edit, name="edit"),
    path("<int:pk>/ta-bort/", views.delete, name="delete"),
]
