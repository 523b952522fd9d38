from django.urls import path

from kollegan.groups import views

app_name = "groups"

urlpatterns = [
    path("", views.group_list, name="list"),
    path("ny/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/andra/", views.edit, name="edit"),
    path("<int:pk>/medlemmar/", views.add_members, name="add_members"),
    path("<int:pk>/medlemmar/<int:member>/ta-bort/", views.remove_member, name="remove_member"),
]
