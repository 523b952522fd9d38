"""Placeholder views, replaced by the pages."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse


def email_settings(request):
    return HttpResponse("")


@login_not_required
def unsubscribe(request, member_id, what, token):
    return HttpResponse("")
