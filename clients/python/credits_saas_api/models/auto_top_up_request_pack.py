from enum import StrEnum


class AutoTopUpRequestPack(StrEnum):
    BASIC = "Basic"
    POWER = "Power"

    def __str__(self) -> str:
        return str(self.value)
