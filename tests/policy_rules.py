"""The wildcard rule for every IAM policy the repository ships or generates.

- No action contains "*" (no `*`, no `dynamodb:*`, no `dynamodb:Get*`).
- No resource is "*"; a resource may hold a "*" only in one of three forms,
  each the sub-resources of one fully named resource whose names are not
  known in advance: the log streams of one log group
  (`...:log-group:/aws/lambda/x:*`), the executions of one state machine
  (`...:execution:credits-saas-dev-refill:*`), the objects of one bucket
  (`arn:aws:s3:::bucket/*`).
- The one exception: Resource "*" on a statement whose actions are all in
  RESOURCE_LEVEL_UNSUPPORTED, actions for which AWS's Service Authorization
  Reference lists no resource type, so that "*" is the only resource they
  accept: CloudWatch Logs log delivery (Step Functions logging) and X-Ray's
  two write actions (active tracing on the functions,
  https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html).
  Such a statement may name nothing else; any other action on "*" fails.
"""
import re

SUB_RESOURCES = (
    re.compile(r"^arn:[a-z-]+:logs:[a-z0-9-]+:\d{12}:log-group:[^:*]+:\*$"),
    re.compile(r"^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:execution:[^:*]+:\*$"),
    re.compile(r"^arn:[a-z-]+:s3:::[^/*]+/\*$"),
)
IAM_POLICY_TYPES = ("AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy",
                    "AWS::IAM::User", "AWS::IAM::Group", "AWS::S3::BucketPolicy",
                    "AWS::SNS::TopicPolicy", "AWS::SQS::QueuePolicy")
RESOURCE_LEVEL_UNSUPPORTED = {
    "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
    "xray:PutTraceSegments", "xray:PutTelemetryRecords",
}


def _as_list(value):
    return value if isinstance(value, list) else [value]


def resource_problem(resource):
    if not isinstance(resource, str):
        return None  # an intrinsic function (Ref / Fn::Sub ...) checked after rendering
    if resource == "*":
        return "resource *"
    if "*" in resource and not any(form.match(resource) for form in SUB_RESOURCES):
        return "wildcard in resource %s" % resource
    return None


def statement_problems(statement):
    problems = []
    actions = _as_list(statement.get("Action", []))
    for action in actions:
        if not isinstance(action, str) or "*" in action:
            problems.append("wildcard action %r" % (action,))
    if "NotAction" in statement or "NotResource" in statement:
        problems.append("NotAction/NotResource")
    resources = _as_list(statement.get("Resource", []))
    if resources == ["*"] and actions and set(actions) <= RESOURCE_LEVEL_UNSUPPORTED:
        return problems
    for resource in resources:
        problem = resource_problem(resource)
        if problem:
            problems.append(problem)
    return problems


def policy_problems(document):
    """Every wildcard problem of one policy document (a dict)."""
    problems = []
    for statement in _as_list(document.get("Statement", [])):
        if statement.get("Effect") == "Allow":
            problems.extend(statement_problems(statement))
    return problems


def policies_in_template(template):
    """(where, document) for every IAM policy document in a CloudFormation template."""
    found = []
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") not in IAM_POLICY_TYPES:
            continue
        properties = resource.get("Properties", {})
        for index, policy in enumerate(properties.get("Policies", []) or []):
            found.append(("%s.Policies[%d]" % (logical_id, index), policy["PolicyDocument"]))
        if "PolicyDocument" in properties:
            found.append(("%s.PolicyDocument" % logical_id, properties["PolicyDocument"]))
    return found
