"""What the codes in a partner's 997/999/TA1 mean, so a rejection reads as a reason.

``codes.py`` names the codes crossdock emits; these tables cover every value X12 005010 defines
for the acknowledgment elements (a partner's ack may use codes crossdock never sends).
"""

from __future__ import annotations

ACK_STATUS = {  # 715 AK901, 717 AK501/IK501
    "A": "Accepted",
    "E": "Accepted, but errors were noted",
    "M": "Rejected, message authentication code (MAC) failed",
    "P": "Partially accepted, at least one transaction set was rejected",
    "R": "Rejected",
    "W": "Rejected, assurance failed validity tests",
    "X": "Rejected, content after decryption could not be analyzed",
}

TA1_STATUS = {  # I17 TA104
    "A": "Interchange accepted with no errors",
    "E": "Interchange accepted, errors noted (do not resend)",
    "R": "Interchange rejected because of errors",
}

INTERCHANGE_NOTE = {  # I18 TA105
    "000": "No error",
    "001": "Interchange control number in header and trailer do not match",
    "002": "Standard in the control standards identifier is not supported",
    "003": "This version of the controls is not supported",
    "004": "Segment terminator is invalid",
    "005": "Invalid interchange ID qualifier for sender",
    "006": "Invalid interchange sender ID",
    "007": "Invalid interchange ID qualifier for receiver",
    "008": "Invalid interchange receiver ID",
    "009": "Unknown interchange receiver ID",
    "010": "Invalid authorization information qualifier value",
    "011": "Invalid authorization information value",
    "012": "Invalid security information qualifier value",
    "013": "Invalid security information value",
    "014": "Invalid interchange date value",
    "015": "Invalid interchange time value",
    "016": "Invalid interchange standards identifier value",
    "017": "Invalid interchange version ID value",
    "018": "Invalid interchange control number value",
    "019": "Invalid acknowledgment requested value",
    "020": "Invalid test indicator value",
    "021": "Invalid number of included groups value",
    "022": "Invalid control structure",
    "023": "Improper (premature) end-of-file (transmission)",
    "024": "Invalid interchange content (e.g. invalid GS segment)",
    "025": "Duplicate interchange control number",
    "026": "Invalid data element separator",
    "027": "Invalid component element separator",
    "028": "Invalid delivery date in deferred delivery request",
    "029": "Invalid delivery time in deferred delivery request",
    "030": "Invalid delivery time code in deferred delivery request",
    "031": "Invalid grade of service code",
}

GROUP_ERROR = {  # 716 AK905..AK909
    "1": "Functional group not supported",
    "2": "Functional group version not supported",
    "3": "Functional group trailer missing",
    "4": "Group control number in the header and trailer do not agree",
    "5": "Number of included transaction sets does not match actual count",
    "6": "Group control number violates syntax",
    "10": "Authentication key name unknown",
    "11": "Encryption key name unknown",
    "12": "Requested service (authentication or encryption) not available",
    "13": "Unknown security recipient",
    "14": "Unknown security originator",
    "15": "Syntax error in decrypted text",
    "16": "Security not supported",
    "17": "Incorrect message length (encryption only)",
    "18": "Message authentication code failed",
    "19": "Functional group control number not unique within interchange",
    "23": "S3E security end segment missing for S3S security start segment",
    "24": "S3S security start segment missing for S3E security end segment",
    "25": "S4E security end segment missing for S4S security start segment",
    "26": "S4S security start segment missing for S4E security end segment",
}

TRANSACTION_ERROR = {  # 718 AK502..AK506 / IK502..IK506
    "1": "Transaction set not supported",
    "2": "Transaction set trailer missing",
    "3": "Transaction set control number in header and trailer do not match",
    "4": "Number of included segments does not match actual count",
    "5": "One or more segments in error",
    "6": "Missing or invalid transaction set identifier",
    "7": "Missing or invalid transaction set control number",
    "8": "Authentication key name unknown",
    "9": "Encryption key name unknown",
    "10": "Requested service (authentication or encryption) not available",
    "11": "Unknown security recipient",
    "12": "Incorrect message length (encryption only)",
    "13": "Message authentication code failed",
    "15": "Unknown security originator",
    "16": "Syntax error in decrypted text",
    "17": "Security not supported",
    "18": "Transaction set not in functional group",
    "19": "Invalid transaction set implementation convention reference",
    "23": "Transaction set control number not unique within the functional group",
    "24": "S3E security end segment missing for S3S security start segment",
    "25": "S3S security start segment missing for S3E security end segment",
    "26": "S4E security end segment missing for S4S security start segment",
    "27": "S4S security start segment missing for S4E security end segment",
    "I5": "Implementation: one or more segments in error",
    "I6": "Implementation convention not supported",
}

SEGMENT_ERROR = {  # 720 AK304 / IK304
    "1": "Unrecognized segment ID",
    "2": "Unexpected segment",
    "3": "Required segment missing",
    "4": "Loop occurs over maximum times",
    "5": "Segment exceeds maximum use",
    "6": "Segment not in defined transaction set",
    "7": "Segment not in proper sequence",
    "8": "Segment has data element errors",
    "I4": 'Implementation "not used" segment present',
    "I6": "Implementation dependent segment missing",
    "I7": "Implementation loop occurs under minimum times",
    "I8": "Implementation segment below minimum use",
    "I9": 'Implementation dependent "not used" segment present',
}

ELEMENT_ERROR = {  # 723 AK403 / IK403
    "1": "Required data element missing",
    "2": "Conditional required data element missing",
    "3": "Too many data elements",
    "4": "Data element too short",
    "5": "Data element too long",
    "6": "Invalid character in data element",
    "7": "Invalid code value",
    "8": "Invalid date",
    "9": "Invalid time",
    "10": "Exclusion condition violated",
    "12": "Too many repetitions",
    "13": "Too many components",
    "I6": "Code value not used in implementation",
    "I9": "Implementation dependent data element missing",
    "I10": 'Implementation "not used" data element present',
    "I11": "Implementation too few repetitions",
    "I12": "Implementation pattern match failure",
    "I13": 'Implementation dependent "not used" data element present',
}


def meaning(table: dict[str, str], code: str) -> str:
    """'7' -> 'Invalid code value (7)'; an unknown code says so instead of failing."""
    known = table.get(code.strip())
    return f"{known} ({code})" if known else f"unknown code {code!r}"
