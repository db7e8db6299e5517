from enum import StrEnum


class InvitationRole(StrEnum):
    ADMIN = "admin"
    BILLING = "billing"
    DEVELOPER = "developer"

    def __str__(self) -> str:
        return str(self.value)
