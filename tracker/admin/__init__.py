"""The editors' desk: one module per area, registered when this package is imported."""

from tracker.admin import (
    corrections,  # noqa: F401
    replies,  # noqa: F401
)
