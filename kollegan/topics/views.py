from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from kollegan.topics.models import Topic


def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "topics/list.html", {"topics": Topic.objects.filter(is_active=True)})


def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    members = (
        topic.members.active()
        .select_related("organisation")
        .only("pk", "name", "title", "organisation__name")
        .order_by("name")[:24]
    )
    return render(request, "topics/detail.html", {"topic": topic, "members": members})
