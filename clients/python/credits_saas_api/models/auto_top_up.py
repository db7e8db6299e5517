from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.auto_top_up_pack import AutoTopUpPack
from ..models.auto_top_up_status import AutoTopUpStatus

if TYPE_CHECKING:
    from ..models.auto_top_up_last_attempt_type_0 import AutoTopUpLastAttemptType0
    from ..models.auto_top_up_payment_method_type_0 import AutoTopUpPaymentMethodType0


T = TypeVar("T", bound="AutoTopUp")


@_attrs_define
class AutoTopUp:
    """
    Attributes:
        status (AutoTopUpStatus):
        action_url (None | str):
        this_month (int):
        last_attempt (AutoTopUpLastAttemptType0 | None):
        payment_method (AutoTopUpPaymentMethodType0 | None):
        enabled (bool):
        threshold (int):
        pack (AutoTopUpPack):
        monthly_limit (int):
    """

    status: AutoTopUpStatus
    action_url: None | str
    this_month: int
    last_attempt: AutoTopUpLastAttemptType0 | None
    payment_method: AutoTopUpPaymentMethodType0 | None
    enabled: bool
    threshold: int
    pack: AutoTopUpPack
    monthly_limit: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.auto_top_up_last_attempt_type_0 import AutoTopUpLastAttemptType0  # noqa: PLC0415
        from ..models.auto_top_up_payment_method_type_0 import (
            AutoTopUpPaymentMethodType0,  # noqa: PLC0415
        )

        status = self.status.value

        action_url: None | str
        action_url = self.action_url

        this_month = self.this_month

        last_attempt: dict[str, Any] | None
        if isinstance(self.last_attempt, AutoTopUpLastAttemptType0):
            last_attempt = self.last_attempt.to_dict()
        else:
            last_attempt = self.last_attempt

        payment_method: dict[str, Any] | None
        if isinstance(self.payment_method, AutoTopUpPaymentMethodType0):
            payment_method = self.payment_method.to_dict()
        else:
            payment_method = self.payment_method

        enabled = self.enabled

        threshold = self.threshold

        pack = self.pack.value

        monthly_limit = self.monthly_limit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
                "action_url": action_url,
                "this_month": this_month,
                "last_attempt": last_attempt,
                "payment_method": payment_method,
                "enabled": enabled,
                "threshold": threshold,
                "pack": pack,
                "monthly_limit": monthly_limit,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.auto_top_up_last_attempt_type_0 import AutoTopUpLastAttemptType0  # noqa: PLC0415
        from ..models.auto_top_up_payment_method_type_0 import (
            AutoTopUpPaymentMethodType0,  # noqa: PLC0415
        )

        d = dict(src_dict)
        status = AutoTopUpStatus(d.pop("status"))

        def _parse_action_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        action_url = _parse_action_url(d.pop("action_url"))

        this_month = d.pop("this_month")

        def _parse_last_attempt(data: object) -> AutoTopUpLastAttemptType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                last_attempt_type_0 = AutoTopUpLastAttemptType0.from_dict(data)

                return last_attempt_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AutoTopUpLastAttemptType0 | None, data)

        last_attempt = _parse_last_attempt(d.pop("last_attempt"))

        def _parse_payment_method(data: object) -> AutoTopUpPaymentMethodType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                payment_method_type_0 = AutoTopUpPaymentMethodType0.from_dict(data)

                return payment_method_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AutoTopUpPaymentMethodType0 | None, data)

        payment_method = _parse_payment_method(d.pop("payment_method"))

        enabled = d.pop("enabled")

        threshold = d.pop("threshold")

        pack = AutoTopUpPack(d.pop("pack"))

        monthly_limit = d.pop("monthly_limit")

        auto_top_up = cls(
            status=status,
            action_url=action_url,
            this_month=this_month,
            last_attempt=last_attempt,
            payment_method=payment_method,
            enabled=enabled,
            threshold=threshold,
            pack=pack,
            monthly_limit=monthly_limit,
        )

        auto_top_up.additional_properties = d
        return auto_top_up

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
