from django.urls import path

from kollegan.chat import views

app_name = "chat"

# Under /chatt/.
urlpatterns = [
    path("", views.conversation_list, name="list"),
    path("ny-grupp/", views.create_group, name="create_group"),
    path("med/<int:member_id>/", views.direct, name="direct"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/skicka/", views.send, name="send"),
    path("<int:pk>/medlemmar/", views.members, name="members"),
    path("<int:pk>/medlemmar/lagg-till/", views.member_add, name="member_add"),
    path("<int:pk>/medlemmar/<int:member_id>/ta-bort/", views.member_remove, name="member_remove"),
    path("meddelande/<int:pk>/andra/", views.message_edit, name="message_edit"),
    path("meddelande/<int:pk>/ta-bort/", views.message_delete, name="message_delete"),
]
