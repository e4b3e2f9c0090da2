"""Pages for the organisation's secretary and the election's returning officer."""

urlpatterns: list = []
