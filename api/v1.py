"""The REST API, version 1, on django-ninja: /api/v1/ (operations), /api/v1/docs (Swagger UI from
ninja's own static files: no CDN), /api/v1/openapi.json (the OpenAPI 3 schema)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from api.auth import TokenAuth
from api.endpoints import router
from api.problems import PROBLEM_CONTENT_TYPE, install_handlers


class CrmApi(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Errors are documented as what they are sent as: application/problem+json."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {PROBLEM_CONTENT_TYPE: content["application/json"]}
        return schema


api = CrmApi(
    title="salescrm API",
    version="1",
    description=(
        "Prospects, test closings, activities, companies, contacts, targets and alerts, under the same "
        "access rules as the screens. Authenticate with a personal API token (your user menu → API "
        "tokens): `Authorization: Bearer <token>`. Errors are RFC 9457 problem details."
    ),
    auth=TokenAuth(),
    urls_namespace="api_v1",
    docs=Swagger(settings={"validatorUrl": None, "tryItOutEnabled": False}),
    docs_decorator=login_required,
)
install_handlers(api)
api.add_router("/", router)
