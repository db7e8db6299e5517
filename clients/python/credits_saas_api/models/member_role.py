from enum import StrEnum


class MemberRole(StrEnum):
    ADMIN = "admin"
    BILLING = "billing"
    DEVELOPER = "developer"
    OWNER = "owner"

    def __str__(self) -> str:
        return str(self.value)
