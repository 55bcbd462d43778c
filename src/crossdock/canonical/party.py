"""Parties (who) and sites (where): the N1 loop of X12, UBL's ``Party``, GS1's GLN.

A party is identified the ways partners actually identify each other: a GLN, a D-U-N-S
number, an X12 qualifier + ID pair, or the codes each system assigns (``scheme`` names the
system). A party may carry several; mapping picks the one its receiver understands.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from crossdock.canonical.base import CanonicalModel
from crossdock.canonical.values import (
    IDENTIFIER_FORBIDDEN,
    Code,
    CountryCode,
    Duns,
    Gln,
    Text,
    identifier,
)


class PartyRole(StrEnum):
    """The part a party plays in one document (X12 N101 entity codes, UBL party roles)."""

    BUYER = "buyer"
    SELLER = "seller"
    SUPPLIER = "supplier"
    CUSTOMER = "customer"
    SHIP_TO = "ship_to"
    SHIP_FROM = "ship_from"
    BILL_TO = "bill_to"
    REMIT_TO = "remit_to"
    PAYER = "payer"
    PAYEE = "payee"
    CARRIER = "carrier"
    WAREHOUSE = "warehouse"
    REPORTER = "reporter"
    THIRD_PARTY_LOGISTICS = "3pl"
    MANUFACTURER = "manufacturer"
    CONSIGNEE = "consignee"


class X12PartyId(CanonicalModel):
    """An identifier as X12 sends it: N103 qualifier (1 = DUNS, UL = GLN, 92 = buyer-assigned...)
    and N104 code, kept verbatim so an outbound 856 can echo exactly what the 850 said."""

    qualifier: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{1,2}$")]
    identifier: Annotated[str, identifier(80, low=2)]


class PartyCode(CanonicalModel):
    """A code one system assigns to a party: ``scheme`` says whose code it is (``netsuite``,
    ``supplier:acme``), because a vendor number means nothing without knowing whose list it's in."""

    scheme: Code
    value: Code


class Address(CanonicalModel):
    """A postal address (UBL ``PostalAddress``; X12 N3/N4)."""

    lines: Annotated[list[Text], Field(min_length=1, max_length=4)]
    city: Text
    region: Code | None = Field(default=None, description="State, province or county code")
    postal_code: Code | None = None
    country: CountryCode


#: user@domain, no spaces and no control characters on either side.
_EMAIL = rf"^[^@\s{IDENTIFIER_FORBIDDEN}]+@[^@\s{IDENTIFIER_FORBIDDEN}]+$"


class Contact(CanonicalModel):
    """Someone to call about the document (X12 PER)."""

    name: Text | None = None
    email: Annotated[str, StringConstraints(pattern=_EMAIL, max_length=254)] | None = None
    phone: Annotated[str, identifier(40, low=3)] | None = None


class Party(CanonicalModel):
    """A business party in a role, with every identifier the sender gave for it."""

    role: PartyRole
    name: Text | None = None
    gln: Gln | None = None
    duns: Duns | None = None
    x12: X12PartyId | None = None
    codes: list[PartyCode] = Field(default_factory=list)
    address: Address | None = None
    contact: Contact | None = None

    @model_validator(mode="after")
    def _identified(self) -> Party:
        # A party nobody can recognise cannot be routed or matched: demand a name or an id.
        if (
            self.name is None
            and self.gln is None
            and self.duns is None
            and self.x12 is None
            and not self.codes
        ):
            raise ValueError("a party needs a name or at least one identifier")
        return self

    @property
    def key(self) -> str:
        """The most stable identifier sent: GLN, else D-U-N-S, else the X12 qualifier and id,
        else the first system code, else the name (documents keyed by a party use it)."""
        if self.gln or self.duns:
            return self.gln or self.duns or ""
        if self.x12 is not None:
            return f"{self.x12.qualifier}:{self.x12.identifier}"
        if self.codes:
            return f"{self.codes[0].scheme}:{self.codes[0].value}"
        return self.name or ""

    def code(self, scheme: str) -> str | None:
        """The party's code in ``scheme``, or None when that system's code was not sent."""
        for code in self.codes:
            if code.scheme == scheme:
                return code.value
        return None


class Site(CanonicalModel):
    """A physical site the hub tracks stock or activity for (a DC, a 3PL warehouse, a store).

    ``code`` is the hub's logical site code (the one config and flows use); ``gln`` is the
    GS1 location number when the site has one.
    """

    code: Code
    name: Text | None = None
    gln: Gln | None = None
    address: Address | None = None
