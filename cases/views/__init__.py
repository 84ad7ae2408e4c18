"""Pages of the cases app, one module per area."""
