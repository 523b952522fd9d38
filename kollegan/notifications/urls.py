from django.urls import path

from kollegan.notifications import settings_views, views

app_name = "notifications"

urlpatterns = [
    path("notiser/", views.notification_list, name="list"),
    path("notiser/las/", views.mark_read, name="read"),
    path("notiser/<int:pk>/", views.open_notification, name="open"),
    path("notiser/folj/<str:target_type>/<int:target_id>/", views.follow, name="follow"),
    path("min-sida/epost/", settings_views.email_settings, name="settings"),
    path(
        "epost/avsluta/<int:member_id>/<str:what>/<str:token>/",
        settings_views.unsubscribe,
        name="unsubscribe",
    ),
]
