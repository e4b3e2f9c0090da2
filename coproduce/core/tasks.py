"""Background work for the core, run through django.tasks."""

from __future__ import annotations

from django.tasks import task


@task()
def render_letter_batch(batch_id: int, base_url: str) -> int:
    """Give the waiting residents their codes and make the batch's PDF; returns the number of letters."""
    from .services import letter_batch_render  # imported here: tasks load before the app registry is ready

    return letter_batch_render(batch_id=batch_id, base_url=base_url).letter_count


@task()
def delete_expired_verification_data() -> dict[str, int]:
    """Delete uploaded lists whose date has come and letter PDFs whose codes have expired (run daily)."""
    from .services import letter_batches_clear_expired, resident_lists_delete_expired

    return {"lists": resident_lists_delete_expired(), "letter_batches": letter_batches_clear_expired()}
