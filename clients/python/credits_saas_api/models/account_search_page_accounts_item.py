from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.account_search_page_accounts_item_member_of_item import (
        AccountSearchPageAccountsItemMemberOfItem,
    )


T = TypeVar("T", bound="AccountSearchPageAccountsItem")


@_attrs_define
class AccountSearchPageAccountsItem:
    """
    Attributes:
        id (str):
        email (None | str):
        plan (str):
        credits_ (int):
        created_at (str):
        stripe_customer_id (None | str):
        suspended (bool):
        org_name (None | str | Unset):
        member_of (list[AccountSearchPageAccountsItemMemberOfItem] | Unset): A person's team organisations (id, name,
            role).
    """

    id: str
    email: None | str
    plan: str
    credits_: int
    created_at: str
    stripe_customer_id: None | str
    suspended: bool
    org_name: None | str | Unset = UNSET
    member_of: list[AccountSearchPageAccountsItemMemberOfItem] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        email: None | str
        email = self.email

        plan = self.plan

        credits_ = self.credits_

        created_at = self.created_at

        stripe_customer_id: None | str
        stripe_customer_id = self.stripe_customer_id

        suspended = self.suspended

        org_name: None | str | Unset
        if isinstance(self.org_name, Unset):
            org_name = UNSET
        else:
            org_name = self.org_name

        member_of: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.member_of, Unset):
            member_of = []
            for member_of_item_data in self.member_of:
                member_of_item = member_of_item_data.to_dict()
                member_of.append(member_of_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "email": email,
                "plan": plan,
                "credits": credits_,
                "created_at": created_at,
                "stripe_customer_id": stripe_customer_id,
                "suspended": suspended,
            }
        )
        if org_name is not UNSET:
            field_dict["org_name"] = org_name
        if member_of is not UNSET:
            field_dict["member_of"] = member_of

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.account_search_page_accounts_item_member_of_item import (
            AccountSearchPageAccountsItemMemberOfItem,  # noqa: PLC0415
        )

        d = dict(src_dict)
        id = d.pop("id")

        def _parse_email(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        email = _parse_email(d.pop("email"))

        plan = d.pop("plan")

        credits_ = d.pop("credits")

        created_at = d.pop("created_at")

        def _parse_stripe_customer_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        stripe_customer_id = _parse_stripe_customer_id(d.pop("stripe_customer_id"))

        suspended = d.pop("suspended")

        def _parse_org_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        org_name = _parse_org_name(d.pop("org_name", UNSET))

        _member_of = d.pop("member_of", UNSET)
        member_of: list[AccountSearchPageAccountsItemMemberOfItem] | Unset = UNSET
        if _member_of is not UNSET:
            member_of = []
            for member_of_item_data in _member_of:
                member_of_item = AccountSearchPageAccountsItemMemberOfItem.from_dict(
                    member_of_item_data
                )

                member_of.append(member_of_item)

        account_search_page_accounts_item = cls(
            id=id,
            email=email,
            plan=plan,
            credits_=credits_,
            created_at=created_at,
            stripe_customer_id=stripe_customer_id,
            suspended=suspended,
            org_name=org_name,
            member_of=member_of,
        )

        account_search_page_accounts_item.additional_properties = d
        return account_search_page_accounts_item

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
