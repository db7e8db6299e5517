from enum import StrEnum


class TaxBehaviorType0(StrEnum):
    EXCLUSIVE = "exclusive"
    INCLUSIVE = "inclusive"

    def __str__(self) -> str:
        return str(self.value)
