"""The editors' desk: one module per area, registered when this package is imported."""
