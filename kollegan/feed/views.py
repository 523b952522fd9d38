from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kollegan.core.selectors import site_config
from kollegan.lib.markdown import render_markdown
from kollegan.profiles.selectors import newest_members
from kollegan.questions.selectors import latest_questions
from kollegan.topics.models import Topic


def start(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "feed/start.html",
        {
            "welcome_html": render_markdown(site_config().welcome_text),
            "topics": Topic.objects.filter(is_active=True),
            "new_members": newest_members(limit=6),
            "questions": latest_questions(limit=5),
        },
    )
