from django.urls import path

from kollegan.questions import views

app_name = "questions"

# <kind> is fraga, svar or kommentar (anything else: 404).
urlpatterns = [
    path("", views.question_list, name="list"),
    path("ny/", views.ask, name="ask"),
    path("liknande/", views.similar, name="similar"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/andra/", views.edit, name="edit"),
    path("<int:pk>/historik/", views.history, name="history"),
    path("<int:pk>/svara/", views.answer, name="answer"),
    path("<int:pk>/kommentera/", views.comment, name="comment"),
    path("<int:pk>/folj/", views.follow, name="follow"),
    path("svar/<int:pk>/andra/", views.answer_edit, name="answer_edit"),
    path("svar/<int:pk>/loste/", views.helpful, name="helpful"),
    path("kommentar/<int:pk>/andra/", views.comment_edit, name="comment_edit"),
    path("rapportera/<slug:kind>/<int:pk>/", views.report, name="report"),
    path("moderera/<slug:kind>/<int:pk>/", views.moderate, name="moderate"),
    path("moderering/", views.moderation, name="moderation"),
    path("moderering/<int:pk>/avfarda/", views.report_dismiss, name="report_dismiss"),
]
