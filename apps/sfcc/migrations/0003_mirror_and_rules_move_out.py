"""The order mirror and routing move to apps.orders, the exception rules and links to
apps.exceptions: state only, the tables and their rows stay where they are.

Those apps' 0001 migrations take the models over under the same tables; their later
migrations rename the tables. The write-back row now points at orders.Order, which is the
same table, so its foreign key is unchanged in the database.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sfcc", "0002_seed_exception_rules"),
        ("orders", "0001_initial"),
        ("exceptions", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="orderwriteback",
                    name="order",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="writeback",
                        serialize=False,
                        to="orders.order",
                    ),
                ),
                migrations.DeleteModel(name="OrderException"),
                migrations.DeleteModel(name="ExceptionRule"),
                migrations.DeleteModel(name="SfccOrderLine"),
                migrations.DeleteModel(name="SfccShipment"),
                migrations.DeleteModel(name="RoutingRule"),
                migrations.DeleteModel(name="SfccOrder"),
            ],
        ),
    ]
