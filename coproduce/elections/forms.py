"""Forms for elections: members' (nominating, the ballot) and the returning officer's.

Forms validate what a person typed; the services decide what is allowed.
"""

from __future__ import annotations

# --- Members' forms: nominating, confirming, the ballot -------------------------------------------

# --- The secretary's and the returning officer's forms ----------------------------------------------
