"""Exception types and their structured fields; existing rules and details are typed.

The seeded rules (sfcc 0002) are typed by their codes, any other rule is "other" until an
administrator types it. Existing details take their rule's type and fill what the mirror
and their detail text already say (carrier, tracking number, what failed); the short lines
of existing stock shortages are not back-filled.
"""

from django.db import migrations, models

TYPES_BY_CODE = {
    "STOCK_SHORTAGE": "stock_shortage",
    "ADDRESS_INVALID": "address_issue",
    "PAYMENT_FAILED": "payment_failure",
    "CARRIER_EXCEPTION": "carrier_exception",
}
# The seeded rules by name, for a rule whose code an administrator has changed.
TYPES_BY_NAME = {
    "Stock shortage": "stock_shortage",
    "Address problem": "address_issue",
    "Payment failure": "payment_failure",
    "Carrier exception": "carrier_exception",
}
PAYMENT_NOTE = "Payment not confirmed: hold the shipment until the retailer confirms it here."


def type_rules(apps, schema_editor):
    ExceptionRule = apps.get_model("exceptions", "ExceptionRule")
    for rule in ExceptionRule.objects.all():
        kind = TYPES_BY_CODE.get(rule.exception_code.upper()) or TYPES_BY_NAME.get(rule.name)
        if kind:
            rule.exception_type = kind
            rule.save(update_fields=["exception_type"])


def type_details(apps, schema_editor):
    ExceptionDetail = apps.get_model("exceptions", "ExceptionDetail")
    Shipment = apps.get_model("orders", "Shipment")
    for detail in ExceptionDetail.objects.select_related("rule"):
        kind = (
            detail.rule.exception_type
            if detail.rule is not None
            else TYPES_BY_CODE.get(detail.code, "other")
        )
        detail.exception_type = kind
        shipment = (
            Shipment.objects.filter(
                order__order_no=detail.order_number, order__site_id=detail.site_id
            )
            .order_by("shipment_no", "id")
            .first()
        )
        if shipment is not None:
            detail.carrier = shipment.carrier_code[:64]
            detail.tracking_number = shipment.tracking_number[:100]
        if kind == "address_issue":
            detail.address_problem = (detail.detail or f"SFCC reports {detail.code}.")[:300]
        elif kind == "carrier_exception":
            detail.carrier_notes = detail.detail
        elif kind == "payment_failure":
            detail.payment_note = PAYMENT_NOTE
        detail.save()


class Migration(migrations.Migration):
    dependencies = [("exceptions", "0002_detail_by_order_number")]

    operations = [
        migrations.AddField(
            model_name="exceptionrule",
            name="exception_type",
            field=models.CharField(
                choices=[
                    ("stock_shortage", "Stock shortage"),
                    ("address_issue", "Address issue"),
                    ("payment_failure", "Payment failure"),
                    ("carrier_exception", "Carrier exception"),
                    ("other", "Other"),
                ],
                default="other",
                help_text="Which structured fields the case gets (short lines, address, carrier…).",
                max_length=30,
            ),
        ),
        migrations.AddField(
            model_name="exceptiondetail",
            name="source",
            field=models.CharField(
                choices=[("rule", "Detected from SFCC"), ("manual", "Opened by an agent")],
                default="rule",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="exceptiondetail",
            name="exception_type",
            field=models.CharField(
                choices=[
                    ("stock_shortage", "Stock shortage"),
                    ("address_issue", "Address issue"),
                    ("payment_failure", "Payment failure"),
                    ("carrier_exception", "Carrier exception"),
                    ("other", "Other"),
                ],
                default="other",
                max_length=30,
            ),
        ),
        migrations.AddField(
            model_name="exceptiondetail",
            name="address_problem",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="exceptiondetail",
            name="address_correction",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="exceptiondetail",
            name="payment_note",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="exceptiondetail",
            name="carrier",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="exceptiondetail",
            name="tracking_number",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="exceptiondetail",
            name="carrier_exception_code",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="exceptiondetail",
            name="carrier_notes",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="exceptiondetail",
            name="accepted_resolution",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="exceptiondetail",
            name="accepted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        # Detected exceptions stay one per (order, code, partner); an agent's own are not SFCC's.
        migrations.AddConstraint(
            model_name="exceptiondetail",
            constraint=models.UniqueConstraint(
                condition=models.Q(("source", "rule")),
                fields=("order_number", "code", "partner"),
                name="exceptions_unique_detected",
            ),
        ),
        migrations.RunPython(type_rules, migrations.RunPython.noop),
        migrations.RunPython(type_details, migrations.RunPython.noop),
    ]
