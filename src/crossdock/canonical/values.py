"""Value types shared by every canonical document: money, quantities and GS1 identifiers.

The decimals inside money and quantities and their bounds live in ``decimals``.

Each type is an ``Annotated`` alias or a tiny model so that pydantic-core does the heavy lifting
(patterns are compiled once, in Rust, when the model is built); the Python validators that remain
are a check-digit loop or a frozenset lookup, cheap enough for the intake hot path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationError,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import InitErrorDetails, PydanticCustomError, core_schema

from crossdock.canonical.base import CanonicalModel
from crossdock.canonical.decimals import Amount, NonNegativeDecimal

# ISO 4217 list one (active codes, funds codes included), plus codes withdrawn so recently
# (ANG, CUC, SLL, ZWL) that partner systems still send them.
ISO_4217_CODES: frozenset[str] = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD
    BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP
    DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR
    IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD
    MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB
    PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD
    SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS
    VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL
    """.split()  # noqa: SIM905 (a block of codes reads better than 200 list items)
)

# Units of measure: the UN/ECE Recommendation 20 codes distribution uses, and the X12 (355)
# codes partners send in PO1/SN1/IT1. Both vocabularies are accepted as-is; mapping, not the
# canonical model, decides whether to translate (EA -> C62) for a given receiver.
UNITS_OF_MEASURE: frozenset[str] = frozenset(
    """
    C62 H87 EA PCE PR DZN GRO XBX XCT XPK XPX XCS XBG XDR XRL XTU XBO XCN XSA XPL CS CT CA
    BX BG PK PL PA PF DZ GR RL DR BO CN TB SA SK KT ST LT UN KGM KG GRM GM GR MGM TNE LB LBR
    LBS ONZ OZ LTR LT MLT ML GLL GAL GLI QT PT FOZ MTQ CR FTQ CF MTR MR CMT CM MMT MM INH IN
    FOT FT YRD YD MTK SQM FTK SF HUR HR MIN DAY
    """.split()  # noqa: SIM905 (a block of codes reads better than 200 list items)
)

# ISO 3166-1 alpha-2 country codes.
ISO_3166_COUNTRIES: frozenset[str] = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW
    """.split()  # noqa: SIM905 (a block of codes reads better than 200 list items)
)


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for ``body`` (all digits of a key except the last).

    Weights alternate 3, 1, ... starting from the rightmost digit of the body, which is why the
    same function serves GTIN-8/12/13/14, GLN (13) and SSCC (18). Summing the ASCII bytes and
    subtracting the '0' offsets afterwards is about five times faster than ``int()`` per digit,
    which matters because every line of every intake message runs this.
    """
    raw = body.encode("ascii")
    odd = raw[-1::-2]
    even = raw[-2::-2]
    return -(3 * sum(odd) + sum(even) - 48 * (3 * len(odd) + len(even))) % 10


def has_valid_gs1_check_digit(code: str) -> bool:
    """True when ``code`` is ASCII digits only and its last digit is the right GS1 check digit."""
    return (
        len(code) > 1
        and code.isascii()
        and code.isdigit()
        and gs1_check_digit(code[:-1]) == ord(code[-1]) - 48
    )


def to_gtin14(gtin: str) -> str:
    """Left-pad any GTIN to 14 digits, the form GS1 uses to compare GTINs of different lengths."""
    return gtin.zfill(14)


# The same GLNs (partners, sites) and GTINs (the catalogue) arrive in message after message, so
# keys already found valid are remembered: a set lookup is cheaper than a call into lru_cache,
# and this validator runs for every party and line of every document. Only valid keys are
# kept (an invalid one raises each time, as before); the set is bounded by clearing it.
_VALID_GS1: set[str] = set()
_VALID_GS1_LIMIT = 1 << 16


def _check_gs1(value: str) -> str:
    if value in _VALID_GS1:
        return value
    if not has_valid_gs1_check_digit(value):
        raise PydanticCustomError(
            "gs1_check_digit",
            "invalid GS1 check digit: expected {expected}, got {got}",
            {"expected": gs1_check_digit(value[:-1]), "got": value[-1]},
        )
    if len(_VALID_GS1) >= _VALID_GS1_LIMIT:
        _VALID_GS1.clear()
    _VALID_GS1.add(value)
    return value


class _OneOf:
    """An ``Annotated`` marker: the value must be one of a fixed set of codes.

    Validation is a pydantic-core literal lookup (a Rust hash set, no Python call), wrapped in a
    custom error so a bad code reports a short message instead of listing every valid code;
    the JSON Schema gets the full ``enum``.
    """

    def __init__(self, codes: frozenset[str], error_type: str, message: str) -> None:
        self._codes = sorted(codes)
        self._error_type = error_type
        self._message = message

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.custom_error_schema(
            core_schema.literal_schema(self._codes),
            custom_error_type=self._error_type,
            custom_error_message=self._message,
        )


Gtin = Annotated[
    str,
    StringConstraints(pattern=r"^(?:[0-9]{8}|[0-9]{12}|[0-9]{13}|[0-9]{14})$"),
    AfterValidator(_check_gs1),
    Field(description="GS1 GTIN-8, -12, -13 or -14 with a valid check digit"),
]
"""A GS1 Global Trade Item Number, kept in the length it was sent in (see ``to_gtin14``)."""

Gln = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{13}$"),
    AfterValidator(_check_gs1),
    Field(description="GS1 Global Location Number: 13 digits with a valid check digit"),
]
"""A GS1 Global Location Number, identifying a party or a physical location."""

