"""A valid payload for every transition form, so table tests can take every step of every flow.

A new PayloadForm without a sample here makes `sample_payload` fail with its name: add one.
"""

SAMPLES = {
    "ProposalForm": {
        "resolution": "reship",
        "ship_date": "2026-12-20",
        "note": "Reshipping from Tilburg.",
    },
    "AcceptForm": {},
    "AllocationAnswerForm": {"note": "Confirmed as planned."},
    "PlanForm": {
        "root_cause_code": "carrier_delay",
        "root_cause_detail": "The parcel missed the linehaul at the hub.",
        "plan_type": "reship",
        "plan": "Reship by express today.",
        "plan_due": "2026-12-22",
    },
    # Flow 4 (drop-ship): a case opened bare has no lines, so an answer names none.
    "AnswerForm": {"ship_date": "2026-12-20", "note": "Ships from Reno."},
    "RejectForm": {"reason": "discontinued", "note": "No longer made."},
    "ExceptionForm": {
        "exception_type": "address",
        "detail": "The postcode does not match the city.",
    },
    "ChangeRequestForm": {"change": "cancel", "detail": "The customer cancelled."},
    "ChangeAnswerForm": {"note": "Stopped before picking."},
    "ChangeRefusalForm": {"note": "Already shipped."},
    # Both land on one shipment, delivered, so every later step of the table finds it there.
    "MilestoneForm": {"shipment": "SHP-1", "step": "delivered", "carrier": "UPSN", "tracking_number": "1Z999AA10123456784"},
    "MilestoneExceptionForm": {
        "shipment": "SHP-1", "step": "delivered", "exception_code": "damaged", "exception_note": "Outer carton crushed.",
    },
    "ReplacementForm": {"note": "Replacement ships from Tilburg."},
    "CreditForm": {"credit": "partial", "amount": "10.00", "currency": "USD"},
    "DenialForm": {"denial_reason_code": "misuse", "denial_reason": "The hinge was forced open."},
    "DisputeForm": {"dispute_statement": "The new photo shows the crack at delivery."},
    "DocumentSubmitForm": {"note": "Signed by the chamber of commerce."},
    "DocumentAcceptForm": {},
    "DocumentRejectForm": {"reason": "wrong_document"},
    "ChecklistUpdateForm": {"item": "inventory", "status": "done", "note": "1,200 units at DC Tilburg."},
    "ConstraintForm": {"sku": "SKU-1", "quantity_at_risk": "120", "date": "2026-12-20", "note": "Port delay."},
}


def sample_payload(step) -> dict | None:
    if step.payload_form is None:
        return None
    name = step.payload_form.__name__
    assert name in SAMPLES, f"tests/support/payloads.py has no sample for {name}"
    return SAMPLES[name]
