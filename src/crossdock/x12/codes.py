"""X12 acknowledgment codes, named, so findings say what they mean and acks get the number.

Values follow X12 005010 (999/997/TA1); codes 997 (004010) does not have are mapped down by
the ack writer.
"""

from __future__ import annotations


class InterchangeNote:
    """TA105: interchange note codes."""

    NO_ERROR = "000"
    CONTROL_NUMBER_MISMATCH = "001"  # ISA13 != IEA02
    STANDARD_NOT_SUPPORTED = "002"
    VERSION_NOT_SUPPORTED = "003"
    SEGMENT_TERMINATOR_INVALID = "004"
    INVALID_SENDER_QUALIFIER = "005"
    INVALID_SENDER_ID = "006"
    INVALID_RECEIVER_QUALIFIER = "007"
    INVALID_RECEIVER_ID = "008"
    UNKNOWN_RECEIVER = "009"
    INVALID_AUTHORIZATION_QUALIFIER = "010"
    INVALID_AUTHORIZATION_VALUE = "011"
    INVALID_SECURITY_QUALIFIER = "012"
    INVALID_SECURITY_VALUE = "013"
    INVALID_DATE = "014"
    INVALID_TIME = "015"
    INVALID_STANDARDS_IDENTIFIER = "016"
    INVALID_VERSION = "017"
    INVALID_CONTROL_NUMBER = "018"
    INVALID_ACK_REQUESTED = "019"
    INVALID_TEST_INDICATOR = "020"
    INVALID_GROUP_COUNT = "021"  # IEA01 != number of groups
    INVALID_CONTROL_STRUCTURE = "022"
    PREMATURE_END_OF_FILE = "023"
    INVALID_CONTENT = "024"
    DUPLICATE_INTERCHANGE = "025"
    INVALID_ELEMENT_SEPARATOR = "026"
    INVALID_COMPONENT_SEPARATOR = "027"


class TA1Ack:
    """TA104: interchange acknowledgment code."""

    ACCEPTED = "A"
    ACCEPTED_WITH_ERRORS = "E"
    REJECTED = "R"


class GroupError:
    """AK905..AK909: functional group syntax error codes."""

    NOT_SUPPORTED = "1"
    VERSION_NOT_SUPPORTED = "2"
    TRAILER_MISSING = "3"
    CONTROL_NUMBER_MISMATCH = "4"  # GS06 != GE02
    COUNT_MISMATCH = "5"  # GE01 != number of transaction sets
    CONTROL_NUMBER_SYNTAX = "6"


class GroupAck:
    """AK901: functional group acknowledge code."""

    ACCEPTED = "A"
    ACCEPTED_WITH_ERRORS = "E"
    PARTIALLY_ACCEPTED = "P"
    REJECTED = "R"


class TransactionError:
    """AK502 / IK502: transaction set syntax error codes."""

    NOT_SUPPORTED = "1"
    TRAILER_MISSING = "2"
    CONTROL_NUMBER_MISMATCH = "3"  # ST02 != SE02
    SEGMENT_COUNT_MISMATCH = "4"  # SE01 != segments counted
    SEGMENTS_IN_ERROR = "5"
    MISSING_OR_INVALID_IDENTIFIER = "6"
    MISSING_OR_INVALID_CONTROL_NUMBER = "7"
    CONTROL_NUMBER_NOT_UNIQUE = "23"


class TransactionAck:
    """AK501 / IK501: transaction set acknowledgment code."""

    ACCEPTED = "A"
    ACCEPTED_WITH_ERRORS = "E"
    REJECTED = "R"


class SegmentError:
    """AK304 / IK304: segment syntax error codes."""

    UNRECOGNIZED_SEGMENT = "1"
    UNEXPECTED_SEGMENT = "2"
    MANDATORY_SEGMENT_MISSING = "3"
    LOOP_OVER_MAXIMUM = "4"
    SEGMENT_OVER_MAXIMUM_USE = "5"
    NOT_IN_TRANSACTION_SET = "6"
    OUT_OF_SEQUENCE = "7"
    HAS_ELEMENT_ERRORS = "8"


class ElementError:
    """AK403 / IK403: data element syntax error codes."""

    MANDATORY_MISSING = "1"
    CONDITIONAL_MISSING = "2"
    TOO_MANY_ELEMENTS = "3"
    TOO_SHORT = "4"
    TOO_LONG = "5"
    INVALID_CHARACTER = "6"
    INVALID_CODE = "7"
    INVALID_DATE = "8"
    INVALID_TIME = "9"
    EXCLUSION_VIOLATED = "10"
    TOO_MANY_REPETITIONS = "12"
    TOO_MANY_COMPONENTS = "13"


# GS01 functional identifier code per transaction set (X12 479).
FUNCTIONAL_IDS = {
    "810": "IN",
    "820": "RA",
    "832": "SC",
    "846": "IB",
    "850": "PO",
    "852": "PD",
    "855": "PR",
    "856": "SH",
    "860": "PC",
    "865": "CA",
    "940": "OW",
    "943": "AR",
    "944": "RE",
    "945": "SW",
    "947": "AW",
    "204": "SM",
    "210": "IM",
    "214": "QM",
    "990": "GF",
    "753": "RF",
    "754": "RG",
    "997": "FA",
    "999": "FA",
}


def functional_id_for(transaction_code: str) -> str:
    """The GS01 a transaction set travels under; KeyError names an unknown set."""
    try:
        return FUNCTIONAL_IDS[transaction_code]
    except KeyError:
        raise KeyError(
            f"no functional group is known for transaction set {transaction_code!r}"
        ) from None
