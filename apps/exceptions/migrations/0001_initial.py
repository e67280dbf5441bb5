"""The exception rules and the exception links move here from apps.sfcc, state only.

The tables stay `sfcc_exceptionrule` and `sfcc_orderexception` in this step, with the link
still pointing at the mirror's order row, as in sfcc 0001; `OrderException` is known here as
`ExceptionDetail`. 0002 moves the link to the order's natural key and renames the tables.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("partners", "0001_initial"),
        ("workspace", "0001_initial"),
        ("orders", "0001_initial"),
        # The tables this state describes, and the seeded rules, come from sfcc 0001 and 0002.
        ("sfcc", "0002_seed_exception_rules"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ExceptionRule",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=100)),
                        ("field", models.CharField(help_text="An order field (status, paymentStatus, shippingStatus, exportStatus, confirmationStatus) or a c_ attribute of the order, e.g. c_fulfillmentExceptionCode.", max_length=100)),
                        ("operator", models.CharField(choices=[("equals", "equals"), ("in", "is one of (comma-separated)"), ("present", "is present (any value)")], default="equals", max_length=10)),
                        ("value", models.CharField(blank=True, max_length=200)),
                        ("exception_code", models.CharField(blank=True, help_text="The exception's key; empty means the field's value (for 'is present').", max_length=64)),
                        ("party", models.CharField(choices=[("supplier", "Supplier"), ("fulfillment_location", "Fulfilment location (warehouse)"), ("carrier", "Carrier"), ("marketplace_seller", "Marketplace seller")], max_length=30)),
                        ("fallback_party", models.CharField(blank=True, choices=[("supplier", "Supplier"), ("fulfillment_location", "Fulfilment location (warehouse)"), ("carrier", "Carrier"), ("marketplace_seller", "Marketplace seller")], help_text="Who gets it when the order names no partner of the first kind.", max_length=30)),
                        ("case_kind", models.CharField(choices=[("order_exception", "Order exception"), ("allocation", "Demand and allocation"), ("trade_document", "Trade document"), ("dropship", "Drop-ship order"), ("claim", "Return or claim"), ("launch", "Launch readiness"), ("escalation", "Service escalation"), ("milestone", "B2B order milestones")], default="order_exception", max_length=30)),
                        ("case_priority", models.CharField(choices=[("low", "Low"), ("normal", "Normal"), ("high", "High"), ("urgent", "Urgent")], default="normal", max_length=10)),
                        ("subject", models.CharField(help_text="Case subject; {order_no} and {code} are filled in.", max_length=150)),
                        ("instructions", models.TextField(blank=True, help_text="What the partner should do; opens the case's conversation.")),
                        ("detail_fields", models.CharField(blank=True, default="c_fulfillmentExceptionDetail", help_text="Comma-separated c_ attributes whose text describes the exception; a change is posted to the case.", max_length=300)),
                        ("share_address", models.BooleanField(default=False, help_text="Show the ship-to address in the case (address problems).")),
                        ("rank", models.PositiveIntegerField(default=100, help_text="Lower is tried first; per field, the first matching rule wins.")),
                        ("is_active", models.BooleanField(default=True)),
                    ],
                    options={
                        "ordering": ["rank", "id"],
                        "db_table": "sfcc_exceptionrule",
                    },
                ),
                migrations.CreateModel(
                    name="ExceptionDetail",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code", models.CharField(max_length=64)),
                        ("active", models.BooleanField(default=True, help_text="Still reported by SFCC.")),
                        ("detail", models.TextField(blank=True)),
                        ("detected_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("cleared_at", models.DateTimeField(blank=True, null=True)),
                        ("case", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="exception_detail", to="workspace.case")),
                        ("order", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="orders.order")),
                        ("partner", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="exception_details", to="partners.organization")),
                        ("rule", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="exceptions.exceptionrule")),
                    ],
                    options={
                        "ordering": ["-detected_at", "-id"],
                        "db_table": "sfcc_orderexception",
                        "constraints": [models.UniqueConstraint(fields=("order", "code", "partner"), name="sfcc_unique_order_exception")],
                    },
                ),
            ],
        ),
    ]
