from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.adjustment_balances import AdjustmentBalances
    from ..models.ledger_entry import LedgerEntry


T = TypeVar("T", bound="Adjustment")


@_attrs_define
class Adjustment:
    """
    Attributes:
        applied (bool):
        entry (LedgerEntry):
        balances (AdjustmentBalances):
    """

    applied: bool
    entry: LedgerEntry
    balances: AdjustmentBalances
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        applied = self.applied

        entry = self.entry.to_dict()

        balances = self.balances.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "applied": applied,
                "entry": entry,
                "balances": balances,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.adjustment_balances import AdjustmentBalances  # noqa: PLC0415
        from ..models.ledger_entry import LedgerEntry  # noqa: PLC0415

        d = dict(src_dict)
        applied = d.pop("applied")

        entry = LedgerEntry.from_dict(d.pop("entry"))

        balances = AdjustmentBalances.from_dict(d.pop("balances"))

        adjustment = cls(
            applied=applied,
            entry=entry,
            balances=balances,
        )

        adjustment.additional_properties = d
        return adjustment

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
