"""The data revision's row and its triggers (statistics.revision); the triggers on tables of
apps that migrate later are made after every migration, by the app's post_migrate."""

from django.db import migrations, models


def install(apps, schema_editor):  # noqa: ANN001, ANN201
    from samverkan.statistics.revision import install_triggers  # noqa: PLC0415

    install_triggers(schema_editor.connection)


def remove(apps, schema_editor):  # noqa: ANN001, ANN201
    from samverkan.statistics.revision import remove_triggers  # noqa: PLC0415

    remove_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("partnership", "0002_group_member_name_role_dates"),
        ("records", "0003_support_told_of_support_to_stop"),
        ("referrals", "0002_referral_concern_kept"),
        ("statistics", "0005_releasedfigure"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataRevision",
            fields=[
                ("id", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("epoch", models.CharField(max_length=16)),
                ("value", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(install, remove),
    ]
