"""Reading the manual: the table of contents and one page with its neighbours.

Each costs one query whatever the number of pages; the contents never read the
pages' text."""

from dataclasses import dataclass

from kollegan.accounts.models import Member
from kollegan.helppages.models import HelpPage

# The accessibility statement: a help page that /tillganglighet/ shows as well.
ACCESSIBILITY_SLUG = "tillganglighetsredogorelse"

_CONTENTS_FIELDS = ("slug", "title", "summary", "position", "is_published", "is_public")


def sees_unpublished(viewer: Member) -> bool:
    """Administrators preview pages before they publish them; nobody else sees those."""
    return bool(getattr(viewer, "is_staff", False))


def contents(viewer: Member) -> list[HelpPage]:
    """The pages in the order the administrators gave them, without their text."""
    pages = HelpPage.objects.only(*_CONTENTS_FIELDS)
    if not sees_unpublished(viewer):
        pages = pages.filter(is_published=True)
    return list(pages)


def page_by_slug(slug: str) -> HelpPage | None:
    """The page at this address, published or not: the view decides who may read it."""
    return HelpPage.objects.filter(slug=slug).first()


def published_page(slug: str) -> HelpPage | None:
    return HelpPage.objects.filter(slug=slug, is_published=True).first()


@dataclass(frozen=True)
class Neighbours:
    previous: HelpPage | None
    next: HelpPage | None


def neighbours(pages: list[HelpPage], page: HelpPage) -> Neighbours:
    """The pages before and after ``page`` in the contents (none for a page not in them)."""
    slugs = [item.slug for item in pages]
    if page.slug not in slugs:
        return Neighbours(None, None)
    index = slugs.index(page.slug)
    previous = pages[index - 1] if index > 0 else None
    following = pages[index + 1] if index + 1 < len(pages) else None
    return Neighbours(previous, following)
