"""Flow 7's detail row, and the reason-code lists administrators edit, seeded."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

CODES = {
    "exception_resolution": [
        ("partial_backorder", "Ship partial, backorder the rest"),
        ("substitute", "Substitute"),
        ("reship", "Reship"),
        ("address_corrected", "Address corrected"),
        ("lines_cancelled", "Lines cancelled"),
        ("carrier_claim", "Carrier claim opened"),
        ("resolved_other", "Resolved otherwise"),
    ],
    "exception_root_cause": [
        ("forecast_error", "Forecast error"),
        ("inventory_mismatch", "Inventory mismatch"),
        ("warehouse_error", "Warehouse error"),
        ("carrier_damage", "Damaged by the carrier"),
        ("address_data", "Wrong or incomplete address"),
        ("payment_review", "Payment under review"),
        ("other", "Other"),
    ],
    "escalation_root_cause": [
        ("carrier_delay", "Carrier delay"),
        ("lost_in_transit", "Lost in transit"),
        ("picking_error", "Picking error"),
        ("packing_error", "Packing error"),
        ("manufacturing_defect", "Manufacturing defect"),
        ("damaged_in_transit", "Damaged in transit"),
        ("customer_error", "Customer error"),
        ("other", "Other"),
    ],
}


def seed(apps, schema_editor):
    ReasonCode = apps.get_model("exceptions", "ReasonCode")
    for list_name, codes in CODES.items():
        for rank, (code, label) in enumerate(codes, start=1):
            ReasonCode.objects.get_or_create(
                list=list_name, code=code, defaults={"label": label, "rank": rank * 10}
            )


def unseed(apps, schema_editor):
    ReasonCode = apps.get_model("exceptions", "ReasonCode")
    for list_name, codes in CODES.items():
        ReasonCode.objects.filter(list=list_name, code__in=[c for c, _ in codes]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("exceptions", "0003_structured_fields"),
        ("workspace", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Escalation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("order_number", models.CharField(db_index=True, max_length=50)),
                ("reason", models.CharField(choices=[("delivery_delay", "Delivery delay"), ("missing_item", "Missing item"), ("product_defect", "Product defect")], max_length=30)),
                ("customer_words", models.TextField(blank=True)),
                ("shipment_id", models.CharField(blank=True, max_length=64)),
                ("carrier", models.CharField(blank=True, max_length=64)),
                ("tracking_number", models.CharField(blank=True, max_length=100)),
                ("root_cause_code", models.CharField(blank=True, max_length=40)),
                ("root_cause_detail", models.TextField(blank=True)),
                ("plan_type", models.CharField(blank=True, max_length=30)),
                ("plan", models.TextField(blank=True)),
                ("plan_due", models.DateField(blank=True, null=True)),
                ("customer_update_due", models.DateTimeField(blank=True, help_text="When the agent owes the customer the next update.", null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("case", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="escalation", to="workspace.case")),
            ],
            options={"ordering": ["-created_at", "-id"]},
        ),
        migrations.CreateModel(
            name="ReasonCode",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("list", models.CharField(choices=[("exception_resolution", "Exception resolution"), ("exception_root_cause", "Exception root cause"), ("escalation_root_cause", "Escalation root cause")], max_length=30)),
                ("code", models.SlugField(max_length=40)),
                ("label", models.CharField(max_length=100)),
                ("is_active", models.BooleanField(default=True)),
                ("rank", models.PositiveIntegerField(default=100, help_text="Lower comes first.")),
            ],
            options={
                "ordering": ["list", "rank", "label"],
                "constraints": [models.UniqueConstraint(fields=("list", "code"), name="exceptions_unique_reason_code")],
            },
        ),
        migrations.RunPython(seed, unseed),
    ]
