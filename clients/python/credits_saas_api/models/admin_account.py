from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.admin_account_organisation import AdminAccountOrganisation
    from ..models.admin_account_usage_item import AdminAccountUsageItem
    from ..models.alerts import Alerts
    from ..models.api_key import ApiKey
    from ..models.auto_top_up import AutoTopUp
    from ..models.ledger_page import LedgerPage
    from ..models.org import Org
    from ..models.subscription import Subscription
    from ..models.suspension import Suspension


T = TypeVar("T", bound="AdminAccount")


@_attrs_define
class AdminAccount:
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
        created_at (str):
        api_keys (list[ApiKey]):
        stripe_customer_id (None | str):
        stripe_dashboard_url (None | str):
        suspension (None | Suspension):
        usage (list[AdminAccountUsageItem]):
        ledger (LedgerPage):
        owed_credits (int | Unset):
        next_reset_at (None | str | Unset):
        org (Org | Unset):
        auto_top_up (AutoTopUp | Unset):
        low_balance_alert (Alerts | Unset):
        organisation (AdminAccountOrganisation | Unset): A team organisation's members and pending invitations; for a
            person, the team organisations they are a member of.
    """

    id: str
    email: None | str
    plan: str
    credits_: int
    plan_credits: int
    purchased_credits: int
    subscription: None | Subscription
    created_at: str
    api_keys: list[ApiKey]
    stripe_customer_id: None | str
    stripe_dashboard_url: None | str
    suspension: None | Suspension
    usage: list[AdminAccountUsageItem]
    ledger: LedgerPage
    owed_credits: int | Unset = UNSET
    next_reset_at: None | str | Unset = UNSET
    org: Org | Unset = UNSET
    auto_top_up: AutoTopUp | Unset = UNSET
    low_balance_alert: Alerts | Unset = UNSET
    organisation: AdminAccountOrganisation | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.subscription import Subscription  # noqa: PLC0415
        from ..models.suspension import Suspension  # noqa: PLC0415

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

        created_at = self.created_at

        api_keys = []
        for api_keys_item_data in self.api_keys:
            api_keys_item = api_keys_item_data.to_dict()
            api_keys.append(api_keys_item)

        stripe_customer_id: None | str
        stripe_customer_id = self.stripe_customer_id

        stripe_dashboard_url: None | str
        stripe_dashboard_url = self.stripe_dashboard_url

        suspension: dict[str, Any] | None
        if isinstance(self.suspension, Suspension):
            suspension = self.suspension.to_dict()
        else:
            suspension = self.suspension

        usage = []
        for usage_item_data in self.usage:
            usage_item = usage_item_data.to_dict()
            usage.append(usage_item)

        ledger = self.ledger.to_dict()

        owed_credits = self.owed_credits

        next_reset_at: None | str | Unset
        if isinstance(self.next_reset_at, Unset):
            next_reset_at = UNSET
        else:
            next_reset_at = self.next_reset_at

        org: dict[str, Any] | Unset = UNSET
        if not isinstance(self.org, Unset):
            org = self.org.to_dict()

        auto_top_up: dict[str, Any] | Unset = UNSET
        if not isinstance(self.auto_top_up, Unset):
            auto_top_up = self.auto_top_up.to_dict()

        low_balance_alert: dict[str, Any] | Unset = UNSET
        if not isinstance(self.low_balance_alert, Unset):
            low_balance_alert = self.low_balance_alert.to_dict()

        organisation: dict[str, Any] | Unset = UNSET
        if not isinstance(self.organisation, Unset):
            organisation = self.organisation.to_dict()

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
                "created_at": created_at,
                "api_keys": api_keys,
                "stripe_customer_id": stripe_customer_id,
                "stripe_dashboard_url": stripe_dashboard_url,
                "suspension": suspension,
                "usage": usage,
                "ledger": ledger,
            }
        )
        if owed_credits is not UNSET:
            field_dict["owed_credits"] = owed_credits
        if next_reset_at is not UNSET:
            field_dict["next_reset_at"] = next_reset_at
        if org is not UNSET:
            field_dict["org"] = org
        if auto_top_up is not UNSET:
            field_dict["auto_top_up"] = auto_top_up
        if low_balance_alert is not UNSET:
            field_dict["low_balance_alert"] = low_balance_alert
        if organisation is not UNSET:
            field_dict["organisation"] = organisation

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.admin_account_organisation import AdminAccountOrganisation  # noqa: PLC0415
        from ..models.admin_account_usage_item import AdminAccountUsageItem  # noqa: PLC0415
        from ..models.alerts import Alerts  # noqa: PLC0415
        from ..models.api_key import ApiKey  # noqa: PLC0415
        from ..models.auto_top_up import AutoTopUp  # noqa: PLC0415
        from ..models.ledger_page import LedgerPage  # noqa: PLC0415
        from ..models.org import Org  # noqa: PLC0415
        from ..models.subscription import Subscription  # noqa: PLC0415
        from ..models.suspension import Suspension  # noqa: PLC0415

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

        created_at = d.pop("created_at")

        api_keys = []
        _api_keys = d.pop("api_keys")
        for api_keys_item_data in _api_keys:
            api_keys_item = ApiKey.from_dict(api_keys_item_data)

            api_keys.append(api_keys_item)

        def _parse_stripe_customer_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        stripe_customer_id = _parse_stripe_customer_id(d.pop("stripe_customer_id"))

        def _parse_stripe_dashboard_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        stripe_dashboard_url = _parse_stripe_dashboard_url(
            d.pop("stripe_dashboard_url")
        )

        def _parse_suspension(data: object) -> None | Suspension:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                suspension_type_0 = Suspension.from_dict(data)

                return suspension_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Suspension, data)

        suspension = _parse_suspension(d.pop("suspension"))

        usage = []
        _usage = d.pop("usage")
        for usage_item_data in _usage:
            usage_item = AdminAccountUsageItem.from_dict(usage_item_data)

            usage.append(usage_item)

        ledger = LedgerPage.from_dict(d.pop("ledger"))

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

        _auto_top_up = d.pop("auto_top_up", UNSET)
        auto_top_up: AutoTopUp | Unset
        if isinstance(_auto_top_up, Unset):
            auto_top_up = UNSET
        else:
            auto_top_up = AutoTopUp.from_dict(_auto_top_up)

        _low_balance_alert = d.pop("low_balance_alert", UNSET)
        low_balance_alert: Alerts | Unset
        if isinstance(_low_balance_alert, Unset):
            low_balance_alert = UNSET
        else:
            low_balance_alert = Alerts.from_dict(_low_balance_alert)

        _organisation = d.pop("organisation", UNSET)
        organisation: AdminAccountOrganisation | Unset
        if isinstance(_organisation, Unset):
            organisation = UNSET
        else:
            organisation = AdminAccountOrganisation.from_dict(_organisation)

        admin_account = cls(
            id=id,
            email=email,
            plan=plan,
            credits_=credits_,
            plan_credits=plan_credits,
            purchased_credits=purchased_credits,
            subscription=subscription,
            created_at=created_at,
            api_keys=api_keys,
            stripe_customer_id=stripe_customer_id,
            stripe_dashboard_url=stripe_dashboard_url,
            suspension=suspension,
            usage=usage,
            ledger=ledger,
            owed_credits=owed_credits,
            next_reset_at=next_reset_at,
            org=org,
            auto_top_up=auto_top_up,
            low_balance_alert=low_balance_alert,
            organisation=organisation,
        )

        admin_account.additional_properties = d
        return admin_account

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
