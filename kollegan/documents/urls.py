from django.urls import path

from kollegan.documents import views

app_name = "documents"

urlpatterns = [
    path("ny/", views.create, name="create"),
    path("andringar/", views.changes, name="changes"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/andra/", views.edit, name="edit"),
    path("<int:pk>/historik/", views.history, name="history"),
    path("<int:pk>/version/<int:number>/", views.version, name="version"),
    path("<int:pk>/version/<int:number>/aterstall/", views.restore, name="restore"),
    path("<int:pk>/jamfor/", views.compare, name="compare"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/ta-bort/", views.delete, name="delete"),
    path("<int:pk>/kommentar/", views.comment, name="comment"),
    path("kommentar/<int:pk>/ta-bort/", views.comment_delete, name="comment_delete"),
    path("<int:pk>/antagande/", views.adoption, name="adoption"),
]
