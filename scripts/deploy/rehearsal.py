"""Deploying to the AWS emulator (moto server, `AWS_ENDPOINT_URL`): the
rehearsal of `make deploy` that runs offline.

moto cannot do everything the deploy asks of AWS. Each gap is handled here,
and named in the deploy's output ("Rehearsal: ..."), never silently:

- moto's CloudFormation has no Cognito types: the user pool, its client and,
  with Google, the identity provider and domain are created through the
  Cognito API from the template's own (resolved) properties, and the stack
  gets their ids;
- moto's CloudFormation ignores PointInTimeRecoverySpecification: it is
  applied through the DynamoDB API from the template's properties;
- no CloudFront (distribution, origin access control) and no S3 bucket
  policies in moto's CloudFormation: the site is uploaded to the bucket, the
  frontend URL is a placeholder and no invalidation is made;
- moto ignores the state machine's LoggingConfiguration;
- moto's CloudFormation has no CloudWatch alarms and no SNS subscriptions:
  they are made through the CloudWatch and SNS APIs from the template's
  (resolved) properties (the dashboard is made by the stack);
- moto's CloudFormation has no SES email identity: it is made through the
  SES v2 API from the template's properties (moto's SES then accepts mail
  from it, as SES does once it is verified), and moto has no SES GetAccount;
- moto imports only OpenAPI 3 documents, not Chalice's Swagger 2.0: the
  rehearsal test has the emulator convert it (tests/emulator_swagger.py).
Template tests (tests/test_templates.py) cover what the rehearsal cannot.
"""
import copy

COGNITO_TYPES = ("AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient",
                 "AWS::Cognito::UserPoolIdentityProvider", "AWS::Cognito::UserPoolDomain",
                 "AWS::Cognito::UserPoolGroup")
MADE_THROUGH_APIS = ("AWS::CloudWatch::Alarm", "AWS::SNS::Subscription", "AWS::SES::EmailIdentity")
NOT_EMULATED = COGNITO_TYPES + MADE_THROUGH_APIS + ("AWS::CloudFront::Distribution",
                                "AWS::CloudFront::OriginAccessControl", "AWS::S3::BucketPolicy")
PLACEHOLDER_DOMAIN = "rehearsal-%s.cloudfront.invalid"


def is_emulator(client):
    return "amazonaws.com" not in (client.meta.endpoint_url or "amazonaws.com")


# Resolving the few intrinsic functions the templates use ------------------------

def with_defaults(template, parameters):
    """The stack's parameters, with the template's defaults for those not given."""
    values = {name: spec["Default"] for name, spec in template.get("Parameters", {}).items() if "Default" in spec}
    values.update(parameters)
    return values


def evaluate_conditions(template, parameters):
    conditions = {}
    for name, expression in template.get("Conditions", {}).items():
        conditions[name] = bool(resolve(expression, parameters, conditions))
    return conditions


def resolve(value, parameters, conditions, literals=None):
    """`value` with Ref/Fn::Sub/Fn::If/Fn::Equals/Fn::Not/Fn::And/Fn::GetAtt of
    parameters, pseudo parameters and `literals` replaced."""
    literals = literals or {}
    if isinstance(value, list):
        items = [resolve(item, parameters, conditions, literals) for item in value]
        return [item for item in items if item is not NO_VALUE]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (key, argument), = value.items()
        if key == "Ref":
            if argument == "AWS::NoValue":
                return NO_VALUE
            return literals.get(argument, parameters.get(argument, value))
        if key == "Fn::GetAtt":
            return literals.get("%s.%s" % tuple(argument), value)
        if key == "Fn::If":
            name, when_true, when_false = argument
            return resolve(when_true if conditions[name] else when_false, parameters, conditions, literals)
        if key == "Fn::Equals":
            left, right = (resolve(item, parameters, conditions, literals) for item in argument)
            return left == right
        if key == "Fn::Not":
            return not resolve(argument[0], parameters, conditions, literals)
        if key == "Fn::And":
            return all(resolve(item, parameters, conditions, literals) for item in argument)
        if key == "Fn::Sub" and isinstance(argument, str):
            text = argument
            for name, replacement in list(parameters.items()) + list(literals.items()):
                text = text.replace("${%s}" % name, str(replacement))
            return text
    resolved = {key: resolve(item, parameters, conditions, literals) for key, item in value.items()}
    return {key: item for key, item in resolved.items() if item is not NO_VALUE}


