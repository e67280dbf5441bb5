"""The order mirror moves from apps.sfcc to this app without touching the database.

The tables stay SFCC's (`sfcc_sfccorder`, …) in this step: only Django's idea of which app
owns them changes (sfcc 0003 drops them from its state). 0002 then renames the tables, the
named indexes and the constraints to this app's, keeping every row.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("partners", "0001_initial"),
        ("workspace", "0001_initial"),
        # The tables this state describes are created by sfcc 0001.
        ("sfcc", "0002_seed_exception_rules"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Order",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("site_id", models.CharField(max_length=64)),
                        ("order_no", models.CharField(max_length=50)),
                        ("status", models.CharField(blank=True, max_length=32)),
                        ("payment_status", models.CharField(blank=True, max_length=32)),
                        ("shipping_status", models.CharField(blank=True, max_length=32)),
                        ("confirmation_status", models.CharField(blank=True, max_length=32)),
                        ("export_status", models.CharField(blank=True, max_length=32)),
                        ("external_status", models.CharField(blank=True, max_length=256)),
                        ("channel_type", models.CharField(blank=True, max_length=40)),
                        ("currency", models.CharField(blank=True, max_length=3)),
                        ("total", models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True)),
                        ("creation_date", models.DateTimeField(blank=True, null=True)),
                        ("last_modified", models.DateTimeField(help_text="SFCC's lastModified of the version mirrored; older updates are ignored.")),
                        ("custom", models.JSONField(blank=True, default=dict, help_text="Selected c_ attributes of the order.")),
                        ("mirrored_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        "verbose_name": "SFCC order",
                        "ordering": ["-last_modified", "-id"],
                        "db_table": "sfcc_sfccorder",
                        "indexes": [models.Index(fields=["order_no"], name="sfcc_order_no_idx")],
                        "constraints": [models.UniqueConstraint(fields=("site_id", "order_no"), name="sfcc_unique_order")],
                    },
                ),
                migrations.CreateModel(
                    name="OrderLine",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("position", models.PositiveIntegerField(default=0)),
                        ("item_id", models.CharField(blank=True, max_length=64)),
                        ("product_id", models.CharField(max_length=100)),
                        ("product_name", models.CharField(blank=True, max_length=200)),
                        ("quantity", models.DecimalField(decimal_places=3, default=1, max_digits=12)),
                        ("shipment_id", models.CharField(blank=True, max_length=64)),
                        ("supplier_code", models.CharField(blank=True, max_length=64)),
                        ("order", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="lines", to="orders.order")),
                        ("partner", models.ForeignKey(blank=True, help_text="The partner the routing rules gave this line to.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="order_lines", to="partners.organization")),
                    ],
                    options={
                        "ordering": ["order", "position", "id"],
                        "db_table": "sfcc_sfccorderline",
                    },
                ),
                migrations.CreateModel(
                    name="RoutingRule",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("match_type", models.CharField(choices=[("supplier", "Supplier of the product (c_supplierId)"), ("fulfillment_location", "Fulfilment location (c_fulfillmentLocation)"), ("carrier", "Carrier (c_carrierId / c_carrierCode)"), ("marketplace_seller", "Marketplace seller (c_marketplaceSellerId)")], max_length=30)),
                        ("value", models.CharField(help_text="The id as SFCC writes it, e.g. SUP-001 or DHL (case-insensitive).", max_length=64)),
                        ("priority", models.PositiveIntegerField(default=100, help_text="Lower wins.")),
                        ("is_active", models.BooleanField(default=True)),
                        ("note", models.CharField(blank=True, max_length=200)),
                        ("partner", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="routing_rules", to="partners.organization")),
                    ],
                    options={
                        "ordering": ["match_type", "priority", "id"],
                        "db_table": "sfcc_routingrule",
                        "indexes": [models.Index(fields=["match_type", "value", "priority"], name="sfcc_routing_idx")],
                    },
                ),
                migrations.CreateModel(
                    name="Shipment",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("shipment_id", models.CharField(max_length=64)),
                        ("shipment_no", models.CharField(blank=True, max_length=64)),
                        ("status", models.CharField(blank=True, max_length=32)),
                        ("method", models.CharField(blank=True, max_length=100)),
                        ("carrier_code", models.CharField(blank=True, max_length=64)),
                        ("fulfillment_location", models.CharField(blank=True, max_length=64)),
                        ("tracking_number", models.CharField(blank=True, max_length=100)),
                        ("ship_to_name", models.CharField(blank=True, max_length=200)),
                        ("address1", models.CharField(blank=True, max_length=200)),
                        ("address2", models.CharField(blank=True, max_length=200)),
                        ("city", models.CharField(blank=True, max_length=100)),
                        ("state_code", models.CharField(blank=True, max_length=20)),
                        ("postal_code", models.CharField(blank=True, max_length=20)),
                        ("country_code", models.CharField(blank=True, max_length=2)),
                        ("order", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="shipments", to="orders.order")),
                    ],
                    options={
                        "ordering": ["order", "shipment_no", "id"],
                        "db_table": "sfcc_sfccshipment",
                        "constraints": [models.UniqueConstraint(fields=("order", "shipment_id"), name="sfcc_unique_shipment")],
                    },
                ),
            ],
        ),
    ]
