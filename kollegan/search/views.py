"""Sök: one page for every kind of content. A plain GET form that works without
JavaScript; with htmx the results follow the typing (the last word a prefix)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kollegan.search.forms import SearchForm
from kollegan.search.selectors import SearchFilters, filter_organisations, search
from kollegan.topics.models import Topic


def search_filters(data: dict, *, live: bool) -> SearchFilters:
    """The form's cleaned data as the selectors take it (the page's and the API's)."""
    return SearchFilters(
        q=data.get("q") or "",
        kind=data.get("typ") or "",
        topic=data.get("amne") or "",
        organisation=data.get("organisation") or "",
        since=data.get("fran"),
        until=data.get("till"),
        sort="newest" if data.get("sortera") == "nyast" else "relevance",
        live=live,
    )


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    live = request.headers.get("HX-Request") == "true" and request.GET.get("live") == "1"
    context = {"form": form, "page": None}
    status = 200
    if form.is_valid():
        filters = search_filters(form.cleaned_data, live=live)
        if filters.q.strip():
            context["page"] = search(request.user, filters, page=form.cleaned_data["sida"] or 1)
        context["filters"] = filters
        context["filtered"] = any(
            form.cleaned_data.get(name) for name in ("typ", "amne", "organisation", "fran", "till")
        )
    else:
        status = 400
    if live:
        return render(request, "search/_live.html", context, status=status)
    context["topics"] = Topic.objects.filter(is_active=True).only("name", "slug")
    context["organisations"] = filter_organisations()
    return render(request, "search/search.html", context, status=status)