Sscc = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{18}$"),
    AfterValidator(_check_gs1),
    Field(description="GS1 Serial Shipping Container Code: 18 digits with a valid check digit"),
]
"""A GS1 Serial Shipping Container Code, the label on one pallet or carton."""

Duns = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{9}$"),
    Field(description="Dun & Bradstreet D-U-N-S number: 9 digits"),
]
"""A D-U-N-S number (no check digit is defined for it, so only the shape is checked)."""

CurrencyCode = Annotated[
    str,
    _OneOf(ISO_4217_CODES, "currency_code", "not an active ISO 4217 currency code"),
    Field(description="ISO 4217 alphabetic currency code"),
]
UnitOfMeasure = Annotated[
    str,
    _OneOf(UNITS_OF_MEASURE, "unit_of_measure", "not a known UN/ECE Rec 20 or X12 unit code"),
    Field(description="UN/ECE Rec 20 or X12 (355) unit of measure code, upper case"),
]
CountryCode = Annotated[
    str,
    _OneOf(ISO_3166_COUNTRIES, "country_code", "not an ISO 3166-1 alpha-2 country code"),
    Field(description="ISO 3166-1 alpha-2 country code"),
]

# Control characters (C0, DEL, C1) have no business in a document: in a key they end up in HTTP
# headers, file names and log lines of every receiver (a PO number "\r\nX-Injected: 1" would be
# refused by the HTTP client on every delivery attempt, long after intake said 202). Identifiers
# allow none; free text allows the tab and line breaks people really type.
IDENTIFIER_FORBIDDEN = r"\x00-\x1f\x7f-\x9f"
TEXT_FORBIDDEN = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_IDENTIFIER_PATTERN = f"^[^{IDENTIFIER_FORBIDDEN}]*$"
_TEXT_PATTERN = f"^[^{TEXT_FORBIDDEN}]*$"


class _Chars:
    """An ``Annotated`` marker: a bounded string without the forbidden characters.

    The length bounds and the character class become one pydantic-core string schema (the
    pattern runs in Rust, no Python call per field), wrapped in a custom error so a client reads
    the rule ("1 to 80 characters, no control characters") instead of a regular expression.
    """

    def __init__(self, low: int, high: int, pattern: str, error_type: str, message: str) -> None:
        self._low = low
        self._high = high
        self._pattern = pattern
        self._error_type = error_type
        self._message = message

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.custom_error_schema(
            core_schema.str_schema(
                min_length=self._low, max_length=self._high, pattern=self._pattern
            ),
            custom_error_type=self._error_type,
            custom_error_message=self._message,
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "minLength": self._low,
            "maxLength": self._high,
            "pattern": self._pattern,
        }


def identifier(high: int, low: int = 1) -> _Chars:
    """The marker for an identifier of ``low`` to ``high`` characters, no control characters."""
    return _Chars(
        low,
        high,
        _IDENTIFIER_PATTERN,
        "identifier",
        f"should be {low} to {high} characters without control characters",
    )


Code = Annotated[str, identifier(80)]
"""A business identifier or code (document numbers, SKUs, location codes): no control characters."""

Text = Annotated[
    str,
    _Chars(
        1,
        1000,
        _TEXT_PATTERN,
        "text",
        "should be 1 to 1000 characters without control characters (tab and line breaks allowed)",
    ),
]
"""Free text (names, descriptions, notes), bounded so one message cannot carry a novel."""

LineNumber = Annotated[int, Field(ge=1, le=999_999)]
"""A line number within a document (X12 PO101 / UBL LineID), positive."""


class Money(CanonicalModel):
    """An exact amount in one ISO 4217 currency (UBL ``AmountType`` with ``currencyID``).

    Negative amounts are allowed here (credits, adjustments); documents say where they are not.
    """

    model_config = ConfigDict(frozen=True)

    amount: Amount
    currency: CurrencyCode


class Quantity(CanonicalModel):
    """A non-negative quantity in a unit of measure (UBL ``QuantityType`` with ``unitCode``)."""

    model_config = ConfigDict(frozen=True)

    value: NonNegativeDecimal
    unit: UnitOfMeasure


def rule_error(
    title: str, loc: Sequence[int | str], message: str, value: object
) -> ValidationError:
    """A ValidationError for a cross-field rule, located at ``loc`` relative to the field.

    Raised from a field validator, pydantic prefixes the field's own location, so the client
    sees e.g. ``lines.2.line_number`` rather than a bare document-level complaint.
    """
    return ValidationError.from_exception_data(
        title,
        [
            InitErrorDetails(
                type=PydanticCustomError("business_rule", message),
                loc=tuple(loc),
                input=value,
            )
        ],
    )


def check_money_currency(
    title: str, loc: Sequence[int | str], money: Money | None, currency: str | None
) -> None:
    """Raise when ``money`` is not in the document currency (skipped if either is unknown)."""
    if money is not None and currency is not None and money.currency != currency:
        raise rule_error(
            title,
            (*loc, "currency"),
            f"currency {money.currency} differs from the document currency {currency}",
            money.currency,
        )


def check_unique_line_numbers(
    title: str, numbers: Sequence[int], field: str = "line_number"
) -> None:
    """Raise, at the repeated line, when a document uses a line number twice.

    Acknowledgments, receipts and invoices point back at lines by number, so a repeat would make
    those references ambiguous.
    """
    seen: set[int] = set()
    for index, number in enumerate(numbers):
        if number in seen:
            raise rule_error(title, (index, field), f"line number {number} is used twice", number)
        seen.add(number)
