from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.audit_record_action import AuditRecordAction

if TYPE_CHECKING:
    from ..models.audit_record_details import AuditRecordDetails


T = TypeVar("T", bound="AuditRecord")


@_attrs_define
class AuditRecord:
    """
    Attributes:
        at (str): ISO-8601 UTC
        operator (str):
        action (AuditRecordAction):
        account_id (str):
        reason (None | str):
        details (AuditRecordDetails):
    """

    at: str
    operator: str
    action: AuditRecordAction
    account_id: str
    reason: None | str
    details: AuditRecordDetails
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at

        operator = self.operator

        action = self.action.value

        account_id = self.account_id

        reason: None | str
        reason = self.reason

        details = self.details.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "operator": operator,
                "action": action,
                "account_id": account_id,
                "reason": reason,
                "details": details,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_record_details import AuditRecordDetails  # noqa: PLC0415

        d = dict(src_dict)
        at = d.pop("at")

        operator = d.pop("operator")

        action = AuditRecordAction(d.pop("action"))

        account_id = d.pop("account_id")

        def _parse_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reason = _parse_reason(d.pop("reason"))

        details = AuditRecordDetails.from_dict(d.pop("details"))

        audit_record = cls(
            at=at,
            operator=operator,
            action=action,
            account_id=account_id,
            reason=reason,
            details=details,
        )

        audit_record.additional_properties = d
        return audit_record

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
