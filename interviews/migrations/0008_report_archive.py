# Placeholder: filled in by the change that owns it.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("interviews", "0007_erasure")]

    operations = []
