from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kollegan.core.models import Section


def document_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/section.html", {"section": Section.DOCUMENTS})
