"""`deploy` and `destroy`: the order of the steps, each one idempotent."""
import os
import time

from scripts.deploy import FRONTEND, DeployError, api, checks, email_sending, site, stacks, stripe_stage
from scripts.deploy.rehearsal import Rehearsal, is_emulator
from scripts.deploy.stage import Stage


class Deployment:
    def __init__(self, stage, session, out=print, frontend_dir=FRONTEND, frontend_dist=None):
        self.stage = stage
        self.session = session
        self.out = out
        self.frontend_dir = frontend_dir
        self.frontend_dist = frontend_dist
        self._clients = {}
        self.stacks = stacks.Stacks(self.client("cloudformation"), out)
        self.rehearsal = None
        if is_emulator(self.client("cloudformation")):
            self.rehearsal = Rehearsal(self.client, stage.region, stage.name, out)

    def client(self, service):
        if service not in self._clients:
            self._clients[service] = self.session.client(service, region_name=self.stage.region)
        return self._clients[service]

    def stack(self, part, template, parameters, protect=False):
        name = self.stage.stack_name(part)
        if self.rehearsal:
            created = self.rehearsal.prepare(template, parameters)
            outputs = self.stacks.deploy(name, created, parameters, protect)
            self.rehearsal.after(created, parameters)
            return outputs
        return self.stacks.deploy(name, template, parameters, protect)

    # deploy ---------------------------------------------------------------------

    def deploy(self):
        stage, out = self.stage, self.out
        account = self.client("sts").get_caller_identity()["Account"]
        out("Deploying credits-saas stage %s to account %s in %s%s" % (
            stage.name, account, stage.region, " (rehearsal on the emulator)" if self.rehearsal else ""))
        out("Site stack (S3 + CloudFront)")
        site_outputs = self.stack("site", stacks.load_template("site"), {"Stage": stage.name})
        origin = stage.settings.get("frontend_origin") or site_outputs["FrontendUrl"]

        out("Data stack (tables, user pool, SES identity, alert topic)")
        trigger = stage.deployed().get("post_confirmation", {}).get("lambda_arn", "")
        data = self.data_stack(origin, trigger, account)
        email_sending.report_identity(self.client("sesv2"), stage.email_identity, out, self.rehearsal)
        stripe_stage.store_stripe_key(self.client("ssm"), stage, os.environ["STRIPE_SECRET_KEY"], out)

        out("Backend stack (refill state machine, its role and logs)")
        backend = self.stack("backend", stacks.backend_template(self.refill_definition(data)), {
            "Stage": stage.name, "AccountsTableArn": data["AccountsTableArn"],
            "LedgerTableArn": data["LedgerTableArn"], "AlertTopicArn": data["AlertTopicArn"],
            "LogRetentionDays": stage.settings.get("log_retention_days", 30)})

        self.record(origin, data, backend, account)
        deployed = api.deploy_app(stage, self.client("apigateway"), origin, out)
        email_sending.configure_stream(self.client("lambda"), deployed, out)
        function_arn = deployed["post_confirmation"]["lambda_arn"]
        if function_arn != trigger:
            out("Wiring the post-confirmation trigger")
            data = self.data_stack(origin, function_arn, account)

        out("Monitoring stack (alarms, dashboard, alert subscription)")
        self.monitoring_stack(data, backend)

        api_url = deployed["rest_api"]["rest_api_url"].rstrip("/")
        webhook_url = api_url + "/stripe/webhook"
        out("Stripe")
        stripe_stage.register_webhook(self.client("ssm"), stage, webhook_url, out)
        stripe_stage.sync_products(stage, out)

        out("Frontend")
        frontend_url = self.publish_site(site_outputs, api_url, data)
        out("")
        out("API:              %s" % api_url)
        out("Frontend:         %s" % (frontend_url or "(not deployed: no frontend/package.json)"))
        out("Stripe webhook:   %s" % webhook_url)
        out("Code changes:     make deploy-app STAGE=%s  (or chalice deploy --stage %s in backend/)"
            % (stage.name, stage.name))
        if self.rehearsal:
            self.rehearsal.report()
        return {"api_url": api_url, "frontend_url": frontend_url, "webhook_url": webhook_url}

    def data_stack(self, origin, trigger, account):
        stage = self.stage
        env = stage.environment
        google = bool(os.environ.get("GOOGLE_CLIENT_ID") and os.environ.get("GOOGLE_CLIENT_SECRET"))
        return self.stack("data", stacks.load_template("data"), {
            "Stage": stage.name, "AccountsTableName": env["ACCOUNTS_TABLE"],
            "LedgerTableName": env["LEDGER_TABLE"], "ProductsTableName": env["PRODUCTS_TABLE"],
            "FrontendOrigin": origin, "PostConfirmationFunctionArn": trigger,
            "GoogleClientId": os.environ.get("GOOGLE_CLIENT_ID", "") if google else "",
            "GoogleClientSecret": os.environ.get("GOOGLE_CLIENT_SECRET", "") if google else "",
            "AuthDomainPrefix": "credits-saas-%s-%s" % (stage.name, account) if google else "",
            "EmailIdentity": stage.email_identity,
        }, protect=True)

    def monitoring_stack(self, data, backend):
        """infra/monitoring.yaml: every alarm to the stage's alert topic; the
        topic's email subscription when the stage names ALERT_EMAIL."""
        stage = self.stage
        env = stage.environment
        email = os.environ.get("ALERT_EMAIL") or stage.settings.get("alert_email") or ""
        outputs = self.stack("monitoring", stacks.load_template("monitoring"), {
            "Stage": stage.name, "AlertTopicArn": data["AlertTopicArn"], "AlertEmail": email,
            "ApiName": stage.chalice_config["app_name"],
            "ApiStage": stage.chalice_config["stages"][stage.name].get("api_gateway_stage", "api"),
            "AccountsTableName": env["ACCOUNTS_TABLE"], "LedgerTableName": env["LEDGER_TABLE"],
            "ProductsTableName": env["PRODUCTS_TABLE"],
            "RefillStateMachineArn": backend["RefillStateMachineArn"],
            "MetricsNamespace": env["METRICS_NAMESPACE"],
            "DurationAlarmMilliseconds": int(stage.function_timeout_seconds * 1000 * 0.8)})
        self.out("  %s alarms to %s%s; dashboard %s" % (
            outputs["AlarmCount"], data["AlertTopicArn"], " (email subscription: confirm it from the inbox)"
            if email else " (no ALERT_EMAIL: subscribe to the topic yourself)", outputs["DashboardName"]))
        return outputs

    def refill_definition(self, data):
        """statemachine.asl.json rendered by scripts/statemachine.py, the same
        substitution the local stack and the tests use."""
        from scripts import statemachine

        env = self.stage.environment
        return statemachine.render(statemachine.substitutions(
            alert_topic_arn=data["AlertTopicArn"], accounts_table=env["ACCOUNTS_TABLE"],
            ledger_table=env["LEDGER_TABLE"]))

    def record(self, origin, data, backend, account):
        """Outputs into the stage's environment (config.json) and its policy."""
        stage = self.stage
        stage.record({
            "REGION": stage.region, "FRONTEND_ORIGIN": origin,
            "USER_POOL_ID": data["UserPoolId"], "USER_POOL_ARN": data["UserPoolArn"],
            "USER_POOL_CLIENT_ID": data["UserPoolClientId"],
            "REFILL_STATE_MACHINE_ARN": backend["RefillStateMachineArn"],
            "STRIPE_SECRET_KEY_PARAMETER": stage.stripe_key_parameter,
            "STRIPE_WEBHOOK_SECRET_PARAMETER": stage.webhook_secret_parameter,
            "METRICS_NAMESPACE": "CreditsSaaS/%s" % stage.name,
            "EMAIL_SENDER": stage.email_sender, "LEDGER_STREAM_ARN": data["LedgerStreamArn"],
        })
        prefix = "arn:aws:ssm:%s:%s:parameter" % (stage.region, account)
        machine = backend["RefillStateMachineArn"]
        stage.write_policy({
            "AccountsTableArn": data["AccountsTableArn"], "LedgerTableArn": data["LedgerTableArn"],
            "ProductsTableArn": data["ProductsTableArn"], "RefillStateMachineArn": machine,
            "RefillExecutionsArn": machine.replace(":stateMachine:", ":execution:"),
            "StripeSecretKeyParameterArn": prefix + stage.stripe_key_parameter,
            "StripeWebhookSecretParameterArn": prefix + stage.webhook_secret_parameter,
            "ApiHandlerLogGroupArn": backend["ApiHandlerLogGroupArn"],
            "PostConfirmationLogGroupArn": backend["PostConfirmationLogGroupArn"],
            "EmailSenderLogGroupArn": backend["EmailSenderLogGroupArn"],
            "LedgerStreamArn": data["LedgerStreamArn"], "EmailIdentityArn": data["EmailIdentityArn"],
            "UserPoolArn": data["UserPoolArn"],
        })
        self.out("  recorded the outputs in backend/.chalice/config.json (stage %s) and %s"
                 % (stage.name, stage.policy_file))

    def publish_site(self, site_outputs, api_url, data):
        dist = self.frontend_dist
        if dist is None:
            if not site.frontend_present(self.frontend_dir):
                self.out("  frontend/package.json not found: the site is not built or uploaded "
                         "(the API is deployed; run make deploy again once the frontend exists)")
                return None
            dist = site.build(self.frontend_dir, self.out)
        config = site.runtime_config(self.stage, api_url, self.stage.region, data)
        site.upload(self.client("s3"), site_outputs["SiteBucketName"], dist, config, self.out)
        if self.rehearsal:
            self.rehearsal.gap("no CloudFront invalidation (no CloudFront in moto)")
        else:
            site.invalidate(self.client("cloudfront"), site_outputs["DistributionId"], str(time.time()))
        return self.stage.settings.get("frontend_origin") or site_outputs["FrontendUrl"]

    # code changes -----------------------------------------------------------------

    def deploy_app(self):
        """`chalice deploy` plus the API Gateway settings, for code changes."""
        origin = self.stage.environment.get("FRONTEND_ORIGIN")
        if not self.stage.environment.get("USER_POOL_ARN"):
            raise DeployError("Stage %s has no recorded resources: run make deploy STAGE=%s first."
                              % (self.stage.name, self.stage.name))
        deployed = api.deploy_app(self.stage, self.client("apigateway"), origin, self.out)
        email_sending.configure_stream(self.client("lambda"), deployed, self.out)
        self.out("API: %s" % deployed["rest_api"]["rest_api_url"].rstrip("/"))

    # destroy --------------------------------------------------------------------

    def destroy(self, delete_data=False):
        stage, out = self.stage, self.out
        data_name = stage.stack_name("data")
        data_parameters = self.stacks.parameters(data_name)
        if data_parameters.get("PostConfirmationFunctionArn") and not delete_data:
            out("Unwiring the post-confirmation trigger (the function goes next)")
            template = stacks.load_template("data")
            data_parameters["PostConfirmationFunctionArn"] = ""
            self.stack("data", template, data_parameters, protect=True)
        self.stacks.delete(stage.stack_name("monitoring"))
        api.delete_app(stage, out)
        site_outputs = self.stacks.outputs(stage.stack_name("site"))
        if site_outputs:
            site.empty_bucket(self.client("s3"), site_outputs["SiteBucketName"])
        self.stacks.delete(stage.stack_name("site"))
        if not delete_data:
            out("Kept: the tables, the user pool, the SES identity and the alert topic (stack %s), the refill state "
                "machine (stack %s) whose executions refill the kept Free accounts, and the SSM "
                "secrets. make destroy STAGE=%s ARGS=--delete-data removes them."
                % (data_name, stage.stack_name("backend"), stage.name))
            return
        self.delete_data()

    def delete_data(self):
        stage, out = self.stage, self.out
        data = self.stacks.outputs(stage.stack_name("data")) or {}
        self.stacks.delete(stage.stack_name("backend"))
        if self.rehearsal:
            self.rehearsal.gap("moto has no UpdateTerminationProtection: the data stack is deleted "
                               "without lifting its termination protection first")
        self.stacks.delete(stage.stack_name("data"), unprotect=not self.rehearsal)
        dynamodb, cognito, ssm = self.client("dynamodb"), self.client("cognito-idp"), self.client("ssm")
        for variable in ("ACCOUNTS_TABLE", "LEDGER_TABLE", "PRODUCTS_TABLE"):
            name = stage.environment[variable]
            try:
                dynamodb.delete_table(TableName=name)
                out("  deleted table %s" % name)
            except dynamodb.exceptions.ResourceNotFoundException:
                pass
        if data.get("UserPoolId"):
            if data.get("OAuthDomain"):
                cognito.delete_user_pool_domain(Domain=data["OAuthDomain"].split(".")[0],
                                                UserPoolId=data["UserPoolId"])
            cognito.update_user_pool(UserPoolId=data["UserPoolId"], DeletionProtection="INACTIVE")
            cognito.delete_user_pool(UserPoolId=data["UserPoolId"])
            out("  deleted user pool %s" % data["UserPoolId"])
        for name in (stage.stripe_key_parameter, stage.webhook_secret_parameter):
            try:
                ssm.delete_parameter(Name=name)
            except ssm.exceptions.ParameterNotFound:
                pass
        sesv2 = self.client("sesv2")
        try:
            sesv2.delete_email_identity(EmailIdentity=stage.email_identity)
            out("  deleted SES identity %s" % stage.email_identity)
        except sesv2.exceptions.NotFoundException:
            pass


def session():
    import boto3

    return boto3.Session()


def deploy(stage_name, allow_any_stripe_mode=False, frontend_dist=None, backend_dir=None,
           frontend_dir=FRONTEND, out=print):
    stage = Stage.load(stage_name, **({"backend_dir": backend_dir} if backend_dir else {}))
    aws = session()
    checks.check_inputs(stage, aws, allow_any_stripe_mode=allow_any_stripe_mode)
    return Deployment(stage, aws, out, frontend_dir, frontend_dist).deploy()
