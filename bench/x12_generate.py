"""Generate a realistic, deterministic X12 file of mixed 850 / 856 / 810 of a requested size.

    python -m bench.x12_generate OUT.x12 --mb 50 [--seed 12010] [--mix-examples]

The file is a VAN-style batch: many interchanges (ISA/IEA) between a dozen trading partners,
each with one to three functional groups (PO, SH, IN), each with a few to a few dozen
transaction sets. Control numbers are unique and every count is right (SE01, GE01, IEA01,
CTT01, the 850's CTT02 hash total, the 810's TDS01 total, HL parents). Delimiters are
``*`` ``:`` ``^`` ``~`` with a newline after each segment terminator; most interchanges are
00401/004010 (ISA11 ``U``), about 15 % are 00501/005010 (ISA11 ``^``).

Speed comes from pre-rendering: each transaction set type gets a few dozen variants (line
counts, items, parties) rendered once into ``%``-templates, and the main loop only fills in the
numbers that must vary (control numbers, dates, document numbers, PO references, SSCCs). Memory
is bounded: one interchange is held at a time. "MB" here means 1,000,000 bytes; the file stops
after the interchange that reaches the requested size.

``--mix-examples`` ("a generated file with the new sets mixed in") also mixes in every
transaction set of ``examples/*_NNN.x12`` whose code the generator does not write itself (an
830, a 204, ...): each example's set becomes a template (ST02/SE02 numbered like the others),
sent in its own GS01/GS08 group, so a set added to ``examples/`` joins the file by itself.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO

ELEMENT, COMPONENT, REPETITION, TERMINATOR = "*", ":", "^", "~\n"
DEFAULT_SEED = 12010
VARIANTS_PER_TYPE = 48
VERSION_5010_SHARE = 0.15
GROUP_TYPES = (("PO", "850", 0.45), ("SH", "856", 0.30), ("IN", "810", 0.25))
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
EXAMPLE_SHARE = 0.25  # of the groups, when examples are mixed in (shared among their sets)
_EXAMPLE_NAME = re.compile(r"_(\d{3})\.x12$")

WORDS_A = ("BLUE", "RED", "GREEN", "STEEL", "OAK", "CEDAR", "BLACK", "WHITE", "GREY", "NAVY")
WORDS_B = ("WIDGET", "BRACKET", "HINGE", "SHELF", "BIN", "CRATE", "HOOK", "LATCH", "PANEL")
UNITS = ("EA", "EA", "EA", "CA", "BX", "PK")
CITIES = (
    ("COLUMBUS", "OH", "43004"),
    ("INDIANAPOLIS", "IN", "46204"),
    ("MEMPHIS", "TN", "38103"),
    ("RENO", "NV", "89501"),
    ("ALLENTOWN", "PA", "18101"),
    ("DALLAS", "TX", "75201"),
    ("ATLANTA", "GA", "30303"),
    ("ONTARIO", "CA", "91761"),
)
CARRIERS = (("UPSN", "M"), ("FDEG", "M"), ("ODFL", "M"), ("SCNN", "M"), ("RDWY", "M"))
PARTNERS = (  # (ISA qualifier, ISA id, GS id, company name)
    ("ZZ", "ACMERETAIL", "ACMERETAIL", "ACME RETAIL"),
    ("01", "123456789", "123456789", "NORTHWIND STORES"),
    ("08", "9251234567", "9251234567", "CONTOSO MARKETS"),
    ("12", "6145551234", "6145551234", "FABRIKAM HOME"),
    ("ZZ", "TAILSPINTOYS", "TAILSPIN", "TAILSPIN TOYS"),
    ("ZZ", "WINGTIPWHSL", "WINGTIP", "WINGTIP WHOLESALE"),
    ("ZZ", "LITWAREINC", "LITWARE", "LITWARE SUPPLY"),
    ("01", "987654321", "987654321", "ADVENTURE WORKS"),
    ("ZZ", "WIDEWORLDIMP", "WWI", "WIDE WORLD IMPORTERS"),
    ("ZZ", "PROSEWARE", "PROSEWARE", "PROSEWARE INC"),
    ("08", "9259876543", "9259876543", "COHO DISTRIBUTION"),
    ("ZZ", "MARGIESTRVL", "MARGIES", "MARGIES OUTFITTERS"),
)


def check_digit(body: str) -> str:
    """GS1 mod-10 check digit (GTIN, GLN, SSCC): weights 3, 1, 3, ... from the right."""
    odd = sum(int(ch) for ch in body[-1::-2])
    even = sum(int(ch) for ch in body[-2::-2])
    return str((10 - (odd * 3 + even) % 10) % 10)


def _gs1(body: str) -> str:
    return body + check_digit(body)


def sscc(serial: int) -> str:
    """An 18-digit SSCC: extension 0, company prefix 0614141, 9-digit serial, check digit."""
    return _gs1(f"00614141{serial % 1_000_000_000:09d}")


def seg(*elements: str) -> str:
    """One segment with trailing empty elements dropped, as senders usually write them."""
    items = list(elements)
    while items and items[-1] == "":
        items.pop()
    return ELEMENT.join(items) + TERMINATOR


@dataclass(frozen=True)
class Item:
    gtin12: str
    sku: str
    description: str
    price_cents: int
    unit: str


@dataclass(frozen=True)
class Template:
    """A pre-rendered transaction set: ``text % values`` gives ST..SE; ``segments`` counts them."""

    code: str
    text: str
    segments: int
    sscc_slots: int = 0


@dataclass
class Manifest:
    """What the generator wrote: the counts a reader of the file must find."""

    path: str
    bytes: int = 0
    seed: int = DEFAULT_SEED
    requested_mb: float = 0.0
    interchanges: int = 0
    groups: int = 0
    transactions: int = 0
    segments: int = 0
    by_type: dict[str, int] = field(default_factory=lambda: {"850": 0, "856": 0, "810": 0})
    mixed: list[str] = field(default_factory=list)  # example files mixed in
    by_version: dict[str, int] = field(default_factory=lambda: {"00401": 0, "00501": 0})
    seconds: float = 0.0


def _catalog(rng: random.Random, n: int = 400) -> list[Item]:
    items = []
    for i in range(n):
        desc = f"{rng.choice(WORDS_A)} {rng.choice(WORDS_B)} {rng.choice((6, 12, 24, 48))} PK"
        items.append(
            Item(
                gtin12=_gs1(f"061414{i:05d}"),
                sku=f"SKU-{100000 + i * 7}",
                description=desc,
                price_cents=rng.randint(99, 19999),
                unit=rng.choice(UNITS),
            )
        )
    return items


def _price(cents: int) -> str:
    """An X12 R-type price: no trailing zeros, no leading zero decimal point padding."""
    whole, frac = divmod(cents, 100)
    return str(whole) if frac == 0 else f"{whole}.{frac:02d}".rstrip("0")


def _store(rng: random.Random) -> tuple[list[str], str]:
    number = rng.randint(1, 2999)
    city, state, zip_code = rng.choice(CITIES)
    gln = _gs1(f"061414{number:06d}")
    segments = [
        seg("N1", "ST", f"STORE {number:04d}", "UL", gln),
        seg("N3", f"{rng.randint(10, 9999)} {rng.choice(WORDS_A)} ST"),
        seg("N4", city, state, zip_code, "US"),
    ]
    return segments, f"{number:04d}"


def _render(code: str, body: list[str], sscc_slots: int = 0) -> Template:
    text = seg("ST", code, "%(st)s") + "".join(body)
    count = len(body) + 2
    text += seg("SE", str(count), "%(st)s")
    if "%" in "".join(body).replace("%(", ""):
        raise ValueError("a template value contains a literal %")
    return Template(code, text, count, sscc_slots)


def _po_lines(rng: random.Random, catalog: list[Item], n: int) -> list[tuple[Item, int]]:
    return [(item, rng.choice((1, 2, 4, 6, 12, 24, 36, 48, 96))) for item in rng.sample(catalog, n)]


def _template_850(rng: random.Random, catalog: list[Item]) -> Template:
    lines = _po_lines(rng, catalog, rng.choice((1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 30)))
    store, _ = _store(rng)
    body = [
        seg("BEG", "00", rng.choice(("SA", "SA", "NE", "RL")), "%(doc)s", "", "%(date)s"),
        seg("CUR", "BY", "USD"),
        seg("REF", "DP", f"{rng.randint(1, 99):03d}"),
        seg("REF", "IA", f"V{rng.randint(10000, 99999)}"),
        seg("PER", "BD", "PAT BUYER", "TE", f"614555{rng.randint(1000, 9999)}"),
        seg("FOB", rng.choice(("PP", "CC", "DF"))),
        seg("ITD", "01", "3", "2", "", "30", "", "60"),
        seg("DTM", "002", "%(date2)s"),
        seg("TD5", "", "", "", "", rng.choice(CARRIERS)[0]),
        seg("N1", "BT", "ACME RETAIL AP", "UL", _gs1("061414100001")),
        seg("N3", "PO BOX 4400"),
        seg("N4", "COLUMBUS", "OH", "43004", "US"),
        *store,
    ]
    for number, (item, qty) in enumerate(lines, 1):
        body.append(
            seg(
                "PO1",
                str(number),
                str(qty),
                item.unit,
                _price(item.price_cents),
                "PE",
                "UP",
                item.gtin12,
                "VN",
                item.sku,
            )
        )
        body.append(seg("PID", "F", "", "", "", item.description))
        if item.unit != "EA":
            body.append(seg("PO4", str(rng.choice((6, 12, 24))), "1", "EA"))
    body.append(seg("CTT", str(len(lines)), str(sum(q for _, q in lines))))
    return _render("850", body)


def _template_856(rng: random.Random, catalog: list[Item]) -> Template:
    carrier, method = rng.choice(CARRIERS)
    city, state, zip_code = rng.choice(CITIES)
    store, _ = _store(rng)
    orders = rng.choice((1, 1, 1, 2, 2, 3))
    packs_per_order = [rng.choice((1, 1, 2, 3, 4)) for _ in range(orders)]
    cartons = sum(packs_per_order)
    body = [
        seg("BSN", "00", "%(doc)s", "%(date)s", "%(time)s", "0001"),
        seg("HL", "1", "", "S"),
        seg("TD1", "CTN25", str(cartons), "", "", "", "G", f"{cartons * 11.5:.1f}", "LB"),
        seg("TD5", "", "2", carrier, method),
        seg("REF", "BM", "BOL%(doc)s"),
        seg("DTM", "011", "%(date)s"),
        seg("N1", "SF", "ACME SUPPLY DC", "UL", _gs1("061414200002")),
        seg("N3", f"{rng.randint(100, 9999)} DISTRIBUTION PKWY"),
        seg("N4", city, state, zip_code, "US"),
        *store,
    ]
    hl = 1
    slot = 0
    for order in range(orders):
        hl += 1
        order_hl = hl
        ref = "%(ref)s" if order == 0 else f"%(ref)s-{order}"
        body.append(seg("HL", str(order_hl), "1", "O"))
        body.append(seg("PRF", ref, "", "", "%(date2)s"))
        po_line = 0
        for _ in range(packs_per_order[order]):
            hl += 1
            pack_hl = hl
            body.append(seg("HL", str(pack_hl), str(order_hl), "P"))
            body.append(seg("MAN", "GM", f"%(s{slot})s"))
            slot += 1
            for item in rng.sample(catalog, rng.choice((1, 1, 2, 3, 4))):
                hl += 1
                po_line += 1  # LIN01: the line of the purchase order this item ships
                body.append(seg("HL", str(hl), str(pack_hl), "I"))
                body.append(seg("LIN", str(po_line), "UP", item.gtin12, "VN", item.sku))
                body.append(seg("SN1", "", str(rng.choice((1, 2, 6, 12, 24))), item.unit))
                body.append(seg("PID", "F", "", "", "", item.description))
    body.append(seg("CTT", str(hl)))
    return _render("856", body, sscc_slots=slot)


def _template_810(rng: random.Random, catalog: list[Item]) -> Template:
    lines = _po_lines(rng, catalog, rng.choice((1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20)))
    store, _ = _store(rng)
    body = [
        seg("BIG", "%(date)s", "%(doc)s", "%(date2)s", "%(ref)s"),
        seg("CUR", "SE", "USD"),
        seg("REF", "IA", f"V{rng.randint(10000, 99999)}"),
        seg("N1", "RE", "ACME SUPPLY", "UL", _gs1("061414300003")),
        seg("N3", "1 SUPPLY WAY"),
        seg("N4", "RENO", "NV", "89501", "US"),
        *store,
        seg("ITD", "01", "3", "2", "", "30", "", "60"),
        seg("DTM", "011", "%(date)s"),
    ]
    total = 0
    for number, (item, qty) in enumerate(lines, 1):
        total += qty * item.price_cents
        price = _price(item.price_cents)
        body.append(
            seg(
                "IT1",
                str(number),
                str(qty),
                item.unit,
                price,
                "",
                "UP",
                item.gtin12,
                "VN",
                item.sku,
            )
        )
        body.append(seg("PID", "F", "", "", "", item.description))
    freight = rng.choice((0, 0, 1250, 2500, 4999))
    if freight:
        total += freight
    body.append(seg("TDS", str(total)))
    body.append(seg("CAD", "", "", "", rng.choice(CARRIERS)[0]))
    if freight:
        body.append(seg("SAC", "C", "D240", "", "", str(freight), *[""] * 9, "FREIGHT"))
    body.append(seg("CTT", str(len(lines))))
    return _render("810", body)


def _isa(
    sender: tuple[str, ...], receiver: tuple[str, ...], when: date, control: int, v5: bool
) -> str:
    text = ELEMENT.join(
        (
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            sender[0],
            f"{sender[1]:<15}",
            receiver[0],
            f"{receiver[1]:<15}",
            when.strftime("%y%m%d"),
            "1200",
            REPETITION if v5 else "U",
            "00501" if v5 else "00401",
            f"{control:09d}",
            "0",
            "P",
            COMPONENT,
        )
    )
    isa = text + TERMINATOR
    assert len(isa) == 107, isa  # 106 with the terminator, plus the newline
    return isa


@dataclass(frozen=True)
class ExampleSet:
    """A transaction set taken from an example file: its group (GS01, GS08) and template."""

    path: str
    functional_id: str
    version: str
    template: Template


def example_sets(examples: Path = EXAMPLES) -> list[ExampleSet]:
    """The first set of every ``*_NNN.x12`` in ``examples`` whose code is not generated.

    The file's own delimiters are read from its ISA; the set is rewritten with the
    generator's, and its ST02/SE02 become the ``%(st)s`` slot.
    """
    generated = {code for _, code, _ in GROUP_TYPES}
    found: list[ExampleSet] = []
    for path in sorted(examples.glob("*.x12")):
        match = _EXAMPLE_NAME.search(path.name)
        if match is None or match.group(1) in generated:
            continue
        text = path.read_text()
        start = text.find("ISA")
        if start < 0 or len(text) < start + 106:
            continue
        element, component, terminator = text[start + 3], text[start + 104], text[start + 105]
        raw = [s.strip() for s in text[start:].split(terminator)]
        segments = [s.split(element) for s in raw if s]
        gs = next((s for s in segments if s[0] == "GS"), None)
        st = next((i for i, s in enumerate(segments) if s[0] == "ST"), None)
        if gs is None or st is None or len(gs) < 9:
            continue
        end = next(i for i in range(st, len(segments)) if segments[i][0] == "SE")
        body = []
        for values in segments[st : end + 1]:
            values = [v.replace(component, COMPONENT).replace("%", "%%") for v in values]
            if values[0] in ("ST", "SE"):
                values[2] = "%(st)s"
            body.append(seg(*values))
        template = Template(segments[st][1], "".join(body), len(body))
        found.append(ExampleSet(path.name, gs[1], gs[8], template))
    return found


class Generator:
    """Holds the pre-rendered templates and the running control numbers."""

    def __init__(self, seed: int = DEFAULT_SEED, examples: list[ExampleSet] | None = None) -> None:
        self.examples = examples or []
        self.rng = random.Random(seed)
        catalog = _catalog(self.rng)
        builders = {"850": _template_850, "856": _template_856, "810": _template_810}
        self.templates = {
            code: [build(self.rng, catalog) for _ in range(VARIANTS_PER_TYPE)]
            for code, build in builders.items()
        }
        self.isa_control = 0
        self.gs_control = 0
        self.doc = 4_500_000_000
        self.sscc_serial = 0
        self.start = date(2026, 1, 5)

    def interchange(self, manifest: Manifest) -> str:
        """One ISA..IEA, counted into ``manifest``."""
        rng = self.rng
        self.isa_control += 1
        when = self.start + timedelta(days=(self.isa_control // 40) % 700)
        ymd = when.strftime("%Y%m%d")
        ymd2 = (when + timedelta(days=7)).strftime("%Y%m%d")
        v5 = rng.random() < VERSION_5010_SHARE
        hub, partner = PARTNERS[0], PARTNERS[rng.randrange(1, len(PARTNERS))]
        sender, receiver = (hub, partner) if rng.random() < 0.5 else (partner, hub)
        parts = [_isa(sender, receiver, when, self.isa_control, v5)]
        n_groups = rng.choice((1, 1, 2, 3))
        for _ in range(n_groups):
            fid, code = rng.choices([g[:2] for g in GROUP_TYPES], [g[2] for g in GROUP_TYPES])[0]
            self.gs_control += 1
            gs06 = str(self.gs_control)
            version = "005010" if v5 else "004010"
            variants = self.templates[code]
            if self.examples and rng.random() < EXAMPLE_SHARE:
                example = self.examples[rng.randrange(len(self.examples))]
                fid, code, version = example.functional_id, example.template.code, example.version
                variants = [example.template]
            parts.append(seg("GS", fid, sender[2], receiver[2], ymd, "1200", gs06, "X", version))
            n_tx = rng.randint(3, 60)
            for st in range(1, n_tx + 1):
                template = variants[rng.randrange(len(variants))]
                self.doc += 1
                values = {
                    "st": f"{st:04d}",
                    "doc": str(self.doc),
                    "ref": str(self.doc - rng.randint(50, 5000)),
                    "date": ymd,
                    "date2": ymd2,
                    "time": f"{rng.randint(0, 23):02d}{rng.randint(0, 59):02d}",
                }
                for slot in range(template.sscc_slots):
                    self.sscc_serial += 1
                    values[f"s{slot}"] = sscc(self.sscc_serial)
                parts.append(template.text % values)
                manifest.segments += template.segments
            parts.append(seg("GE", str(n_tx), gs06))
            manifest.segments += 2
            manifest.transactions += n_tx
            manifest.by_type[code] = manifest.by_type.get(code, 0) + n_tx
        parts.append(seg("IEA", str(n_groups), f"{self.isa_control:09d}"))
        manifest.segments += 2
        manifest.groups += n_groups
        manifest.interchanges += 1
        manifest.by_version["00501" if v5 else "00401"] += 1
        return "".join(parts)


def write(
    out: BinaryIO,
    size_mb: float,
    seed: int = DEFAULT_SEED,
    path: str = "",
    examples: Path | None = None,
) -> Manifest:
    """Write interchanges to ``out`` until ``size_mb`` million bytes; return what was written.

    ``examples``: a folder whose ``*_NNN.x12`` sets are mixed in (see the module docstring).
    """
    started = time.perf_counter()
    target = int(size_mb * 1_000_000)
    manifest = Manifest(path=path, seed=seed, requested_mb=size_mb)
    mixed = example_sets(examples) if examples is not None else []
    manifest.mixed = [m.path for m in mixed]
    generator = Generator(seed, mixed)
    written = 0
    while written < target:
        data = generator.interchange(manifest).encode("ascii")
        out.write(data)
        written += len(data)
    manifest.bytes = written
    manifest.seconds = round(time.perf_counter() - started, 3)
    return manifest


def generate(
    path: Path, size_mb: float, seed: int = DEFAULT_SEED, examples: Path | None = None
) -> Manifest:
    """Write the file at ``path`` (streaming, bounded memory) and return its manifest."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb", buffering=1 << 20) as out:
        return write(out, size_mb, seed, str(path), examples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the file to write ('-' for stdout)")
    parser.add_argument("--mb", type=float, default=50.0, help="size in millions of bytes")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--mix-examples",
        action="store_true",
        help="mix in the sets of examples/*_NNN.x12 the generator does not write itself",
    )
    args = parser.parse_args(argv)
    examples = EXAMPLES if args.mix_examples else None
    if str(args.out) == "-":
        manifest = write(sys.stdout.buffer, args.mb, args.seed, "-", examples)
        print(json.dumps(asdict(manifest)), file=sys.stderr)
    else:
        manifest = generate(args.out, args.mb, args.seed, examples)
        print(json.dumps(asdict(manifest), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
