"""Counting an upload while it arrives: a file over FILES_MAX_BYTES is dropped
after that many bytes instead of being written whole to a temporary file, and
a stand-in of the size received takes its place, so that the usual check
refuses it with the usual message.

Django parses the body once, with the handlers set before it is first read, so
the views that take attachments set theirs first (``capped_uploads``) and then
check the CSRF token themselves."""

import io
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect


class TooLargeUpload(UploadedFile):
    """A file dropped on arrival: its size is what had arrived, and it has no content."""

    def __init__(self, name: str, size: int) -> None:
        super().__init__(
            file=io.BytesIO(), name=name, content_type="application/octet-stream", size=size
        )


class SizeCapHandler(FileUploadHandler):
    """First in the chain: passes each chunk on to Django's handlers until a file
    passes the limit, then skips the rest of that file."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.dropped: list[tuple[str, str, int]] = []

    def new_file(self, field_name: str, file_name: str, *args, **kwargs) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.dropped.append((self.field_name, self.file_name, self.received))
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


def cap_uploads(request: HttpRequest) -> None:
    """Read the request's files with the cap, before anything else reads them."""
    if request.method != "POST":
        return
    handler = SizeCapHandler(request, settings.FILES_MAX_BYTES)
    request.upload_handlers.insert(0, handler)
    files = request.FILES
    for field_name, file_name, received in handler.dropped:
        files.appendlist(field_name, TooLargeUpload(file_name, received))


def capped_uploads(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a page view taking files: cap them, then check the CSRF token as usual."""
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        cap_uploads(request)
        return protected(request, *args, **kwargs)

    # The middleware would read the body before the cap is set; csrf_protect checks instead.
    return csrf_exempt(wrapper)


def capped_api_uploads(run: Callable) -> Callable:
    """The same for an API operation (django-ninja checks CSRF for sessions itself)."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args, **kwargs):
        cap_uploads(request)
        return run(request, *args, **kwargs)

    return wrapper
