from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from kollegan.core.models import CACHE_KEY, MFARequirement, NavigationItem, Section, SiteSettings


@dataclass(frozen=True)
class NavEntry:
    section: str
    custom_label: str
    url: str

    @property
    def label(self) -> str:
        # Translated at render time so a member's language choice applies.
        return self.custom_label or str(Section(self.section).label)


@dataclass(frozen=True)
class SiteConfig:
    site_name: str
    welcome_text: str
    contact_email: str
    navigation: tuple[NavEntry, ...]
    mfa_required_for: str = MFARequirement.NOBODY


def _load() -> SiteConfig:
    row = SiteSettings.objects.filter(pk=1).first()
    items = list(NavigationItem.objects.filter(is_visible=True))
    if not NavigationItem.objects.exists():
        items = [NavigationItem(section=s, position=i) for i, s in enumerate(Section)]
    return SiteConfig(
        site_name=row.site_name if row else settings.SITE_NAME_DEFAULT,
        welcome_text=row.welcome_text if row else "",
        contact_email=row.contact_email if row else "",
        navigation=tuple(NavEntry(i.section, i.label, i.url) for i in items),
        mfa_required_for=row.mfa_required_for if row else MFARequirement.NOBODY,
    )


def site_config() -> SiteConfig:
    """Site name, welcome text and menu: cached, so pages spend no queries on them."""
    config = cache.get(CACHE_KEY)
    if config is None:
        config = _load()
        cache.set(CACHE_KEY, config, 3600)
    return config
