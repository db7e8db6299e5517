from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.summary_accounts_by_plan import SummaryAccountsByPlan
    from ..models.summary_credits_spent import SummaryCreditsSpent
    from ..models.summary_daily_item import SummaryDailyItem
    from ..models.summary_last_30_days import SummaryLast30Days
    from ..models.summary_mrr_item import SummaryMrrItem
    from ..models.summary_subscriptions import SummarySubscriptions


T = TypeVar("T", bound="Summary")


@_attrs_define
class Summary:
    """
    Attributes:
        computed_at (str): ISO-8601 UTC
        accounts (int):
        accounts_by_plan (SummaryAccountsByPlan):
        subscriptions (SummarySubscriptions):
        mrr (list[SummaryMrrItem]):
        credits_spent (SummaryCreditsSpent):
        daily (list[SummaryDailyItem]):
        last_30_days (SummaryLast30Days):
        team_organisations (int | Unset): Team organisations not deleted (chalicelib.orgs).
    """

    computed_at: str
    accounts: int
    accounts_by_plan: SummaryAccountsByPlan
    subscriptions: SummarySubscriptions
    mrr: list[SummaryMrrItem]
    credits_spent: SummaryCreditsSpent
    daily: list[SummaryDailyItem]
    last_30_days: SummaryLast30Days
    team_organisations: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        computed_at = self.computed_at

        accounts = self.accounts

        accounts_by_plan = self.accounts_by_plan.to_dict()

        subscriptions = self.subscriptions.to_dict()

        mrr = []
        for mrr_item_data in self.mrr:
            mrr_item = mrr_item_data.to_dict()
            mrr.append(mrr_item)

        credits_spent = self.credits_spent.to_dict()

        daily = []
        for daily_item_data in self.daily:
            daily_item = daily_item_data.to_dict()
            daily.append(daily_item)

        last_30_days = self.last_30_days.to_dict()

        team_organisations = self.team_organisations

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "computed_at": computed_at,
                "accounts": accounts,
                "accounts_by_plan": accounts_by_plan,
                "subscriptions": subscriptions,
                "mrr": mrr,
                "credits_spent": credits_spent,
                "daily": daily,
                "last_30_days": last_30_days,
            }
        )
        if team_organisations is not UNSET:
            field_dict["team_organisations"] = team_organisations

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.summary_accounts_by_plan import SummaryAccountsByPlan  # noqa: PLC0415
        from ..models.summary_credits_spent import SummaryCreditsSpent  # noqa: PLC0415
        from ..models.summary_daily_item import SummaryDailyItem  # noqa: PLC0415
        from ..models.summary_last_30_days import SummaryLast30Days  # noqa: PLC0415
        from ..models.summary_mrr_item import SummaryMrrItem  # noqa: PLC0415
        from ..models.summary_subscriptions import SummarySubscriptions  # noqa: PLC0415

        d = dict(src_dict)
        computed_at = d.pop("computed_at")

        accounts = d.pop("accounts")

        accounts_by_plan = SummaryAccountsByPlan.from_dict(d.pop("accounts_by_plan"))

        subscriptions = SummarySubscriptions.from_dict(d.pop("subscriptions"))

        mrr = []
        _mrr = d.pop("mrr")
        for mrr_item_data in _mrr:
            mrr_item = SummaryMrrItem.from_dict(mrr_item_data)

            mrr.append(mrr_item)

        credits_spent = SummaryCreditsSpent.from_dict(d.pop("credits_spent"))

        daily = []
        _daily = d.pop("daily")
        for daily_item_data in _daily:
            daily_item = SummaryDailyItem.from_dict(daily_item_data)

            daily.append(daily_item)

        last_30_days = SummaryLast30Days.from_dict(d.pop("last_30_days"))

        team_organisations = d.pop("team_organisations", UNSET)

        summary = cls(
            computed_at=computed_at,
            accounts=accounts,
            accounts_by_plan=accounts_by_plan,
            subscriptions=subscriptions,
            mrr=mrr,
            credits_spent=credits_spent,
            daily=daily,
            last_30_days=last_30_days,
            team_organisations=team_organisations,
        )

        summary.additional_properties = d
        return summary

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
