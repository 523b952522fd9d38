from django.urls import path

from kollegan.helppages import views

app_name = "helppages"

# Under /hjalp/; the contents themselves are the project's "help" (/hjalp/).
urlpatterns = [
    path("<slug:slug>/", views.page, name="page"),
]
