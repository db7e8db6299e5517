from enum import StrEnum


class AutoTopUpStatus(StrEnum):
    ACTIVE = "active"
    LIMIT_REACHED = "limit_reached"
    OFF = "off"
    OFF_FAILURES = "off_failures"
    PAUSED_ACTION_REQUIRED = "paused_action_required"

    def __str__(self) -> str:
        return str(self.value)
