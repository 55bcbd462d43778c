"""Alert rules: conditions the hub watches, raised as alert events and sent to a webhook.

Each rule has a `name` (unique: it keys the alerts it raises), a `kind` and that kind's
parameters, and a `severity`. The evaluator (`crossdock.hub.alerts`) checks every rule each
``interval_seconds`` in the one hub process holding its lease; an alert opens once per (rule,
subject) while the condition holds and clears when it ends.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr, model_validator

#: The KPIs `compute_kpis` returns (`crossdock.hub.kpis`; a test keeps the two in step).
KPI_NAMES = (
    "po_delivery_latency",
    "po_acknowledgment_latency",
    "asn_delivery_latency",
    "asn_receipt_latency",
    "receipt_posting_time",
    "inventory_sync_lag",
    "shipment_event_completeness",
    "pod_update_speed",
    "invoice_match_cycle_time",
    "integration_failure_rate",
    "unrouted_messages",
    "replay_volume",
    "exceptions_raised",
    "onboarding_duration",
)

Severity = Literal["info", "warning", "critical"]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_.-]+$")
    severity: Severity = "warning"


class KpiSlaRule(_Rule):
    """A KPI over its SLA: `statistic` of `kpi` over the trailing window above `max`."""

    kind: Literal["kpi_sla"]
    kpi: str
    statistic: Literal["median_s", "p95_s", "max_s", "ratio"] = "p95_s"
    max: float = Field(ge=0, description="the SLA target: seconds, or a ratio for `ratio`")
    window_minutes: float = Field(1440, gt=0, description="the trailing window the KPI covers")

    @model_validator(mode="after")
    def _known_kpi(self) -> KpiSlaRule:
        if self.kpi not in KPI_NAMES:
            raise ValueError(f"unknown kpi {self.kpi!r} (known: {', '.join(KPI_NAMES)})")
        return self


class BacklogRule(_Rule):
    """Pending entries of a consumer group (a lane's router, an endpoint's deliveries) over
    `max`; `groups` are glob patterns (``deliver.*``), none means every group."""

    kind: Literal["backlog"]
    max: int = Field(ge=0)
    groups: list[str] = Field(default_factory=list)


class EndpointDownRule(_Rule):
    """An endpoint whose circuit has been open (failing) longer than `minutes`."""

    kind: Literal["endpoint_down"]
    minutes: float = Field(gt=0)
    endpoints: list[str] = Field(default_factory=list, description="none: every endpoint")


class PartnerSilentRule(_Rule):
    """A partner with no message received for longer than its expected interval: `minutes`,
    or its own entry in `partners` (which, when given, also limits the rule to them)."""

    kind: Literal["partner_silent"]
    minutes: float = Field(gt=0)
    partners: dict[str, float | None] = Field(default_factory=dict)


class AckOverdueRule(_Rule):
    """Outbound X12 sets not acknowledged (997/999) within `minutes` (or the partner's own
    entry in `partners`, which, when given, also limits the rule to them)."""

    kind: Literal["ack_overdue"]
    minutes: float = Field(gt=0)
    partners: dict[str, float | None] = Field(default_factory=dict)


AlertRule = Annotated[
    KpiSlaRule | BacklogRule | EndpointDownRule | PartnerSilentRule | AckOverdueRule,
    Field(discriminator="kind"),
]


class AlertWebhookConfig(BaseModel):
    """Where alert events go: a POST per open and per clear, signed when `secret` is set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: AnyHttpUrl
    secret: SecretStr | None = Field(
        None, description="a Standard Webhooks key (whsec_...): the events are signed with it"
    )
    timeout_seconds: float = Field(10, gt=0, description="per attempt")
    max_attempts: int = Field(3, ge=1, le=10, description="attempts per evaluation round")

    @model_validator(mode="after")
    def _secret_shape(self) -> AlertWebhookConfig:
        if self.secret is not None and not self.secret.get_secret_value().startswith("whsec_"):
            raise ValueError("secret: a Standard Webhooks key starts with whsec_")
        return self


class AlertsConfig(BaseModel):
    """Alert rules, how often they are evaluated, and the webhook their events go to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    interval_seconds: float = Field(60, gt=0, description="how often the rules are evaluated")
    rules: list[AlertRule] = Field(default_factory=list)
    webhook: AlertWebhookConfig | None = None

    @model_validator(mode="after")
    def _unique_names(self) -> AlertsConfig:
        names = [r.name for r in self.rules]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValueError(f"rule names must be unique: {', '.join(doubled)}")
        return self
