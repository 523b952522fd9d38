import re

_NOT_DIALLED = re.compile(r"[^0-9+]")


def dial_digits(phone: str) -> str:
    """What a phone dials for a number as written: digits and a leading plus only,
    so "0950-123 45" becomes "095012345" (for tel: links)."""
    digits = _NOT_DIALLED.sub("", phone or "")
    return digits[:1] + digits[1:].replace("+", "")
