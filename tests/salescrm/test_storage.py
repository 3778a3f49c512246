from whitenoise.storage import CompressedManifestStaticFilesStorage

from salescrm.storage import StaticFilesStorage


def test_a_static_url_is_worked_out_once_per_name_and_force_still_asks_again(monkeypatch, tmp_path):
    calls: list[tuple[str, bool]] = []

    def parent_url(self, name, force=False):
        calls.append((name, force))
        return f"/static/{name}.{len(calls)}"

    monkeypatch.setattr(CompressedManifestStaticFilesStorage, "url", parent_url)
    storage = StaticFilesStorage(location=tmp_path)

    assert storage.url("css/app.css") == storage.url("css/app.css") == "/static/css/app.css.1"
    assert storage.url("js/app.js") == "/static/js/app.js.2"
    assert storage.url("css/app.css", force=True) == "/static/css/app.css.3"
    assert calls == [("css/app.css", False), ("js/app.js", False), ("css/app.css", True)]
