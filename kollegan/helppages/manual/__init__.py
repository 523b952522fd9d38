"""The first manual, shipped with Kollegan: one Markdown file per help page,
named NN-slug.md (NN gives the order), with a small front matter:

    ---
    title: Frågor
    summary: One line for the table of contents.
    public: false
    ---

Data migrations load it with ``create_missing``: a page is created only when no
page has its address yet, so administrators' edits are never overwritten and a
later migration can add new pages the same way. The pages are Swedish only."""

import re
from dataclasses import dataclass
from pathlib import Path

from kollegan.lib.markdown import render_markdown

MANUAL_DIR = Path(__file__).resolve().parent
_NAME = re.compile(r"^(?P<number>\d{2})-(?P<slug>[a-z0-9-]+)\.md$")
# Positions leave room for administrators to slot pages in between.
POSITION_STEP = 10


@dataclass(frozen=True)
class ManualPage:
    slug: str
    title: str
    summary: str
    body: str
    position: int
    is_public: bool


def _parse(path: Path, number: int, slug: str) -> ManualPage:
    text = path.read_text(encoding="utf-8")
    head, separator, body = text.removeprefix("---\n").partition("\n---\n")
    if not text.startswith("---\n") or not separator:
        raise ValueError(f"{path.name}: the front matter between --- lines is missing")
    meta: dict[str, str] = {}
    for line in head.splitlines():
        key, _colon, value = line.partition(":")
        meta[key.strip()] = value.strip()
    if not meta.get("title"):
        raise ValueError(f"{path.name}: no title")
    return ManualPage(
        slug=slug,
        title=meta["title"],
        summary=meta.get("summary", ""),
        body=body.strip() + "\n",
        position=number * POSITION_STEP,
        is_public=meta.get("public", "false").lower() == "true",
    )


def manual_pages() -> list[ManualPage]:
    """Every page of the shipped manual, in order."""
    pages = []
    for path in sorted(MANUAL_DIR.glob("*.md")):
        match = _NAME.match(path.name)
        if match is None:
            raise ValueError(f"{path.name}: name it NN-slug.md")
        pages.append(_parse(path, int(match["number"]), match["slug"]))
    return pages


def create_missing(help_page_model, slugs: set[str] | None = None) -> list[str]:
    """Create the shipped pages (only ``slugs``, when given) that have no page at
    their address yet. Takes the model from the migration's ``apps``, whose save()
    does not render, so the HTML is rendered here. Returns the slugs created."""
    existing = set(help_page_model.objects.values_list("slug", flat=True))
    created = []
    for page in manual_pages():
        if page.slug in existing or (slugs is not None and page.slug not in slugs):
            continue
        help_page_model.objects.create(
            slug=page.slug,
            title=page.title,
            summary=page.summary,
            body=page.body,
            body_html=str(render_markdown(page.body)),
            position=page.position,
            is_published=True,
            is_public=page.is_public,
        )
        created.append(page.slug)
    return created
