"""Signals of the core: what other parts of the platform may listen for."""

from django.dispatch import Signal

# Sent after a text was hidden or shown again by a conditional UPDATE, which
# sends no post_save (search takes the text out of, or back into, its index).
# Arguments: sender (the model), instance.
visibility_changed = Signal()
