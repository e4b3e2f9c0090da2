# Officers' sessions must have passed a second factor: the core's helper signs them in so.
from coproduce.core.tests.factories import sign_in_with_mfa

__all__ = ["sign_in_with_mfa"]
