"""Placeholder until the pages are written."""

from django.http import Http404


def create(request, *args, **kwargs):
    raise Http404


def detail(request, *args, **kwargs):
    raise Http404


def edit(request, *args, **kwargs):
    raise Http404


def delete(request, *args, **kwargs):
    raise Http404


def note_list(request, *args, **kwargs):
    raise Http404
