from enum import StrEnum


class AutoTopUpPack(StrEnum):
    BASIC = "Basic"
    POWER = "Power"

    def __str__(self) -> str:
        return str(self.value)