class _NoValue:
    pass


NO_VALUE = _NoValue()


def substitute(value, literals):
    """Replace Ref / Fn::GetAtt of removed resources by their values."""
    if isinstance(value, list):
        return [substitute(item, literals) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (key, argument), = value.items()
        if key == "Ref" and argument in literals:
            return literals[argument]
        if key == "Fn::GetAtt" and "%s.%s" % tuple(argument) in literals:
            return literals["%s.%s" % tuple(argument)]
        if key == "Fn::Sub" and isinstance(argument, str):
            for name, replacement in literals.items():
                argument = argument.replace("${%s}" % name, str(replacement))
            return {key: argument}
    return {key: substitute(item, literals) for key, item in value.items()}


# The rehearsal ----------------------------------------------------------------

class Rehearsal:
    """Adapts templates to the emulator and says what it could not do."""

    def __init__(self, clients, region, stage_name, out):
        self.clients = clients
        self.region = region
        self.stage_name = stage_name
        self.out = out
        self.gaps = []

    def gap(self, text):
        """Says once per deploy what the emulator cannot do (one gap often
        covers many resources: every alarm, every table's PITR)."""
        if text not in self.gaps:
            self.gaps.append(text)
            self.out("  Rehearsal: " + text)

    def prepare(self, template, parameters):
        """The template as moto can create it, with not-emulated resources
        made through their APIs (or left out) and named."""
        template = copy.deepcopy(template)
        parameters = with_defaults(template, parameters)
        conditions = evaluate_conditions(template, parameters)
        resources = template["Resources"]
        literals = {}
        for logical_id, resource in list(resources.items()):
            if resource["Type"] not in NOT_EMULATED:
                continue
            del resources[logical_id]
            if "Condition" in resource and not conditions[resource["Condition"]]:
                continue
            properties = resolve(resource.get("Properties", {}), parameters, conditions, literals)
            literals.update(self._emulate(logical_id, resource["Type"], properties))
        template["Resources"] = substitute(resources, literals)
        template["Outputs"] = substitute(template.get("Outputs", {}), literals)
        return template

    def after(self, template, parameters):
        """What moto's CloudFormation skipped on the resources it did create."""
        conditions = evaluate_conditions(template, parameters)
        dynamodb = self.clients("dynamodb")
        for resource in template["Resources"].values():
            properties = resolve(resource.get("Properties", {}), parameters, conditions)
            if resource["Type"] == "AWS::DynamoDB::Table" and properties.get(
                    "PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled"):
                dynamodb.update_continuous_backups(
                    TableName=properties["TableName"],
                    PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
                self.gap("moto's CloudFormation ignores PointInTimeRecoverySpecification; PITR on "
                         "%s applied through the DynamoDB API" % properties["TableName"])
            if resource["Type"] == "AWS::StepFunctions::StateMachine" and "LoggingConfiguration" in properties:
                self.gap("moto ignores the state machine's LoggingConfiguration (template test covers it)")

    def _emulate(self, logical_id, resource_type, properties):
        if resource_type == "AWS::Cognito::UserPool":
            return self._user_pool(logical_id, properties)
        if resource_type == "AWS::Cognito::UserPoolClient":
            return self._user_pool_client(logical_id, properties)
        if resource_type == "AWS::Cognito::UserPoolIdentityProvider":
            return self._identity_provider(logical_id, properties)
        if resource_type == "AWS::Cognito::UserPoolGroup":
            return self._group(logical_id, properties)
        if resource_type == "AWS::Cognito::UserPoolDomain":
            return self._domain(logical_id, properties)
        if resource_type == "AWS::CloudWatch::Alarm":
            return self._alarm(logical_id, properties)
        if resource_type == "AWS::SNS::Subscription":
            return self._subscription(logical_id, properties)
        if resource_type == "AWS::SES::EmailIdentity":
            return self._email_identity(logical_id, properties)
        if resource_type == "AWS::CloudFront::Distribution":
            self.gap("no CloudFront in moto: distribution %s not created; the frontend URL is a "
                     "placeholder and no invalidation is made" % logical_id)
            return {logical_id: "REHEARSAL", logical_id + ".DomainName": PLACEHOLDER_DOMAIN % self.stage_name}
        self.gap("%s (%s) not supported by moto's CloudFormation; covered by the template tests"
                 % (logical_id, resource_type))
        return {logical_id: "REHEARSAL", logical_id + ".Id": "REHEARSAL"}

    def _user_pool(self, logical_id, properties):
        cognito = self.clients("cognito-idp")
        arguments = dict(properties)
        name = arguments.pop("UserPoolName")
        existing = [pool for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]
                    if pool["Name"] == name]
        if existing:
            pool_id = existing[0]["Id"]
            cognito.update_user_pool(UserPoolId=pool_id, LambdaConfig=arguments.get("LambdaConfig", {}))
            pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
        else:
            pool = cognito.create_user_pool(PoolName=name, **arguments)["UserPool"]
        self.gap("no Cognito in moto's CloudFormation: user pool %s made through the Cognito API "
                 "from the template's properties" % name)
        return {logical_id: pool["Id"], logical_id + ".Arn": pool["Arn"]}

    def _user_pool_client(self, logical_id, properties):
        cognito = self.clients("cognito-idp")
        pool_id = properties["UserPoolId"]
        existing = [client for client in cognito.list_user_pool_clients(
            UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
            if client["ClientName"] == properties["ClientName"]]
        if existing:
            update = {key: value for key, value in properties.items() if key != "GenerateSecret"}
            client_id = cognito.update_user_pool_client(
                ClientId=existing[0]["ClientId"], **update)["UserPoolClient"]["ClientId"]
        else:
            client_id = cognito.create_user_pool_client(**properties)["UserPoolClient"]["ClientId"]
        self.gap("app client %s made through the Cognito API" % properties["ClientName"])
        return {logical_id: client_id}

    def _identity_provider(self, logical_id, properties):
        cognito = self.clients("cognito-idp")
        try:
            cognito.describe_identity_provider(UserPoolId=properties["UserPoolId"],
                                               ProviderName=properties["ProviderName"])
        except cognito.exceptions.ResourceNotFoundException:
            cognito.create_identity_provider(**properties)
        self.gap("identity provider %s made through the Cognito API" % properties["ProviderName"])
        return {logical_id: properties["ProviderName"]}

    def _group(self, logical_id, properties):
        cognito = self.clients("cognito-idp")
        try:
            cognito.create_group(**properties)
        except cognito.exceptions.GroupExistsException:
            pass
        self.gap("user pool group %s made through the Cognito API" % properties["GroupName"])
        return {logical_id: properties["GroupName"]}

    def _domain(self, logical_id, properties):
        cognito = self.clients("cognito-idp")
        if not cognito.describe_user_pool_domain(Domain=properties["Domain"]).get("DomainDescription"):
            cognito.create_user_pool_domain(**properties)
        self.gap("Cognito domain %s made through the Cognito API" % properties["Domain"])
        return {logical_id: properties["Domain"]}

    def _alarm(self, logical_id, properties):
        arguments = dict(properties, Threshold=float(properties["Threshold"]))
        self.clients("cloudwatch").put_metric_alarm(**arguments)
        self.gap("no CloudWatch alarms in moto's CloudFormation: the alarms are made through the "
                 "CloudWatch API from the template's properties")
        return {logical_id: properties["AlarmName"], logical_id + ".Arn": properties["AlarmName"]}

    def _subscription(self, logical_id, properties):
        arn = self.clients("sns").subscribe(TopicArn=properties["TopicArn"], Protocol=properties["Protocol"],
                                            Endpoint=properties["Endpoint"])["SubscriptionArn"]
        self.gap("no SNS subscriptions in moto's CloudFormation: the alert email is subscribed "
                 "through the SNS API")
        return {logical_id: arn}

    def _email_identity(self, logical_id, properties):
        sesv2 = self.clients("sesv2")
        identity = properties["EmailIdentity"]
        known = [item["IdentityName"] for item in sesv2.list_email_identities()["EmailIdentities"]]
        if identity not in known:
            sesv2.create_email_identity(EmailIdentity=identity)
        self.gap("no SES in moto's CloudFormation: the email identity %s is made through the SES v2 API"
                 % identity)
        return {logical_id: identity}

    def report(self):
        self.out("Rehearsal on the emulator: these steps could not be done as in AWS:")
        for gap in self.gaps:
            self.out("  - " + gap)
