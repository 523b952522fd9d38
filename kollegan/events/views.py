"""Placeholder until the pages are written."""

from django.http import Http404


def upcoming(request, *args, **kwargs):
    raise Http404


def past(request, *args, **kwargs):
    raise Http404


def month(request, *args, **kwargs):
    raise Http404


def create(request, *args, **kwargs):
    raise Http404


def detail(request, *args, **kwargs):
    raise Http404


def edit(request, *args, **kwargs):
    raise Http404


def cancel(request, *args, **kwargs):
    raise Http404


def delete(request, *args, **kwargs):
    raise Http404


def download(request, *args, **kwargs):
    raise Http404


def occurrence(request, *args, **kwargs):
    raise Http404


def occurrence_edit(request, *args, **kwargs):
    raise Http404


def edit_following(request, *args, **kwargs):
    raise Http404


def attend(request, *args, **kwargs):
    raise Http404


def subscription(request, *args, **kwargs):
    raise Http404


def feed(request, *args, **kwargs):
    raise Http404


def calendar(request, *args, **kwargs):
    raise Http404
