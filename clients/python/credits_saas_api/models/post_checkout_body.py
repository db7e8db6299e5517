from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.post_checkout_body_plan import PostCheckoutBodyPlan
from ..types import UNSET, Unset

T = TypeVar("T", bound="PostCheckoutBody")


@_attrs_define
class PostCheckoutBody:
    """
    Attributes:
        plan (PostCheckoutBodyPlan): A plan on sale (`GET /plans`).
        subscribe (bool):
        save_card (bool | Unset): A pack's card is kept for automatic top-up (off-session use). Default: False.
    """

    plan: PostCheckoutBodyPlan
    subscribe: bool
    save_card: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        plan = self.plan.value

        subscribe = self.subscribe

        save_card = self.save_card

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "plan": plan,
                "subscribe": subscribe,
            }
        )
        if save_card is not UNSET:
            field_dict["save_card"] = save_card

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        plan = PostCheckoutBodyPlan(d.pop("plan"))

        subscribe = d.pop("subscribe")

        save_card = d.pop("save_card", UNSET)

        post_checkout_body = cls(
            plan=plan,
            subscribe=subscribe,
            save_card=save_card,
        )

        post_checkout_body.additional_properties = d
        return post_checkout_body

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
