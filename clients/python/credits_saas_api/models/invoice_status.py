from enum import StrEnum


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    UNCOLLECTIBLE = "uncollectible"

    def __str__(self) -> str:
        return str(self.value)
