"""EDI library of the Trading Grid connector: X12, EDIFACT, acknowledgements, collab documents.

Pure Python, no Django. The connector calls what is re-exported here; see
docs/tradinggrid-collaboration.md for the collaboration document type.
"""

from .acks import (
    AckReference,
    AckResult,
    GroupAck,
    TransactionAck,
    build_997,
    build_997_for_collab,
    build_contrl,
    read_997,
    read_acknowledgement,
    read_contrl,
)
from .collab import (
    PARTNER_EVENT_TYPES,
    CollabCase,
    CollabControl,
    CollabDocument,
    CollabFile,
    build_document,
    parse_document,
)
from .control_numbers import (
    ControlNumberSource,
    FileControlNumberSource,
    MemoryControlNumberSource,
)
from .edifact import (
    EdifactCharacters,
    EdifactInterchange,
    EdifactMessage,
    EdifactSegmentReader,
    OutboundMessage,
    build_edifact_interchange,
    iter_edifact_messages,
    parse_edifact,
    validate_edifact,
    write_edifact,
)
from .errors import (
    CollabDocumentError,
    EdiEnvelopeError,
    EdiError,
    EdiIssue,
    EdiSyntaxError,
    EdiWriteError,
    MappingError,
)
from .mappings import (
    TransactionMapping,
    find_mapping,
    get_mapping,
    register_mapping,
    registered_mappings,
    validate_x12_transaction,
)
from .parties import Party
from .segments import Segment, segment
from .x12_build import FUNCTIONAL_IDS, OutboundTransaction, build_interchange, functional_id_for
from .x12_envelopes import (
    FunctionalGroup,
    Interchange,
    Transaction,
    iter_transactions,
    iter_x12,
    parse_interchange,
    parse_interchanges,
    validate_interchanges,
)
from .x12_reader import X12Delimiters, X12SegmentReader, iter_segments, read_segments
from .x12_writer import X12Writer, write_interchange

__all__ = [
    "AckReference",
    "AckResult",
    "CollabCase",
    "CollabControl",
    "CollabDocument",
    "CollabDocumentError",
    "CollabFile",
    "ControlNumberSource",
    "EdiEnvelopeError",
    "EdiError",
    "EdiIssue",
    "EdiSyntaxError",
    "EdiWriteError",
    "EdifactCharacters",
    "EdifactInterchange",
    "EdifactMessage",
    "EdifactSegmentReader",
    "FileControlNumberSource",
    "FUNCTIONAL_IDS",
    "FunctionalGroup",
    "GroupAck",
    "Interchange",
    "MappingError",
    "MemoryControlNumberSource",
    "OutboundMessage",
    "OutboundTransaction",
    "PARTNER_EVENT_TYPES",
    "Party",
    "Segment",
    "Transaction",
    "TransactionAck",
    "TransactionMapping",
    "X12Delimiters",
    "X12SegmentReader",
    "X12Writer",
    "build_997",
    "build_997_for_collab",
    "build_contrl",
    "build_document",
    "build_edifact_interchange",
    "build_interchange",
    "find_mapping",
    "functional_id_for",
    "get_mapping",
    "iter_edifact_messages",
    "iter_segments",
    "iter_transactions",
    "iter_x12",
    "parse_document",
    "parse_edifact",
    "parse_interchange",
    "parse_interchanges",
    "read_997",
    "read_acknowledgement",
    "read_contrl",
    "read_segments",
    "register_mapping",
    "registered_mappings",
    "segment",
    "validate_edifact",
    "validate_interchanges",
    "validate_x12_transaction",
    "write_edifact",
    "write_interchange",
]
