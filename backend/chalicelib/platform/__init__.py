"""Platform: what every domain stands on and none owns — stage settings read
from the environment (`settings`) and the stage's secrets (`secrets`), the
DynamoDB tables as PynamoDB models and the few low-level helpers for
conditional writes and transactions (`models`, `db`), time (`clock`), the
error catalogue every route answers with (`errors`), structured logs and
business metrics through Powertools for AWS Lambda (`logs`, `metrics`), and
numbers in query strings (`query_params`). Nothing here imports a domain
package.

Here too: `once`, with which each domain package builds its services on
first use and keeps them for the life of the Lambda instance. A service
function imports the heavy module it needs (pynamodb, stripe, boto3) when a
handler first asks for it, so a cold start pays only for what the invoked
route uses. Tests build fresh services between stacks (`reset_services`)
and may hand one in (`use`)."""
import functools

_built = []


class once:
    """The decorated function's result, computed on the first call and kept."""

    def __init__(self, build):
        functools.update_wrapper(self, build)
        self._build = build
        self._has_value = False
        self._value = None

    def __call__(self):
        if not self._has_value:
            self._value = self._build()
            self._has_value = True
            _built.append(self)
        return self._value

    def use(self, value):
        """Use `value` until the next reset (tests)."""
        self._value = value
        self._has_value = True
        _built.append(self)

    def reset(self):
        self._value = None
        self._has_value = False


def reset_services():
    """Forget every built service (tests change settings between stacks)."""
    while _built:
        _built.pop().reset()
