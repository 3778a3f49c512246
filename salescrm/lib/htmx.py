"""When a page-or-fragment URL should answer with its fragment."""

from django.http import HttpRequest


def wants_fragment(request: HttpRequest) -> bool:
    """True for an htmx request that swaps part of the page. A boosted request and a history restore
    (the back button past htmx's history cache re-requests the URL with HX-History-Restore-Request)
    need the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request
