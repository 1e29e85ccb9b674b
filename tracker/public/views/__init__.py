"""The public site's views: one module per page area."""
