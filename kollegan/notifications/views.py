"""Placeholder views, replaced by the pages."""

from django.http import HttpResponse


def notification_list(request):
    return HttpResponse("")


mark_read = open_notification = follow = notification_list
