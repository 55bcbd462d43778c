"""Trading partner settings: who a partner is in X12 envelopes and where its files land.

A partner is found by the sender ID of an inbound interchange (ISA05/ISA06), so the same
qualifier and ID may belong to one partner only. Mapping overrides are plain data handed to
the X12 mapper, so a partner whose 850 carries the ship-to under another N1 qualifier is a
change here, not in code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crossdock.mapping.csv.model import PartnerCsvConfig
from crossdock.x12.envelope import envelope_id_problem


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _x12_id(value: str, width: int) -> str:
    problem = envelope_id_problem(value, width)
    if problem is not None:
        raise ValueError(problem)
    return value


class DelimitersConfig(_Section):
    """The separators written to a partner; the defaults are what most partners expect."""

    element: str = Field("*", min_length=1, max_length=1)
    component: str = Field(":", min_length=1, max_length=1)
    repetition: str = Field("^", min_length=1, max_length=1)
    segment: str = Field("~", min_length=1, max_length=1)
    newline: bool = Field(True, description="write a line break after each segment terminator")

    @model_validator(mode="after")
    def _distinct(self) -> DelimitersConfig:
        chosen = [self.element, self.component, self.repetition, self.segment]
        if len(set(chosen)) != len(chosen):
            raise ValueError(f"delimiters must differ from each other, got {chosen}")
        if any(c.isalnum() or c == " " for c in chosen):
            raise ValueError("delimiters cannot be letters, digits or spaces")
        return self


class X12IdentityConfig(_Section):
    """Our own identity in envelopes we write (the receiver ID partners send to)."""

    qualifier: str = "ZZ"
    id: str = "CROSSDOCK"
    gs_id: str = "CROSSDOCK"

    @field_validator("qualifier")
    @classmethod
    def _qualifier(cls, value: str) -> str:
        return _x12_id(value, 2)

    @field_validator("id", "gs_id")
    @classmethod
    def _id(cls, value: str) -> str:
        return _x12_id(value, 15)


class PartnerX12Config(_Section):
    """How a partner speaks X12: its envelope IDs, version, acknowledgments and mappings."""

    qualifier: str = "ZZ"
    id: str
    gs_id: str | None = Field(None, description="GS02/GS03 code; default: the ISA ID")
    version: Literal["00401", "00501"] = "00401"
    usage: Literal["P", "T"] = "P"
    ack: Literal["auto", "997", "999", "none"] = Field(
        "auto", description="auto: 997 for 004010 groups, 999 for 005010"
    )
    ack_requested: bool = Field(True, description="ask the partner for a 997/999 (ISA14)")
    ack_endpoint: str | None = Field(
        None, description="endpoint our acknowledgments are delivered to"
    )
    strict: bool = Field(
        False,
        description="reject what is otherwise a warning (a code outside a list the hub "
        "carries only in part)",
    )
    unknown_sets: Literal["accept", "reject"] = Field(
        "accept",
        description="how a transaction set the hub has no map for is acknowledged: accept "
        "(recorded as x12_transaction) or reject (AK5/IK5 R, code 1); recorded either way",
    )
    delimiters: DelimitersConfig = Field(default_factory=DelimitersConfig)
    mapping: dict[str, Any] = Field(
        default_factory=dict, description="per transaction set overrides of the X12 maps"
    )

    @field_validator("qualifier")
    @classmethod
    def _qualifier(cls, value: str) -> str:
        return _x12_id(value, 2)

    @field_validator("id", "gs_id")
    @classmethod
    def _id(cls, value: str | None) -> str | None:
        return None if value is None else _x12_id(value, 15)

    @property
    def group_id(self) -> str:
        return self.gs_id or self.id


class PartnerFolderConfig(_Section):
    """A partner's file drop: new files in ``inbox``, kept in ``archive`` or ``error``."""

    inbox: Path
    archive: Path
    error: Path
    pattern: str = Field("*", description="glob of files to pick up in the inbox")
    settle_seconds: float = Field(
        1.0, ge=0, description="a file must be unchanged this long before it is read"
    )
    complete_wait_seconds: float = Field(
        300.0,
        ge=0,
        description="how long a settled X12 file without its closing IEA is waited for "
        "(a writer that paused) before it is read and its missing trailer reported",
    )


class PartnerConfig(_Section):
    """A supplier, carrier, 3PL or customer the hub exchanges documents with."""

    x12: PartnerX12Config | None = None
    folder: PartnerFolderConfig | None = None
    csv: PartnerCsvConfig | None = Field(
        None, description="the partner's flat files (CSV, fixed width): maps by document type"
    )
