from django.urls import path

from kollegan.accounts import views

app_name = "accounts"

urlpatterns = [
    path("inbjudan/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
