from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AutoTopUpLastAttemptType0")


@_attrs_define
class AutoTopUpLastAttemptType0:
    """
    Attributes:
        at (str): ISO-8601 UTC
        outcome (str): pending, succeeded, declined, action_required or authentication_failed
        payment_intent (None | str):
    """

    at: str
    outcome: str
    payment_intent: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at

        outcome = self.outcome

        payment_intent: None | str
        payment_intent = self.payment_intent

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "outcome": outcome,
                "payment_intent": payment_intent,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        at = d.pop("at")

        outcome = d.pop("outcome")

        def _parse_payment_intent(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        payment_intent = _parse_payment_intent(d.pop("payment_intent"))

        auto_top_up_last_attempt_type_0 = cls(
            at=at,
            outcome=outcome,
            payment_intent=payment_intent,
        )

        auto_top_up_last_attempt_type_0.additional_properties = d
        return auto_top_up_last_attempt_type_0

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
