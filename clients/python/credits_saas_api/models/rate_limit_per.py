from enum import StrEnum


class RateLimitPer(StrEnum):
    MINUTE = "minute"
    SECOND = "second"

    def __str__(self) -> str:
        return str(self.value)
