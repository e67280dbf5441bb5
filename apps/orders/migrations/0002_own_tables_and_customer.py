"""The mirror's tables, indexes and constraints take this app's names; orders learn their customer.

Renames keep every row. The customer's name and the keyed hash of the e-mail are filled by
the next apply of each order (the documents already mirrored no longer hold the e-mail).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
        # sfcc's state has let go of the tables before they are renamed.
        ("sfcc", "0003_mirror_and_rules_move_out"),
    ]

    operations = [
        migrations.AlterModelTable(name="order", table=None),
        migrations.AlterModelTable(name="orderline", table=None),
        migrations.AlterModelTable(name="routingrule", table=None),
        migrations.AlterModelTable(name="shipment", table=None),
        migrations.AlterModelOptions(
            name="order",
            options={"ordering": ["-last_modified", "-id"], "verbose_name": "order"},
        ),
        migrations.RenameIndex(
            model_name="order", new_name="orders_order_no_idx", old_name="sfcc_order_no_idx"
        ),
        migrations.RenameIndex(
            model_name="routingrule", new_name="orders_routing_idx", old_name="sfcc_routing_idx"
        ),
        migrations.RemoveConstraint(model_name="order", name="sfcc_unique_order"),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.UniqueConstraint(
                fields=("site_id", "order_no"), name="orders_unique_order"
            ),
        ),
        migrations.RemoveConstraint(model_name="shipment", name="sfcc_unique_shipment"),
        migrations.AddConstraint(
            model_name="shipment",
            constraint=models.UniqueConstraint(
                fields=("order", "shipment_id"), name="orders_unique_shipment"
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="customer_name",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="order",
            name="customer_email_hash",
            field=models.CharField(
                blank=True,
                db_index=True,
                help_text="HMAC-SHA256 of the trimmed, lower-cased e-mail; the e-mail is not kept.",
                max_length=64,
            ),
        ),
    ]
