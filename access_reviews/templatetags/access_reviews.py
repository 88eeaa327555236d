"""Template filters of the access review pages."""

import re

from django import template

from ..service.items import ADMIN_WITHOUT_MFA, NEVER_SIGNED_IN

register = template.Library()
NO_SIGN_IN = re.compile(r"no_sign_in_for_(\d+)_days")


@register.filter
def flag_label(flag: str) -> str:
    """A risk flag in words: "No sign-in for 90 days" for no_sign_in_for_90_days."""
    if flag == NEVER_SIGNED_IN:
        return "Never signed in"
    if flag == ADMIN_WITHOUT_MFA:
        return "Admin without MFA"
    if match := NO_SIGN_IN.fullmatch(flag):
        return f"No sign-in for {match[1]} days"
    return flag
