from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="LedgerEntry")


@_attrs_define
class LedgerEntry:
    """
    Attributes:
        at (str): ISO-8601 UTC
        kind (str): signup, refill, purchase, plan, free, refund, refund_reversed, dispute, dispute_reinstated,
            payment_failed, top_up or adjustment
        credits_ (int):
        description (str):
        reference (str): The Stripe Checkout Session, invoice, subscription, payment intent, refund or dispute id, or
            the entry's own id.
    """

    at: str
    kind: str
    credits_: int
    description: str
    reference: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at

        kind = self.kind

        credits_ = self.credits_

        description = self.description

        reference = self.reference

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "kind": kind,
                "credits": credits_,
                "description": description,
                "reference": reference,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        at = d.pop("at")

        kind = d.pop("kind")

        credits_ = d.pop("credits")

        description = d.pop("description")

        reference = d.pop("reference")

        ledger_entry = cls(
            at=at,
            kind=kind,
            credits_=credits_,
            description=description,
            reference=reference,
        )

        ledger_entry.additional_properties = d
        return ledger_entry

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
