from enum import StrEnum


class PostAdminAccountsAccountIdCreditsBodyBucket(StrEnum):
    PLAN = "plan"
    PURCHASED = "purchased"

    def __str__(self) -> str:
        return str(self.value)
