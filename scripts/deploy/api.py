"""The app with Chalice, and what `chalice deploy` leaves to us on API
Gateway: the stage's throttling and Gateway Responses in the app's error shape.

`chalice deploy` replaces the API definition (PutRestApi, mode overwrite), which
resets Gateway Responses; `make deploy-app` (this module's `deploy_app`) runs
`chalice deploy` and puts them back."""
import functools
import json
import os
import tempfile

from scripts.deploy import DeployError
from scripts.deploy import package as lambda_package

# Response type -> (status or None to keep API Gateway's, code, message or
# None for API Gateway's own message). Codes: the frontend contract.
GATEWAY_RESPONSES = {
    "MISSING_AUTHENTICATION_TOKEN": ("404", "not_found", "No such route."),
    "RESOURCE_NOT_FOUND": ("404", "not_found", "No such route."),
    "UNAUTHORIZED": ("401", "unauthorized", "A valid ID token is required."),
    "EXPIRED_TOKEN": ("401", "unauthorized", "The ID token has expired."),
    "ACCESS_DENIED": ("403", "forbidden", "Access denied."),
    "THROTTLED": ("429", "rate_limited", "Too many requests; slow down and retry."),
    "QUOTA_EXCEEDED": ("429", "rate_limited", "Too many requests; slow down and retry."),
    "REQUEST_TOO_LARGE": ("413", "payload_too_large", "The request body is too large."),
    "UNSUPPORTED_MEDIA_TYPE": ("415", "unsupported_media_type", "Unsupported content type."),
    "DEFAULT_4XX": (None, "bad_request", None),
    "INTEGRATION_FAILURE": ("502", "upstream_error", "The service failed to answer."),
    "INTEGRATION_TIMEOUT": ("504", "timeout", "The service took too long to answer."),
    "DEFAULT_5XX": (None, "internal_error", "Something went wrong on our side."),
}


def gateway_response(response_type, origin):
    """put_gateway_response arguments (without the API id) for one type."""
    status, code, message = GATEWAY_RESPONSES[response_type]
    message_json = json.dumps(message) if message else "$context.error.messageString"
    arguments = {
        "responseType": response_type,
        "responseParameters": {
            "gatewayresponse.header.Access-Control-Allow-Origin": "'%s'" % origin,
            "gatewayresponse.header.Vary": "'Origin'",
        },
        "responseTemplates": {
            "application/json": '{"error": {"code": "%s", "message": %s}}' % (code, message_json),
        },
    }
    if status:
        arguments["statusCode"] = status
    return arguments


def throttling_operations(throttle):
    return [
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": str(throttle["burst_limit"])},
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": str(throttle["rate_limit"])},
    ]


def tracing_operations(enabled):
    """X-Ray on the API stage. `chalice deploy` asks for it only when it
    creates its deployment, and `chalice package` not at all; the deploy
    creates a deployment of its own afterwards, so it sets it on the stage."""
    return [{"op": "replace", "path": "/tracingEnabled", "value": "true" if enabled else "false"}]


def run_chalice(stage, *arguments):
    """Chalice's CLI in this process (the same boto3 endpoint settings)."""
    import chalice.cli

    argv = ["--project-dir", stage.backend_dir] + list(arguments)
    os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = stage.region
    try:
        chalice.cli.cli.main(argv, obj={}, standalone_mode=False)
    except Exception as error:  # Chalice reports its own errors as exceptions here
        raise DeployError("chalice %s failed: %s" % (" ".join(arguments), error))


def chalice_deploy(stage, out):
    """`chalice package`, its package slimmed (scripts/deploy/package.py),
    then `chalice deploy`, which reuses the slim package."""
    with tempfile.TemporaryDirectory(prefix="chalice-package-") as out_dir:
        result = lambda_package.package(stage.backend_dir, os.path.join(out_dir, "package"), stage.name,
                                        run_chalice=functools.partial(run_chalice, stage))
        out("  Lambda package: %s" % lambda_package.describe(*result))
    run_chalice(stage, "deploy", "--stage", stage.name)
    rebuilt = lambda_package.full_packages(stage.backend_dir)
    if rebuilt:
        out("  WARNING: chalice deploy did not reuse the slim package; it built and deployed %s (%.2f MB). "
            "See scripts/deploy/package.py." % (os.path.basename(rebuilt[0]), os.path.getsize(rebuilt[0]) / 1e6))
    return stage.deployed()


def configure_rest_api(apigateway, stage, rest_api_id, origin, out):
    api_stage = stage.chalice_config["stages"][stage.name].get("api_gateway_stage", "api")
    for response_type in GATEWAY_RESPONSES:
        apigateway.put_gateway_response(restApiId=rest_api_id, **gateway_response(response_type, origin))
    apigateway.create_deployment(restApiId=rest_api_id, stageName=api_stage,
                                 description="Gateway Responses in the app's error shape")
    apigateway.update_stage(restApiId=rest_api_id, stageName=api_stage,
                            patchOperations=throttling_operations(stage.settings["throttle"])
                            + tracing_operations(stage.xray_enabled))
    out("  API Gateway: %d Gateway Responses (CORS origin %s), throttling burst %s / rate %s per s, X-Ray %s"
        % (len(GATEWAY_RESPONSES), origin, stage.settings["throttle"]["burst_limit"],
           stage.settings["throttle"]["rate_limit"], "on" if stage.xray_enabled else "off"))


def deploy_app(stage, apigateway, origin, out):
    """`chalice deploy` with the slim package, then the API Gateway settings;
    returns Chalice's deployed resources by name."""
    out("Deploying the app with Chalice (stage %s)" % stage.name)
    deployed = chalice_deploy(stage, out)
    if "rest_api" not in deployed:
        raise DeployError("chalice deploy did not record a REST API for stage %s." % stage.name)
    configure_rest_api(apigateway, stage, deployed["rest_api"]["rest_api_id"], origin, out)
    return deployed


def delete_app(stage, out):
    if not stage.deployed():
        out("  no Chalice deployment recorded for stage %s" % stage.name)
        return
    out("Deleting the app (chalice delete --stage %s)" % stage.name)
    run_chalice(stage, "delete", "--stage", stage.name)
