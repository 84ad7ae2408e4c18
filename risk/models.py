"""risk models arrive with their issue."""
