from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from kollegan.questions.selectors import topic_questions
from kollegan.topics.models import Topic

TOPIC_PAGE_QUESTIONS = 10


def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "topics/list.html", {"topics": Topic.objects.filter(is_active=True)})


def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The topic's latest questions, and the way to the colleagues who know it.

    The colleagues are counted here, not named: a page that lists anonymous
    questions next to the few people who work with the subject would point at
    who asked. Their names are one click away, in the directory."""
    topic = get_object_or_404(Topic, slug=slug)
    context = {
        "topic": topic,
        "member_count": topic.members.active().count(),
        "questions": topic_questions(topic, limit=TOPIC_PAGE_QUESTIONS),
    }
    return render(request, "topics/detail.html", context)
