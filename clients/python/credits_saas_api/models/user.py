from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.org import Org
    from ..models.subscription import Subscription


T = TypeVar("T", bound="User")


@_attrs_define
class User:
    """
    Attributes:
        id (str):
        email (None | str):
        plan (str):
        credits_ (int): Below zero when the account owes credits (a refund or dispute took back credits already spent).
        plan_credits (int): Below zero when the account owes credits (a refund or dispute took back credits already
            spent).
        purchased_credits (int):
        subscription (None | Subscription):
        owed_credits (int | Unset):
        next_reset_at (None | str | Unset):
        org (Org | Unset):
    """

    id: str
    email: None | str
    plan: str
    credits_: int
    plan_credits: int
    purchased_credits: int
    subscription: None | Subscription
    owed_credits: int | Unset = UNSET
    next_reset_at: None | str | Unset = UNSET
    org: Org | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.subscription import Subscription  # noqa: PLC0415

        id = self.id

        email: None | str
        email = self.email

        plan = self.plan

        credits_ = self.credits_

        plan_credits = self.plan_credits

        purchased_credits = self.purchased_credits

        subscription: dict[str, Any] | None
        if isinstance(self.subscription, Subscription):
            subscription = self.subscription.to_dict()
        else:
            subscription = self.subscription

        owed_credits = self.owed_credits

        next_reset_at: None | str | Unset
        if isinstance(self.next_reset_at, Unset):
            next_reset_at = UNSET
        else:
            next_reset_at = self.next_reset_at

        org: dict[str, Any] | Unset = UNSET
        if not isinstance(self.org, Unset):
            org = self.org.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "email": email,
                "plan": plan,
                "credits": credits_,
                "plan_credits": plan_credits,
                "purchased_credits": purchased_credits,
                "subscription": subscription,
            }
        )
        if owed_credits is not UNSET:
            field_dict["owed_credits"] = owed_credits
        if next_reset_at is not UNSET:
            field_dict["next_reset_at"] = next_reset_at
        if org is not UNSET:
            field_dict["org"] = org

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.org import Org  # noqa: PLC0415
        from ..models.subscription import Subscription  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        def _parse_email(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        email = _parse_email(d.pop("email"))

        plan = d.pop("plan")

        credits_ = d.pop("credits")

        plan_credits = d.pop("plan_credits")

        purchased_credits = d.pop("purchased_credits")

        def _parse_subscription(data: object) -> None | Subscription:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                subscription_type_0 = Subscription.from_dict(data)

                return subscription_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Subscription, data)

        subscription = _parse_subscription(d.pop("subscription"))

        owed_credits = d.pop("owed_credits", UNSET)

        def _parse_next_reset_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        next_reset_at = _parse_next_reset_at(d.pop("next_reset_at", UNSET))

        _org = d.pop("org", UNSET)
        org: Org | Unset
        if isinstance(_org, Unset):
            org = UNSET
        else:
            org = Org.from_dict(_org)

        user = cls(
            id=id,
            email=email,
            plan=plan,
            credits_=credits_,
            plan_credits=plan_credits,
            purchased_credits=purchased_credits,
            subscription=subscription,
            owed_credits=owed_credits,
            next_reset_at=next_reset_at,
            org=org,
        )

        user.additional_properties = d
        return user

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
