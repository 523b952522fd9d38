from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from kollegan.accounts.models import Invitation
from kollegan.core.selectors import site_config


@task()
def send_invitation_email(*, invitation_id: int, url: str) -> None:
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(
        pk=invitation_id
    )
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "invitation": invitation,
            "url": url,
            "site_name": site_config().site_name,
            "valid_days": settings.INVITATION_VALID_DAYS,
        }
        subject = _("You are invited to %(site)s") % {"site": context["site_name"]}
        text = render_to_string("accounts/email/invitation.txt", context)
        html = render_to_string("accounts/email/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()
