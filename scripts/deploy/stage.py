"""A stage's settings: backend/.chalice/config.json (what the app reads) plus
infra/stages.json (what only the deploy needs), and the two files the deploy
writes back for Chalice: the stage's environment variables and its policy."""
import json
import os
import string

from scripts.deploy import BACKEND, INFRA, DeployError

APP_NAME = "credits-saas"
STAGES_FILE = os.path.join(INFRA, "stages.json")
POLICY_TEMPLATE = os.path.join(INFRA, "lambda-policy.json")
STRIPE_KEY_PARAMETER_ENV = "STRIPE_SECRET_KEY_PARAMETER"
WEBHOOK_SECRET_PARAMETER_ENV = "STRIPE_WEBHOOK_SECRET_PARAMETER"


def read_json(path):
    with open(path) as handle:
        return json.load(handle)


def write_json(path, document):
    with open(path, "w") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")


def chalice_config_path(backend_dir):
    return os.path.join(backend_dir, ".chalice", "config.json")


class Stage:
    """`backend_dir` is the Chalice project (backend/, or a copy of it for a
    rehearsal): its .chalice/config.json is read and written."""

    def __init__(self, name, chalice_config, deploy_settings, backend_dir=BACKEND):
        self.name = name
        self.chalice_config = chalice_config
        self.settings = deploy_settings
        self.backend_dir = backend_dir

    @classmethod
    def load(cls, name, backend_dir=BACKEND):
        stages = read_json(STAGES_FILE)
        config = read_json(chalice_config_path(backend_dir))
        if name not in stages or name not in config.get("stages", {}):
            known = sorted(set(stages) & set(config.get("stages", {})))
            raise DeployError("Unknown stage %r: known stages are %s (infra/stages.json and "
                              "backend/.chalice/config.json)." % (name, ", ".join(known)))
        return cls(name, config, stages[name], backend_dir)

    @property
    def environment(self):
        """The app's environment on this stage, as Chalice computes it."""
        variables = dict(self.chalice_config.get("environment_variables", {}))
        variables.update(self.chalice_config["stages"][self.name].get("environment_variables", {}))
        return variables

    @property
    def region(self):
        return self.environment.get("REGION") or os.environ.get("AWS_REGION") or \
            os.environ.get("AWS_DEFAULT_REGION")

    def stack_name(self, part):
        return "%s-%s-%s" % (APP_NAME, self.name, part)

    def parameter_name(self, secret):
        """SSM names of the stage's secrets: stripe-secret-key, stripe-webhook-secret."""
        return "/%s/%s/%s" % (APP_NAME, self.name, secret)

    @property
    def stripe_key_parameter(self):
        return self.parameter_name("stripe-secret-key")

    @property
    def webhook_secret_parameter(self):
        return self.parameter_name("stripe-webhook-secret")

    @property
    def post_confirmation_function(self):
        return "%s-%s-post_confirmation" % (APP_NAME, self.name)

    def deployed(self):
        """What `chalice deploy` recorded for this stage (.chalice/deployed/<stage>.json)."""
        path = os.path.join(self.backend_dir, ".chalice", "deployed", "%s.json" % self.name)
        if not os.path.exists(path):
            return {}
        return {resource["name"]: resource for resource in read_json(path).get("resources", [])}

    @property
    def function_timeout_seconds(self):
        """The functions' timeout (Chalice's `lambda_timeout`, 60 s by default)."""
        stage = self.chalice_config["stages"][self.name]
        return int(stage.get("lambda_timeout", self.chalice_config.get("lambda_timeout", 60)))

    @property
    def xray_enabled(self):
        """Chalice's `xray` setting (the stage's, else the top level's): active
        tracing on the functions, and on the API stage (api.tracing_operations)."""
        stage = self.chalice_config["stages"][self.name]
        return bool(stage.get("xray", self.chalice_config.get("xray", False)))

    @property
    def email_sender(self):
        """The From of the stage's emails: EMAIL_SENDER, else infra/stages.json `email_sender`."""
        return os.environ.get("EMAIL_SENDER") or self.settings.get("email_sender") or ""

    @property
    def email_identity(self):
        """The SES identity to verify: infra/stages.json `email_identity` (a
        domain, say), else the sender's own address."""
        from email.utils import parseaddr

        return self.settings.get("email_identity") or parseaddr(self.email_sender)[1]

    @property
    def policy_file(self):
        return "policy-%s.json" % self.name

    def record(self, variables):
        """Write the resources' outputs into the stage's environment variables
        (the Chalice workshop's pattern), and the stage's IAM settings."""
        config = read_json(chalice_config_path(self.backend_dir))
        stage = config["stages"][self.name]
        stage.setdefault("environment_variables", {}).update(variables)
        stage["autogen_policy"] = False
        stage["iam_policy_file"] = self.policy_file
        write_json(chalice_config_path(self.backend_dir), config)
        self.chalice_config = config

    def write_policy(self, values):
        """The functions' policy: infra/lambda-policy.json with this stage's ARNs."""
        document = render_policy(values)
        write_json(os.path.join(self.backend_dir, ".chalice", self.policy_file), document)
        return document


def render_policy(values, path=POLICY_TEMPLATE):
    with open(path) as handle:
        text = string.Template(handle.read()).substitute(values)
    return json.loads(text)
