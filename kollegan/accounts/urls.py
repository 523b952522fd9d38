from django.urls import path

from kollegan.accounts import views

app_name = "accounts"

urlpatterns = [
    path("inbjudan/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("konto/sessions/<int:pk>/logga-ut/", views.session_end, name="session_end"),
]
