"""The deploy rehearsal's one change to moto (tests/test_deploy_rehearsal.py
runs the moto server in its own process, so it applies here).

`chalice deploy` sends API Gateway a Swagger 2.0 document (ImportRestApi,
then PutRestApi with mode overwrite). AWS accepts Swagger 2.0 and OpenAPI
3.0; moto's PutRestApi refuses anything but OpenAPI 3
(InvalidOpenApiDocVersionException), and its import needs every integration
to carry a `uri` and an `httpMethod` (Chalice's CORS preflight MOCK
integrations have neither). `accept_chalice_swagger()` has moto's API Gateway
convert such a document to OpenAPI 3 first (same paths, methods and
integrations). An emulator patch: written for moto 5.2.x, it stops on another
moto (scripts/devstack/emulator_guard.py; docs/local-stack.md, "Emulator
patches")."""
from scripts.devstack.emulator_guard import MotoPatch

SWAGGER_IMPORT = MotoPatch(
    "apigateway-swagger-import",
    "moto's ImportRestApi/PutRestApi refusing a Swagger 2.0 document (InvalidOpenApiDocVersionException) "
    "and integrations without a uri and httpMethod")
_FLAG = "_imports_chalice_swagger"


def as_openapi3(document):
    """Chalice's Swagger 2.0 as the OpenAPI 3 moto reads: the version, a
    description, and a uri and httpMethod on every integration."""
    document.pop("swagger", None)
    document["openapi"] = "3.0.1"
    document.setdefault("info", {}).setdefault("description", "")
    for methods in document.get("paths", {}).values():
        for method in methods.values():
            integration = method.get("x-amazon-apigateway-integration")
            if integration:
                integration.setdefault("uri", "")
                integration.setdefault("httpMethod", "POST")
    return document


def accept_chalice_swagger():
    """Let moto's API Gateway import Chalice's API definition (idempotent).
    Applies to a moto server running in this process."""
    with SWAGGER_IMPORT.applying():
        from moto.apigateway import models

        backend = models.APIGatewayBackend
        if getattr(backend, _FLAG, False):
            return
        import_rest_api, put_rest_api = backend.import_rest_api, backend.put_rest_api

    def import_swagger(self, api_doc, fail_on_warnings):
        if "swagger" in api_doc:
            return import_rest_api(self, as_openapi3(api_doc), False)
        return import_rest_api(self, api_doc, fail_on_warnings)

    def put_swagger(self, function_id, api_doc, fail_on_warnings=False, mode="merge"):
        if "swagger" in api_doc:
            api_doc, fail_on_warnings = as_openapi3(api_doc), False
        return put_rest_api(self, function_id, api_doc, fail_on_warnings=fail_on_warnings, mode=mode)

    backend.import_rest_api = import_swagger
    backend.put_rest_api = put_swagger
    setattr(backend, _FLAG, True)
