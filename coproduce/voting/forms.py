"""The ballot box has no forms of its own: each owning app shows its ballot in its own words."""
