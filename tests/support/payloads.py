"""A valid payload for every transition form, so table tests can take every step of every flow.

A new PayloadForm without a sample here makes `sample_payload` fail with its name: add one.
"""

SAMPLES = {
    "ProposalForm": {"resolution": "reship", "ship_date": "2026-12-20", "note": "Reshipping from Tilburg."},
    "AcceptForm": {},
    "AllocationAnswerForm": {"note": "Confirmed as planned."},
    "PlanForm": {
        "root_cause_code": "carrier_delay",
        "root_cause_detail": "The parcel missed the linehaul at the hub.",
        "plan_type": "reship",
        "plan": "Reship by express today.",
        "plan_due": "2026-12-22",
    },
}


def sample_payload(step) -> dict | None:
    if step.payload_form is None:
        return None
    name = step.payload_form.__name__
    assert name in SAMPLES, f"tests/support/payloads.py has no sample for {name}"
    return SAMPLES[name]
