"""Default exception rules for the codes SFCC (and the simulator) put in c_fulfillmentExceptionCode.

Who gets which exception: a stock shortage goes to the product's supplier; an address problem
to the fulfilment location (the warehouse holds the parcel); a payment failure to the
marketplace seller, or to the supplier when no seller is named, since either must hold the
shipment; a carrier exception to the carrier. Any other code goes to the supplier, so a code
added in SFCC before a rule exists still reaches someone. Administrators edit these in the admin.
"""

from django.db import migrations

FIELD = "c_fulfillmentExceptionCode"
DETAIL = "c_fulfillmentExceptionDetail"

RULES = [
    {
        "name": "Stock shortage",
        "value": "STOCK_SHORTAGE",
        "party": "supplier",
        "fallback_party": "marketplace_seller",
        "case_priority": "high",
        "subject": "Stock shortage on order {order_no}",
        "instructions": "Tell us when you can ship the lines below, or offer a substitute.",
        "rank": 10,
    },
    {
        "name": "Address problem",
        "value": "ADDRESS_INVALID",
        "party": "fulfillment_location",
        "fallback_party": "supplier",
        "case_priority": "high",
        "subject": "Address problem on order {order_no}",
        "instructions": "Hold the parcel; we are confirming the address with the customer.",
        "share_address": True,
        "rank": 20,
    },
    {
        "name": "Payment failure",
        "value": "PAYMENT_FAILED",
        "party": "marketplace_seller",
        "fallback_party": "supplier",
        "case_priority": "urgent",
        "subject": "Hold order {order_no}: payment not confirmed",
        "instructions": "Do not ship this order until we confirm it here.",
        "rank": 30,
    },
    {
        "name": "Carrier exception",
        "value": "CARRIER_EXCEPTION",
        "party": "carrier",
        "fallback_party": "fulfillment_location",
        "case_priority": "high",
        "subject": "Carrier exception on order {order_no}",
        "instructions": "Tell us what happened to the parcel and when it will be delivered.",
        "detail_fields": f"{DETAIL},c_carrierExceptionDetail",
        "share_address": True,
        "rank": 40,
    },
    {
        "name": "Other fulfilment exception",
        "operator": "present",
        "value": "",
        "party": "supplier",
        "fallback_party": "fulfillment_location",
        "case_priority": "normal",
        "subject": "Fulfilment exception {code} on order {order_no}",
        "instructions": "SFCC reports an exception on this order; tell us what you need.",
        "rank": 1000,
    },
]


def seed(apps, schema_editor):
    ExceptionRule = apps.get_model("sfcc", "ExceptionRule")
    for spec in RULES:
        values = {
            "field": FIELD,
            "operator": "equals",
            "exception_code": spec["value"],
            "detail_fields": DETAIL,
            "case_kind": "order_exception",
            **spec,
        }
        ExceptionRule.objects.get_or_create(name=values.pop("name"), defaults=values)


def unseed(apps, schema_editor):
    ExceptionRule = apps.get_model("sfcc", "ExceptionRule")
    ExceptionRule.objects.filter(name__in=[spec["name"] for spec in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("sfcc", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
