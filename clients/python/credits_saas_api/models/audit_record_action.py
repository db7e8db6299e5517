from enum import StrEnum


class AuditRecordAction(StrEnum):
    DELETE_ACCOUNT = "delete_account"
    GRANT = "grant"
    REVOKE_KEY = "revoke_key"
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    VOID = "void"

    def __str__(self) -> str:
        return str(self.value)
