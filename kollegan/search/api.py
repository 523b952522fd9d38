"""/api/v1/search: the search page for scripts, with the same engine, the same
filters and the same visibility: a result is there only if its own page or API
answer would show it to the caller.

Bad input is the search form's own refusal, 422 with the Swedish message by
field, as elsewhere in the API."""

import html
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.html import strip_tags
from ninja import Field, Query, Router, Schema

from kollegan.questions.api import Out
from kollegan.search.forms import SearchForm
from kollegan.search.selectors import search
from kollegan.search.views import search_filters

router = Router(tags=["search"])

# The API's names for the form's fields (the page's are Swedish, as its addresses).
PARAMS = {"q": "q", "type": "typ", "topic": "amne", "organisation": "organisation",
          "since": "fran", "until": "till", "sort": "sortera", "page": "sida"}  # fmt: skip
SORTS = {"relevance": "relevans", "newest": "nyast"}


class SearchParams(Schema):
    # No length limits here: the form checks them and says so in Swedish.
    q: str = Field("", description='What to find; "quoted words" are a phrase. Empty: no results')
    type: str = Field("", description="question, post, event, note, document, help or member")
    topic: str = Field("", description="Topic slug, e.g. barn-och-unga")
    organisation: str = Field("", description="Organisation slug")
    since: str = Field("", description="From this date (YYYY-MM-DD)")
    until: str = Field("", description="To this date, inclusive (YYYY-MM-DD)")
    sort: str = Field("relevance", description="relevance or newest")
    page: str = Field("", description="Page number, 20 results a page")


class ResultOut(Out):
    type: str = Field(description="question, answer, comment, post, reply, event, note, "
                      "document, help or member")  # fmt: skip
    id: int
    title: str
    url: str
    excerpt: str = Field(description="Plain text around the words found")
    date: datetime


@router.get("/search", response=list[ResultOut], summary="Search everything the caller may see")
def search_api(request: HttpRequest, params: Query[SearchParams]) -> list[dict]:
    data = {PARAMS[name]: value for name, value in params.dict().items() if value}
    if "sortera" in data:
        data["sortera"] = SORTS.get(data["sortera"], data["sortera"])
    form = SearchForm(data)
    if not form.is_valid():
        raise ValidationError({_api_name(name): errors for name, errors in form.errors.items()})
    filters = search_filters(form.cleaned_data, live=False)
    page = search(request.auth, filters, page=form.cleaned_data["sida"] or 1)
    return [
        {
            "type": result.kind,
            "id": result.object_id,
            "title": result.title,
            "url": f"{settings.SITE_URL}{result.url}",
            "excerpt": html.unescape(strip_tags(result.excerpt)),
            "date": result.date,
        }
        for result in page.results
    ]


def _api_name(field: str) -> str:
    for api_name, form_name in PARAMS.items():
        if form_name == field:
            return api_name
    return field
