"""Groups: closed groups such as a course cohort. Members see the groups they are
in; moderators see them all, create them and choose their members. A group's page
lists its members, upcoming dates and notes; every member can leave it.

Every flow is a plain form and a redirect. Bad input comes back as the same page
with the message at its field and status 400; what only moderators may do is a
403 page saying why; a group the member is not in is a 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kollegan.accounts.models import Member
from kollegan.events.ics import display_title
from kollegan.events.models import Occurrence
from kollegan.groups import selectors, services
from kollegan.groups.forms import AddMembersForm, GroupForm
from kollegan.groups.models import Group, GroupMembership
from kollegan.lib.views import refusals
from kollegan.notes.models import Note
from kollegan.notes.views import with_meetings

# How many of a group's upcoming dates and latest notes its page shows.
SHOWN = 20

_refusals = refusals("groups/refused.html")


def _group_for(request: HttpRequest, pk: int) -> Group:
    group = selectors.group_for_page(pk, request.user)
    if group is None:
        raise Http404
    return group


def _require_moderator(request: HttpRequest) -> None:
    """Checked before the group is looked up: the refusal is the same for every
    address, so it tells nothing about which groups exist."""
    if not request.user.is_moderator:
        raise PermissionDenied(_("Only moderators can manage groups."))


# --- The list ----------------------------------------------------------------------------------


@require_safe
def group_list(request: HttpRequest) -> HttpResponse:
    """The member's groups (moderators: all), each with its member count: one query."""
    mine = GroupMembership.objects.filter(group=OuterRef("pk"), member=request.user)
    groups = (
        Group.objects.filter(pk__in=selectors.groups_for(request.user).values("pk"))
        .annotate(member_count=Count("memberships"), is_member=Exists(mine))
        .order_by("name", "pk")
    )
    context = {"groups": list(groups), "is_moderator": request.user.is_moderator}
    return render(request, "groups/list.html", context)


# --- Creating and editing ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@_refusals
def create(request: HttpRequest) -> HttpResponse:
    _require_moderator(request)
    if request.method != "POST":
        return _render_form(request, GroupForm())
    form = GroupForm(request.POST)
    group = form.is_valid() and form.attempt(
        lambda data: services.group_create(
            moderator=request.user, name=data["name"], description=data["description"]
        )
    )
    if not group:
        return _render_form(request, form, status=400)
    messages.success(request, _("The group is created. Add its members below."))
    return redirect(group)


@require_http_methods(["GET", "POST"])
@_refusals
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_moderator(request)
    group = _group_for(request, pk)
    if request.method != "POST":
        form = GroupForm(initial={"name": group.name, "description": group.description})
        return _render_form(request, form, group=group)
    form = GroupForm(request.POST)
    saved = form.is_valid() and form.attempt(
        lambda data: services.group_edit(
            moderator=request.user,
            group=group,
            name=data["name"],
            description=data["description"],
        )
    )
    if not saved:
        # The service refuses before it changes the row: the heading keeps its name.
        return _render_form(request, form, group=group, status=400)
    messages.success(request, _("Your changes are saved."))
    return redirect(group)


def _render_form(
    request: HttpRequest, form: GroupForm, *, group: Group | None = None, status: int = 200
) -> HttpResponse:
    return render(request, "groups/form.html", {"form": form, "group": group}, status=status)


# --- One group ---------------------------------------------------------------------------------


@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _group_for(request, pk))


def _render_detail(
    request: HttpRequest,
    group: Group,
    *,
    add_form: AddMembersForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The group's page. Its dates and notes are shown to its members only: a
    moderator outside the group manages it but does not read its content."""
    members = list(selectors.group_members(group))
    is_member = any(member.pk == request.user.pk for member in members)
    dates: list[Occurrence] = []
    notes: list[Note] = []
    if is_member:
        dates = list(
            Occurrence.objects.filter(event__group=group, skipped=False, end__gte=timezone.now())
            .select_related("event")
            .order_by("start", "id")[:SHOWN]
        )
        notes = list(
            Note.objects.filter(group=group, hidden_at__isnull=True)
            .select_related("author", "author__organisation", "event", "occurrence")
            .prefetch_related("topics")
            .order_by("-created_at", "-id")[:SHOWN]
        )
        for item in dates:
            item.title_shown = display_title(item.event.title, item.theme)
        with_meetings(notes)
    context = {
        "group": group,
        "members": members,
        "is_member": is_member,
        "is_moderator": request.user.is_moderator,
        "dates": dates,
        "notes": notes,
        "add_form": add_form or AddMembersForm(auto_id="lagg-till-%s"),
    }
    return render(request, "groups/detail.html", context, status=status)


# --- Members -----------------------------------------------------------------------------------


@require_POST
@_refusals
def add_members(request: HttpRequest, pk: int) -> HttpResponse:
    _require_moderator(request)
    group = _group_for(request, pk)
    form = AddMembersForm(request.POST, auto_id="lagg-till-%s")
    # An unknown address is refused by name (on the field), and nobody is added.
    added = form.is_valid() and form.attempt(
        lambda data: services.group_add_members(
            moderator=request.user,
            group=group,
            members=services.members_by_email(form.addresses()),
        )
    )
    if added is None or added is False:  # [] is a success: they were all in already
        return _render_detail(request, group, add_form=form, status=400)
    if added:
        message = ngettext(
            "%(count)d member was added.", "%(count)d members were added.", len(added)
        ) % {"count": len(added)}
    else:
        message = _("They were already members of the group.")
    messages.success(request, message)
    return redirect(f"{group.get_absolute_url()}#medlemmar")


@require_POST
@_refusals
def remove_member(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    """A moderator takes a member out; any member takes themselves out (leaves)."""
    leaving = member == request.user.pk
    if not leaving:
        _require_moderator(request)
    group = _group_for(request, pk)
    person = get_object_or_404(Member, pk=member)
    removed = services.group_remove_member(moderator=request.user, group=group, member=person)
    if leaving:
        if removed:
            messages.success(request, _("You have left the group %(name)s.") % {"name": group})
        return redirect("groups:list")
    if removed:
        message = _("%(name)s is no longer in the group.") % {"name": person.name}
    else:
        message = _("%(name)s was not in the group.") % {"name": person.name}
    messages.success(request, message)
    return redirect(f"{group.get_absolute_url()}#medlemmar")
