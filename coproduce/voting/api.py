"""The ballot box has no API of its own: owning apps publish receipts and ballots under their own
addresses (e.g. ``/api/elections/{id}/result``), in the counting engine's file format."""
