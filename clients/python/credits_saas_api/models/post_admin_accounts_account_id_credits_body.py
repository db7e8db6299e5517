from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.post_admin_accounts_account_id_credits_body_bucket import (
    PostAdminAccountsAccountIdCreditsBodyBucket,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="PostAdminAccountsAccountIdCreditsBody")


@_attrs_define
class PostAdminAccountsAccountIdCreditsBody:
    """
    Attributes:
        credits_ (int):
        reason (str): Why, for the record (3-200 characters, spaces around them aside).
        bucket (PostAdminAccountsAccountIdCreditsBodyBucket | Unset):  Default:
            PostAdminAccountsAccountIdCreditsBodyBucket.PURCHASED.
        allow_negative (bool | Unset):  Default: False.
    """

    credits_: int
    reason: str
    bucket: PostAdminAccountsAccountIdCreditsBodyBucket | Unset = (
        PostAdminAccountsAccountIdCreditsBodyBucket.PURCHASED
    )
    allow_negative: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        credits_ = self.credits_

        reason = self.reason

        bucket: str | Unset = UNSET
        if not isinstance(self.bucket, Unset):
            bucket = self.bucket.value

        allow_negative = self.allow_negative

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "credits": credits_,
                "reason": reason,
            }
        )
        if bucket is not UNSET:
            field_dict["bucket"] = bucket
        if allow_negative is not UNSET:
            field_dict["allow_negative"] = allow_negative

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        credits_ = d.pop("credits")

        reason = d.pop("reason")

        _bucket = d.pop("bucket", UNSET)
        bucket: PostAdminAccountsAccountIdCreditsBodyBucket | Unset
        if isinstance(_bucket, Unset):
            bucket = UNSET
        else:
            bucket = PostAdminAccountsAccountIdCreditsBodyBucket(_bucket)

        allow_negative = d.pop("allow_negative", UNSET)

        post_admin_accounts_account_id_credits_body = cls(
            credits_=credits_,
            reason=reason,
            bucket=bucket,
            allow_negative=allow_negative,
        )

        post_admin_accounts_account_id_credits_body.additional_properties = d
        return post_admin_accounts_account_id_credits_body

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
