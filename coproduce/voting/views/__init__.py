"""The ballot box has no pages of its own: owning apps show ballots, receipts and papers."""
