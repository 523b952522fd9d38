"""Placeholder until the pages are written."""

from django.http import Http404


def group_list(request, *args, **kwargs):
    raise Http404


def create(request, *args, **kwargs):
    raise Http404


def detail(request, *args, **kwargs):
    raise Http404


def edit(request, *args, **kwargs):
    raise Http404


def add_members(request, *args, **kwargs):
    raise Http404


def remove_member(request, *args, **kwargs):
    raise Http404
