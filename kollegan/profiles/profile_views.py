"""Editing one's own profile (Min sida → Redigera profil) and serving profile photos."""

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kollegan.lib.markdown import render_markdown
from kollegan.profiles import selectors, services
from kollegan.profiles.forms import ProfileForm
from kollegan.profiles.photos import PHOTO_SIZES, photo_name

# Photo names never change (a new photo gets a new key), so browsers may keep
# them; "private" keeps shared caches and proxies from storing a member's face.
PHOTO_CACHE_CONTROL = "private, max-age=86400"


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest) -> HttpResponse:
    """The member edits only their own profile: there is no member id to tamper with."""
    member = request.user
    if request.method == "POST" and "preview" in request.POST:
        return _preview(request)
    if request.method != "POST":
        return _render_edit(request, ProfileForm(member=member))
    form = ProfileForm(request.POST, request.FILES, member=member)
    if not form.is_valid():
        return _render_edit(request, form, status=400)
    data = form.cleaned_data
    services.profile_update(
        member=member,
        **{field: data[field] for field in ProfileForm.PROFILE_FIELDS},
        expertise=form.label_names(),
        photo=data["photo"],
        remove_photo=data["remove_photo"],
    )
    messages.success(request, _("Your profile is saved. This is how colleagues see it."))
    return redirect("profiles:detail", member.pk)


def _preview(request: HttpRequest) -> HttpResponse:
    """Render the Markdown without saving: only the preview for htmx, otherwise the
    whole page with the form as it was written. Uploaded files are ignored."""
    preview = render_markdown(request.POST.get("about", ""))
    if request.headers.get("HX-Request") == "true":
        return render(request, "profiles/_about_preview.html", {"preview": preview})
    form = ProfileForm(request.POST, member=request.user)
    return _render_edit(request, form, preview=preview)


def _render_edit(
    request: HttpRequest, form: ProfileForm, *, preview: str | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "profiles/edit.html",
        {
            "form": form,
            "preview": preview,
            "label_suggestions": selectors.expertise_label_suggestions(),
        },
        status=status,
    )


@require_safe
def photo(request: HttpRequest, key: str, size: str) -> FileResponse:
    """A stored photo, to logged-in members only (the middleware refuses everyone else).

    The key is random and unguessable, so the file's existence is the check: no
    database query per image on a directory page of 24 faces."""
    if size not in PHOTO_SIZES:
        raise Http404
    try:
        stored = default_storage.open(photo_name(key, size), "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(stored, content_type="image/jpeg")
    response["Cache-Control"] = PHOTO_CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response
