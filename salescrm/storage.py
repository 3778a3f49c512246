"""Static files storage: WhiteNoise's compressed manifest storage, with each URL worked out once.

The manifest is read when the process starts and does not change while it runs, so a name's URL is
the same for the life of the process: it is kept instead of re-derived on every ``{% static %}``
(docs/performance.md).
"""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if force or name is None:
            return super().url(name, force)
        url = self._urls.get(name)
        if url is None:
            url = self._urls[name] = super().url(name)
        return url
