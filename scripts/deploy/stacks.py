"""The CloudFormation side: templates from infra/, created or updated
idempotently, their outputs read back."""
import json
import os

import yaml

from scripts.deploy import INFRA, DeployError

TEMPLATES = ("site", "data", "backend", "monitoring")
DEFINITION_PROPERTY = ("RefillStateMachine", "DefinitionString")
NO_UPDATES = "No updates are to be performed"
WAITER = {"Delay": 5, "MaxAttempts": 360}


def template_path(name):
    return os.path.join(INFRA, "%s.yaml" % name)


def load_template(name):
    with open(template_path(name)) as handle:
        return yaml.safe_load(handle)


def backend_template(definition):
    """infra/backend.yaml with the rendered state machine definition."""
    template = load_template("backend")
    resource, prop = DEFINITION_PROPERTY
    template["Resources"][resource]["Properties"][prop] = definition
    return template


class Stacks:
    def __init__(self, cloudformation, out):
        self.cfn = cloudformation
        self.out = out

    def describe(self, name):
        try:
            return self.cfn.describe_stacks(StackName=name)["Stacks"][0]
        except self.cfn.exceptions.ClientError as error:
            if "does not exist" in str(error):
                return None
            raise

    def outputs(self, name):
        stack = self.describe(name)
        if stack is None:
            return None
        return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}

    def parameters(self, name):
        stack = self.describe(name) or {}
        return {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])}

    def deploy(self, name, template, parameters, protect=False):
        """Create or update `name`; returns its outputs. An update with
        nothing to change is not an error."""
        body = json.dumps(template)
        params = [{"ParameterKey": key, "ParameterValue": str(value)}
                  for key, value in sorted(parameters.items())]
        common = {"StackName": name, "TemplateBody": body, "Parameters": params,
                  "Capabilities": ["CAPABILITY_IAM"]}
        existing = self.describe(name)
        if existing and existing["StackStatus"] == "ROLLBACK_COMPLETE":
            raise DeployError("Stack %s failed to create and was rolled back (see its events in the "
                              "CloudFormation console); delete it, then deploy again. Retained "
                              "tables or pools stay." % name)
        if existing is None:
            self.out("  creating stack %s" % name)
            self.cfn.create_stack(EnableTerminationProtection=protect, **common)
            self._wait("stack_create_complete", name)
        else:
            try:
                self.cfn.update_stack(**common)
            except self.cfn.exceptions.ClientError as error:
                if NO_UPDATES not in str(error):
                    raise
                self.out("  stack %s is up to date" % name)
                return self.outputs(name)
            self.out("  updating stack %s" % name)
            self._wait("stack_update_complete", name)
        return self.outputs(name)

    def _wait(self, waiter, name):
        try:
            self.cfn.get_waiter(waiter).wait(StackName=name, WaiterConfig=WAITER)
        except Exception as error:  # botocore WaiterError: the stack's events say why
            raise DeployError("Stack %s did not finish (%s); CloudFormation rolled it back. Its "
                              "events in the console name the resource that failed." % (name, error))

    def delete(self, name, unprotect=False):
        if self.describe(name) is None:
            self.out("  stack %s does not exist" % name)
            return
        if unprotect:
            self.cfn.update_termination_protection(StackName=name, EnableTerminationProtection=False)
        self.out("  deleting stack %s" % name)
        self.cfn.delete_stack(StackName=name)
        self._wait("stack_delete_complete", name)
