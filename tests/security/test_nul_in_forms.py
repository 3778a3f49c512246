"""Every form of the apps, discovered by importing their modules: a NUL byte in any text field is a form
error on that field (it reached PostgreSQL before), through the one shared rule (salescrm.lib.formrules)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from django import forms

from salescrm.lib.formrules import NUL_MESSAGE, TextRules


def project_apps() -> list[str]:
    """The project's own apps (those under BASE_DIR, not the virtualenv's), a new one included."""
    from django.apps import apps
    from django.conf import settings

    base = Path(settings.BASE_DIR).resolve()
    return sorted(
        a.name
        for a in apps.get_app_configs()
        if Path(a.path).resolve().is_relative_to(base) and ".venv" not in Path(a.path).parts
    )


APPS = project_apps()


def project_form_classes() -> list[type[forms.BaseForm]]:
    """Every concrete form class defined in the apps' modules (migrations and tests aside)."""
    found: dict[str, type[forms.BaseForm]] = {}
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            module = importlib.import_module(info.name)
            for _name, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__ and obj.base_fields:
                    found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[k] for k in sorted(found)]


FORMS = project_form_classes()


def _instance(form_class, data, personas):
    """Build the form the way its view does: some need the user, a prospect, an instance."""
    params = inspect.signature(form_class.__init__).parameters
    kwargs = {}
    for name, param in list(params.items())[1:]:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD) or name in ("data", "files"):
            continue
        if param.default is not param.empty and name != "user":
            continue
        if "prospect" in name:
            kwargs[name] = personas.prospect
        elif name == "request":
            from django.test import RequestFactory

            kwargs[name] = RequestFactory().post("/")
        elif "owner" in name or (name == "user" and param.kind is not param.KEYWORD_ONLY):
            kwargs[name] = personas.owner
        else:
            kwargs[name] = personas.admin
    return form_class(data=data, **kwargs)


def _text_fields(form) -> list[str]:
    return [
        name
        for name, field in form.fields.items()
        if not isinstance(field, forms.FileField | forms.BooleanField) and not field.disabled
    ]


def test_the_apps_have_forms_to_walk():
    assert len(FORMS) >= 15


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: c.__qualname__)
def test_every_form_uses_the_shared_text_rules(form_class):
    assert issubclass(form_class, TextRules), f"{form_class} must derive from CrmForm / CrmModelForm"


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: c.__qualname__)
def test_a_nul_byte_in_any_field_is_a_form_error_on_that_field(personas, form_class):
    names = _text_fields(_instance(form_class, None, personas))  # none for a form of checkboxes only
    for name in names:
        form = _instance(form_class, {name: "abc\x00def"}, personas)
        assert not form.is_valid()
        messages = [str(m) for m in form.errors.get(name, [])]
        assert messages, (form_class, name, form.errors)
        # A field's own check may speak first (a number, a choice); text must get the NUL message.
        if isinstance(form.fields[name], forms.CharField) and not isinstance(
            form.fields[name], forms.RegexField | forms.EmailField | forms.URLField
        ):
            assert str(NUL_MESSAGE) in messages, (form_class, name, messages)
