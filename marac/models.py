"""marac models arrive with their issue."""
