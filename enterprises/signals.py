"""Signals other apps listen to without enterprises importing them."""

from django.dispatch import Signal

# Sent (inside the transaction) when 注册所在地 moves an enterprise to another pilot region,
# with ``enterprise``, ``old_region_id`` and ``new_region_id``: the apps that keep a copy of
# the region on their rows (orders, redemption applications) move those rows with it.
enterprise_region_changed = Signal()
