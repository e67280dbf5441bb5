"""X12 envelopes (ISA/IEA, GS/GE, ST/SE): the model, their checks, strict and validating parsers."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field

from .errors import EdiEnvelopeError, EdiIssue, EdiSyntaxError
from .parties import Party
from .segments import Segment
from .sources import Source, open_source
from .x12_reader import DEFAULT_CHUNK_SIZE, X12Delimiters, X12SegmentReader

TransactionValidator = Callable[["Transaction"], list[EdiIssue]]

# X12 code lists the acknowledgement reports envelope errors with.
AK5_NOT_SUPPORTED = "1"
AK5_TRAILER_MISSING = "2"
AK5_CONTROL_MISMATCH = "3"
AK5_COUNT_MISMATCH = "4"
AK5_SEGMENTS_IN_ERROR = "5"
AK5_BAD_SET_ID = "6"
AK5_BAD_CONTROL_NUMBER = "7"
AK5_DUPLICATE_CONTROL = "23"
AK9_TRAILER_MISSING = "3"
AK9_CONTROL_MISMATCH = "4"
AK9_COUNT_MISMATCH = "5"
AK9_BAD_CONTROL_NUMBER = "6"
INTERCHANGE_STRUCTURE = "interchange"
NO_CODE = ""
_ENVELOPE_IDS = frozenset({"ST", "SE", "GS", "GE", "ISA", "IEA"})


@dataclass(eq=False)
class Transaction:
    """A transaction set: ST, its body, SE; ``group`` and ``interchange`` give its envelopes."""

    st: Segment
    body: list[Segment] = field(default_factory=list)
    se: Segment | None = None
    segment_count: int = 1
    issues: list[EdiIssue] = field(default_factory=list)
    group: FunctionalGroup | None = field(default=None, repr=False)

    @property
    def set_id(self) -> str:
        return self.st.text(1)

    @property
    def control_number(self) -> str:
        return self.st.text(2)

    @property
    def segments(self) -> list[Segment]:
        return [self.st, *self.body, *([self.se] if self.se else [])]

    @property
    def interchange(self) -> Interchange | None:
        return self.group.interchange if self.group else None

    @property
    def errors(self) -> list[EdiIssue]:
        return [issue for issue in self.issues if issue.severity == "error"]


@dataclass(eq=False)
class FunctionalGroup:
    """A functional group (GS .. GE) and, unless streamed, its transaction sets."""

    gs: Segment
    ge: Segment | None = None
    transactions: list[Transaction] = field(default_factory=list)
    transaction_count: int = 0
    issues: list[EdiIssue] = field(default_factory=list)
    interchange: Interchange | None = field(default=None, repr=False)

    @property
    def functional_id(self) -> str:
        return self.gs.text(1)

    @property
    def application_sender(self) -> str:
        return self.gs.text(2)

    @property
    def application_receiver(self) -> str:
        return self.gs.text(3)

    @property
    def control_number(self) -> str:
        return self.gs.text(6)

    @property
    def version(self) -> str:
        return self.gs.text(8)

    @property
    def errors(self) -> list[EdiIssue]:
        return [issue for issue in self.issues if issue.severity == "error"]


@dataclass(eq=False)
class Interchange:
    """An interchange (ISA .. IEA) with its delimiters as read and its functional groups."""

    isa: Segment
    delimiters: X12Delimiters
    groups: list[FunctionalGroup] = field(default_factory=list)
    iea: Segment | None = None
    group_count: int = 0
    issues: list[EdiIssue] = field(default_factory=list)

    @property
    def control_number(self) -> str:
        return self.isa.text(13)

    @property
    def sender(self) -> Party:
        return Party(qualifier=self.isa.text(5), id=self.isa.text(6).strip())

    @property
    def receiver(self) -> Party:
        return Party(qualifier=self.isa.text(7), id=self.isa.text(8).strip())

    @property
    def date(self) -> str:
        return self.isa.text(9)

    @property
    def time(self) -> str:
        return self.isa.text(10)

    @property
    def version(self) -> str:
        return self.isa.text(12)

    @property
    def ack_requested(self) -> bool:
        return self.isa.text(14) == "1"

    @property
    def usage_indicator(self) -> str:
        return self.isa.text(15)

    @property
    def transactions(self) -> Iterator[Transaction]:
        for group in self.groups:
            yield from group.transactions

    @property
    def errors(self) -> list[EdiIssue]:
        return [issue for issue in self.issues if issue.severity == "error"]

    def all_issues(self) -> list[EdiIssue]:
        """Issues at every level, in file order."""
        found = list(self.issues)
        for group in self.groups:
            found += group.issues
            for transaction in group.transactions:
                found += transaction.issues
        return sorted(found, key=lambda issue: issue.position or 0)

    def segments(self) -> Iterator[Segment]:
        """Every segment, envelopes included, in file order."""
        yield self.isa
        for group in self.groups:
            yield group.gs
            for transaction in group.transactions:
                yield from transaction.segments
            if group.ge:
                yield group.ge
        if self.iea:
            yield self.iea


class _SeenControlNumbers:
    """The ST02s of one group, to find duplicates without memory growing with the group.

    Senders number sets consecutively, so a run (first..last) of numbers holds them all;
    only numbers out of that run are kept one by one.
    """

    __slots__ = ("width", "first", "last", "others")

    def __init__(self) -> None:
        self.width = 0
        self.first = 0
        self.last = -1
        self.others: set[str] = set()

    def add(self, control: str) -> bool:
        """Record ``control``; False if it was seen before."""
        # Numbers padded like the first one (0001 .. 9999, 10000 ..) are counted in the run;
        # "1" after "0001" is another string and is kept apart.
        if control.isdigit() and (
            self.width == 0 or str(int(control)).zfill(self.width) == control
        ):
            number = int(control)
            if self.width == 0:
                self.width, self.first, self.last = len(control), number, number
                return True
            if self.first <= number <= self.last:
                return False
            if number == self.last + 1 and control not in self.others:
                self.last = number
                return True
        if control in self.others:
            return False
        self.others.add(control)
        return True


class _EnvelopeWalker:
    """Assemble segments into envelopes and check them, raising or collecting issues.

    Yields each Transaction when its SE (or the segment that proves SE is missing) is read,
    and each Interchange at its IEA, so a streaming caller holds one transaction at a time.
    """

    def __init__(
        self,
        reader: X12SegmentReader,
        *,
        strict: bool,
        keep_body: bool,
        keep_transactions: bool,
        validate: TransactionValidator | None = None,
        supported_sets: Collection[str] | None = None,
    ) -> None:
        self.reader = reader
        self.strict = strict
        self.keep_body = keep_body
        self.keep_transactions = keep_transactions
        self.validate = validate
        self.supported_sets = supported_sets
        self.interchange: Interchange | None = None
        self.group: FunctionalGroup | None = None
        self.transaction: Transaction | None = None
        self.group_controls = _SeenControlNumbers()
        self.last: Segment | None = None

    def issue(
        self,
        target: Interchange | FunctionalGroup | Transaction,
        message: str,
        *,
        code: str,
        segment: Segment,
        level: str,
    ) -> None:
        found = _issue(message, level, code, segment)
        if self.strict:
            raise EdiEnvelopeError.from_issue(found)
        target.issues.append(found)

    def run(self) -> Iterator[Transaction | Interchange]:
        keep_body = self.keep_body
        for seg in self.reader:
            self.last = seg
            sid = seg.id
            if self.transaction is not None:
                if sid not in _ENVELOPE_IDS:
                    self.transaction.segment_count += 1
                    if keep_body:
                        self.transaction.body.append(seg)
                    continue
                if sid == "SE":
                    yield self.end_transaction(seg)
                    continue
                yield self.end_transaction(None, at=seg)
            if sid == "ISA":
                if self.interchange is not None:
                    raise EdiSyntaxError(
                        f"ISA inside interchange {self.interchange.control_number}: "
                        "its IEA is missing",
                        segment_id=sid,
                        position=seg.position,
                        offset=seg.offset,
                    )
                self.start_interchange(seg)
            elif self.interchange is None:
                raise EdiSyntaxError(
                    "segment outside an interchange",
                    segment_id=sid,
                    position=seg.position,
                    offset=seg.offset,
                )
            elif sid == "ST":
                self.start_transaction(seg)
            elif sid == "GS":
                if self.group is not None:
                    self.end_group(None, at=seg)
                self.start_group(seg)
            elif sid == "GE":
                if self.group is None:
                    self.issue(
                        self.interchange,
                        "GE without a GS",
                        code=INTERCHANGE_STRUCTURE,
                        segment=seg,
                        level="interchange",
                    )
                else:
                    self.end_group(seg)
            elif sid == "IEA":
                if self.group is not None:
                    self.end_group(None, at=seg)
                yield self.end_interchange(seg)
            else:
                target = self.group or self.interchange
                self.issue(
                    target,
                    f"segment {sid} outside a transaction set",
                    # No 716 code names a stray segment: AK9 says R without one.
                    code=NO_CODE if self.group else INTERCHANGE_STRUCTURE,
                    segment=seg,
                    level="group" if self.group else "interchange",
                )
        if self.interchange is not None:
            yield from self.end_of_file()

    def end_of_file(self) -> Iterator[Transaction | Interchange]:
        """The file ended before its trailers: raise, or close what is open with issues."""
        interchange = self.interchange
        assert interchange is not None
        last = self.last or interchange.isa
        if self.transaction is not None:
            message = (
                f"file ends inside transaction set {self.transaction.control_number} "
                "without SE (truncated file?)"
            )
            if self.strict:
                raise EdiEnvelopeError(
                    message, segment_id=last.id, position=last.position, offset=last.offset
                )
            self.transaction.issues.append(
                _issue(message, "transaction", AK5_TRAILER_MISSING, last)
            )
            yield self.end_transaction_without_trailer()
        if self.group is not None:
            message = (
                f"file ends inside functional group {self.group.control_number} "
                "without GE (truncated file?)"
            )
            if self.strict:
                raise EdiEnvelopeError(
                    message, segment_id=last.id, position=last.position, offset=last.offset
                )
            self.group.issues.append(_issue(message, "group", AK9_TRAILER_MISSING, last))
            self.group = None
        message = (
            f"file ends without IEA for interchange {interchange.control_number} (truncated file?)"
        )
        if self.strict:
            raise EdiEnvelopeError(
                message, segment_id=last.id, position=last.position, offset=last.offset
            )
        interchange.issues.append(_issue(message, "interchange", INTERCHANGE_STRUCTURE, last))
        self.interchange = None
        yield interchange

    def end_transaction_without_trailer(self) -> Transaction:
        transaction = self.transaction
        assert transaction is not None
        self.transaction = None
        if self.validate is not None and self.keep_body:
            transaction.issues.extend(self.validate(transaction))
        return transaction

    def start_interchange(self, isa: Segment) -> None:
        assert self.reader.delimiters is not None
        self.interchange = Interchange(isa=isa, delimiters=self.reader.delimiters)
        for warning in self.reader.isa_warnings:
            self.interchange.issues.append(
                EdiIssue(
                    message=warning,
                    level="interchange",
                    code=INTERCHANGE_STRUCTURE,
                    segment_id="ISA",
                    position=isa.position,
                    offset=isa.offset,
                    severity="warning",
                )
            )

    def end_interchange(self, iea: Segment) -> Interchange:
        interchange = self.interchange
        assert interchange is not None
        interchange.iea = iea
        declared = iea.text(1)
        if not declared.isdigit() or int(declared) != interchange.group_count:
            self.issue(
                interchange,
                f"IEA01 says {declared} functional groups but interchange "
                f"{interchange.control_number} has {interchange.group_count}",
                code=INTERCHANGE_STRUCTURE,
                segment=iea,
                level="interchange",
            )
        if iea.text(2) != interchange.control_number:
            self.issue(
                interchange,
                f"IEA02 {iea.text(2)} does not match ISA13 {interchange.control_number}",
                code=INTERCHANGE_STRUCTURE,
                segment=iea,
                level="interchange",
            )
        self.interchange = None
        return interchange

    def start_group(self, gs: Segment) -> None:
        interchange = self.interchange
        assert interchange is not None
        group = FunctionalGroup(gs=gs, interchange=interchange)
        interchange.group_count += 1
        interchange.groups.append(group)
        self.group = group
        self.group_controls = _SeenControlNumbers()
        if not group.control_number.isdigit():
            self.issue(
                group,
                f"GS06 group control number {group.control_number!r} must be digits",
                code=AK9_BAD_CONTROL_NUMBER,
                segment=gs,
                level="group",
            )

    def end_group(self, ge: Segment | None, *, at: Segment | None = None) -> None:
        group = self.group
        assert group is not None
        self.group = None
        if ge is None:
            assert at is not None
            self.issue(
                group,
                f"functional group {group.control_number} has no GE before {at.id}",
                code=AK9_TRAILER_MISSING,
                segment=at,
                level="group",
            )
            return
        group.ge = ge
        declared = ge.text(1)
        if not declared.isdigit() or int(declared) != group.transaction_count:
            self.issue(
                group,
                f"GE01 says {declared} transaction sets but group {group.control_number} "
                f"has {group.transaction_count}",
                code=AK9_COUNT_MISMATCH,
                segment=ge,
                level="group",
            )
        if ge.text(2) != group.control_number:
            self.issue(
                group,
                f"GE02 {ge.text(2)} does not match GS06 {group.control_number}",
                code=AK9_CONTROL_MISMATCH,
                segment=ge,
                level="group",
            )

    def start_transaction(self, st: Segment) -> None:
        group = self.group
        if group is None:
            assert self.interchange is not None
            self.issue(
                self.interchange,
                "ST outside a functional group (no GS before it)",
                code=INTERCHANGE_STRUCTURE,
                segment=st,
                level="interchange",
            )
            # Collected anyway in a headless group so the rest of the file can be read.
            self.start_group(Segment("GS", [], st.position, st.offset))
            group = self.group
            assert group is not None
        transaction = Transaction(st=st, group=group)
        group.transaction_count += 1
        if self.keep_transactions:
            group.transactions.append(transaction)
        self.transaction = transaction
        control = transaction.control_number
        if not transaction.set_id.isalnum() or len(transaction.set_id) != 3:
            self.issue(
                transaction,
                f"ST01 {transaction.set_id!r} is not a transaction set identifier",
                code=AK5_BAD_SET_ID,
                segment=st,
                level="transaction",
            )
        if not 4 <= len(control) <= 9:
            self.issue(
                transaction,
                f"ST02 {control!r} must be 4 to 9 characters",
                code=AK5_BAD_CONTROL_NUMBER,
                segment=st,
                level="transaction",
            )
        if not self.group_controls.add(control):
            self.issue(
                transaction,
                f"ST02 {control} is used twice in group {group.control_number}",
                code=AK5_DUPLICATE_CONTROL,
                segment=st,
                level="transaction",
            )
        if self.supported_sets is not None and transaction.set_id not in self.supported_sets:
            self.issue(
                transaction,
                f"transaction set {transaction.set_id} is not supported",
                code=AK5_NOT_SUPPORTED,
                segment=st,
                level="transaction",
            )

    def end_transaction(self, se: Segment | None, *, at: Segment | None = None) -> Transaction:
        transaction = self.transaction
        assert transaction is not None
        self.transaction = None
        if se is None:
            assert at is not None
            self.issue(
                transaction,
                f"transaction set {transaction.control_number} has no SE before {at.id}",
                code=AK5_TRAILER_MISSING,
                segment=at,
                level="transaction",
            )
        else:
            transaction.se = se
            transaction.segment_count += 1
            declared = se.text(1)
            if not declared.isdigit() or int(declared) != transaction.segment_count:
                self.issue(
                    transaction,
                    f"SE01 says {declared} segments but transaction "
                    f"{transaction.control_number} has {transaction.segment_count}",
                    code=AK5_COUNT_MISMATCH,
                    segment=se,
                    level="transaction",
                )
            if se.text(2) != transaction.control_number:
                self.issue(
                    transaction,
                    f"SE02 {se.text(2)} does not match ST02 {transaction.control_number}",
                    code=AK5_CONTROL_MISMATCH,
                    segment=se,
                    level="transaction",
                )
        if self.validate is not None and self.keep_body:
            transaction.issues.extend(self.validate(transaction))
        return transaction


def _issue(message: str, level: str, code: str, segment: Segment) -> EdiIssue:
    return EdiIssue(
        message=message,
        level=level,  # type: ignore[arg-type]
        code=code,
        segment_id=segment.id,
        position=segment.position,
        offset=segment.offset,
    )


def iter_transactions(
    source: Source,
    *,
    encoding: str = "utf-8",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    strict_isa: bool = False,
) -> Iterator[Transaction]:
    """Stream transaction sets, checking every envelope; memory holds one transaction.

    A transaction is yielded before its group's GE and the IEA are read, so a caller
    that acts on each must treat them as provisional until the iteration ends without an
    EdiSyntaxError (for example by staging them in one database transaction).
    ``transaction.group`` and ``transaction.interchange`` carry the envelope headers; their
    ``transactions`` lists stay empty while streaming.
    """
    with open_source(source) as handle:
        reader = X12SegmentReader(
            handle, encoding=encoding, chunk_size=chunk_size, strict_isa=strict_isa
        )
        walker = _EnvelopeWalker(reader, strict=True, keep_body=True, keep_transactions=False)
        for item in walker.run():
            if isinstance(item, Transaction):
                yield item


def iter_x12(
    source: Source,
    *,
    encoding: str = "utf-8",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    strict_isa: bool = False,
) -> Iterator[Transaction | Interchange]:
    """Stream a file as it is read: each Transaction, then its Interchange once IEA checks out.

    Like ``iter_transactions`` but also yields each Interchange (envelopes without their
    transactions) after its IEA, the point where everything before it is verified: a
    caller can commit per interchange of a file holding several.
    """
    with open_source(source) as handle:
        reader = X12SegmentReader(
            handle, encoding=encoding, chunk_size=chunk_size, strict_isa=strict_isa
        )
        yield from _EnvelopeWalker(
            reader, strict=True, keep_body=True, keep_transactions=False
        ).run()


def parse_interchanges(
    source: Source, *, encoding: str = "utf-8", strict_isa: bool = False
) -> list[Interchange]:
    """Every interchange of a file, fully checked: a complete model or EdiSyntaxError."""
    with open_source(source) as handle:
        reader = X12SegmentReader(handle, encoding=encoding, strict_isa=strict_isa)
        walker = _EnvelopeWalker(reader, strict=True, keep_body=True, keep_transactions=True)
        return [item for item in walker.run() if isinstance(item, Interchange)]


def parse_interchange(
    source: Source, *, encoding: str = "utf-8", strict_isa: bool = False
) -> Interchange:
    """The one interchange of a document, fully checked: a complete model or EdiSyntaxError."""
    interchanges = parse_interchanges(source, encoding=encoding, strict_isa=strict_isa)
    if len(interchanges) != 1:
        second = interchanges[1].isa
        raise EdiSyntaxError(
            f"expected one interchange, found {len(interchanges)}",
            segment_id="ISA",
            position=second.position,
            offset=second.offset,
        )
    return interchanges[0]


def validate_interchanges(
    source: Source,
    *,
    encoding: str = "utf-8",
    validate: TransactionValidator | None = None,
    supported_sets: Collection[str] | None = None,
    keep_segments: bool = True,
    strict_isa: bool = False,
) -> list[Interchange]:
    """Read every interchange, collecting envelope and content issues instead of raising.

    The result feeds an acknowledgement (accepted, accepted with errors, rejected). A file
    that ends after a whole segment but before its trailers is closed with issues (SE, GE
    or IEA missing). Only a file that cannot be split into segments (bad ISA, a file cut
    inside a segment) still raises EdiSyntaxError: there is no group to acknowledge then. ``validate`` checks a transaction's content (see
    ``mappings.validate_transaction``); it needs ``keep_segments``. Without
    ``keep_segments`` transactions keep their envelope data and issues, not their bodies.
    """
    with open_source(source) as handle:
        reader = X12SegmentReader(handle, encoding=encoding, strict_isa=strict_isa)
        walker = _EnvelopeWalker(
            reader,
            strict=False,
            keep_body=keep_segments,
            keep_transactions=True,
            validate=validate,
            supported_sets=supported_sets,
        )
        return [item for item in walker.run() if isinstance(item, Interchange)]
