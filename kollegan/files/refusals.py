"""How an upload is refused: a ValidationError on the field "file", with a
Swedish message and a code, the same for the pages and the API."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kollegan.lib.guard import ConfidentialityError, GuardResult
from kollegan.lib.validation import field_error

FIELD = "file"


def refused(message: str, code: str) -> ValidationError:
    return field_error(FIELD, message, code)


class FileConfidentialityError(ValidationError, ConfidentialityError):
    """The guard found a personal identity number in an attached file.

    Both kinds of refusal at once: code that catches ValidationError shows the
    message at the file field (forms, the API's 422 by field), and code that
    catches ConfidentialityError, as the services' contract says, gets the guard's
    result. Its text, like the guard's, never holds the number itself."""

    def __init__(self, message: str, result: GuardResult) -> None:
        # Not ValidationError.__init__: its cooperative super() call would reach
        # ConfidentialityError.__init__ with the wrong arguments.
        Exception.__init__(self, "The confidentiality guard refused an attached file.")
        self.error_dict = refused(message, "personal_number").error_dict
        self.result = result


def max_megabytes() -> str:
    """The size limit as members read it: "25" (MB), or "0.5" for small test limits."""
    megabytes = settings.FILES_MAX_BYTES / (1024 * 1024)
    return f"{megabytes:.0f}" if megabytes >= 1 else f"{megabytes:.1f}".replace(".", ",")


def too_large() -> ValidationError:
    message = _("The file is too large. Files of at most %(max)s MB can be attached.") % {
        "max": max_megabytes()
    }
    return refused(message, "too_large")


def zip_bomb() -> ValidationError:
    return refused(
        _(
            "The file unpacks to far more data than its size suggests and is refused: it may "
            "be a so-called zip bomb. Save the document again from its program and attach it "
            "again."
        ),
        "zip_bomb",
    )


def damaged(label: str) -> ValidationError:
    message = _(
        "The file could not be read as %(type)s. It may be damaged: open it in its program, "
        "save it again and attach it again."
    ) % {"type": label}
    return refused(message, "damaged")


def too_much_text() -> ValidationError:
    return refused(
        _(
            "The file holds more text than can be checked for personal identity numbers. "
            "Split it into smaller files."
        ),
        "too_much_text",
    )
