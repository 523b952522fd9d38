from django.urls import path

from kollegan.events import views

app_name = "events"

urlpatterns = [
    path("lista/", views.upcoming, name="list"),
    path("tidigare/", views.past, name="past"),
    path("manad/<int:year>/<int:month>/", views.month, name="month"),
    path("ny/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/andra/", views.edit, name="edit"),
    path("<int:pk>/installa/", views.cancel, name="cancel"),
    path("<int:pk>/ta-bort/", views.delete, name="delete"),
    path("<int:pk>/kalender.ics", views.download, name="ics"),
    path("tillfalle/<int:pk>/", views.occurrence, name="occurrence"),
    path("tillfalle/<int:pk>/andra/", views.occurrence_edit, name="occurrence_edit"),
    path("tillfalle/<int:pk>/andra-framat/", views.edit_following, name="edit_following"),
    path("tillfalle/<int:pk>/kommer/", views.attend, name="attend"),
    path("prenumeration/", views.subscription, name="subscription"),
    path("prenumeration/<int:member>/<str:token>.ics", views.feed, name="feed"),
]
