from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.subscription_scheduled_change_type_0 import (
        SubscriptionScheduledChangeType0,
    )


T = TypeVar("T", bound="Subscription")


@_attrs_define
class Subscription:
    """
    Attributes:
        id (str):
        plan (str):
        status (str):
        current_period_end (int | None):
        cancel_at_period_end (bool):
        action_url (None | str | Unset):
        scheduled_change (None | SubscriptionScheduledChangeType0 | Unset):
    """

    id: str
    plan: str
    status: str
    current_period_end: int | None
    cancel_at_period_end: bool
    action_url: None | str | Unset = UNSET
    scheduled_change: None | SubscriptionScheduledChangeType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.subscription_scheduled_change_type_0 import (
            SubscriptionScheduledChangeType0,  # noqa: PLC0415
        )

        id = self.id

        plan = self.plan

        status = self.status

        current_period_end: int | None
        current_period_end = self.current_period_end

        cancel_at_period_end = self.cancel_at_period_end

        action_url: None | str | Unset
        if isinstance(self.action_url, Unset):
            action_url = UNSET
        else:
            action_url = self.action_url

        scheduled_change: dict[str, Any] | None | Unset
        if isinstance(self.scheduled_change, Unset):
            scheduled_change = UNSET
        elif isinstance(self.scheduled_change, SubscriptionScheduledChangeType0):
            scheduled_change = self.scheduled_change.to_dict()
        else:
            scheduled_change = self.scheduled_change

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "plan": plan,
                "status": status,
                "current_period_end": current_period_end,
                "cancel_at_period_end": cancel_at_period_end,
            }
        )
        if action_url is not UNSET:
            field_dict["action_url"] = action_url
        if scheduled_change is not UNSET:
            field_dict["scheduled_change"] = scheduled_change

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.subscription_scheduled_change_type_0 import (
            SubscriptionScheduledChangeType0,  # noqa: PLC0415
        )

        d = dict(src_dict)
        id = d.pop("id")

        plan = d.pop("plan")

        status = d.pop("status")

        def _parse_current_period_end(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        current_period_end = _parse_current_period_end(d.pop("current_period_end"))

        cancel_at_period_end = d.pop("cancel_at_period_end")

        def _parse_action_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        action_url = _parse_action_url(d.pop("action_url", UNSET))

        def _parse_scheduled_change(
            data: object,
        ) -> None | SubscriptionScheduledChangeType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                scheduled_change_type_0 = SubscriptionScheduledChangeType0.from_dict(
                    data
                )

                return scheduled_change_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SubscriptionScheduledChangeType0 | Unset, data)

        scheduled_change = _parse_scheduled_change(d.pop("scheduled_change", UNSET))

        subscription = cls(
            id=id,
            plan=plan,
            status=status,
            current_period_end=current_period_end,
            cancel_at_period_end=cancel_at_period_end,
            action_url=action_url,
            scheduled_change=scheduled_change,
        )

        subscription.additional_properties = d
        return subscription

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
