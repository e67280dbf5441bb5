"""Exception details name their order by its natural key, and the tables take this app's names.

The mirror's rows are replaced on every apply and a case already holds its order number, so
the link keeps (order number, site) instead of a foreign key; the numbers are copied from the
order rows before the key is dropped. Rows are kept.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_order_keys(apps, schema_editor):
    ExceptionDetail = apps.get_model("exceptions", "ExceptionDetail")
    Order = apps.get_model("orders", "Order")
    order = Order.objects.filter(pk=OuterRef("order_id"))
    ExceptionDetail.objects.update(
        order_number=Subquery(order.values("order_no")[:1]),
        site_id=Subquery(order.values("site_id")[:1]),
    )


def copy_order_ids(apps, schema_editor):
    ExceptionDetail = apps.get_model("exceptions", "ExceptionDetail")
    Order = apps.get_model("orders", "Order")
    ExceptionDetail.objects.update(
        order_id=Subquery(
            Order.objects.filter(
                order_no=OuterRef("order_number"), site_id=OuterRef("site_id")
            ).values("pk")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("exceptions", "0001_initial"),
        ("orders", "0002_own_tables_and_customer"),
        ("sfcc", "0003_mirror_and_rules_move_out"),
    ]

    operations = [
        migrations.AlterModelTable(name="exceptionrule", table=None),
        migrations.AlterModelTable(name="exceptiondetail", table=None),
        # Nullable first, so that going back can re-add the key before refilling it.
        migrations.AlterField(
            model_name="exceptiondetail",
            name="order",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="orders.order",
            ),
        ),
        migrations.AddField(
            model_name="exceptiondetail",
            name="order_number",
            field=models.CharField(db_index=True, default="", max_length=50),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="exceptiondetail",
            name="site_id",
            field=models.CharField(blank=True, default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(copy_order_keys, copy_order_ids),
        migrations.RemoveConstraint(
            model_name="exceptiondetail", name="sfcc_unique_order_exception"
        ),
        migrations.RemoveField(model_name="exceptiondetail", name="order"),
    ]
