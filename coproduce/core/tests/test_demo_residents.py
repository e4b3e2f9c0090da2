"""The demo borough's residents: one at each verification level, letters ready to print, one list."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from coproduce.core import services
from coproduce.core.demo import build_demo
from coproduce.core.models import LetterCode, ResidentList, User
from coproduce.core.verification import VerificationLevel

pytestmark = pytest.mark.django_db


def test_demo_has_residents_at_each_level_and_the_resident_verifies_by_letter():
    context = build_demo()
    levels = {
        person.full_name: person.verification_level
        for person in User.objects.filter(
            email__in=[
                "una@example.org",
                "dafydd@example.org",
                "lowri@example.org",
                "lewis@example.org",
                "lisa@example.org",
                "ian@example.org",
            ]
        )
    }
    assert levels == {
        "Una Unverified": VerificationLevel.NONE,
        "Dafydd Datgan": VerificationLevel.DECLARED,
        "Lowri Llythyr": VerificationLevel.NONE,
        "Lewis Letter": VerificationLevel.CONFIRMED,
        "Lisa Listed": VerificationLevel.CONFIRMED,
        "Ian Inperson": VerificationLevel.CHECKED,
    }
    assert User.objects.get(email="lisa@example.org").verifications.get().method == "resident_list"
    assert ResidentList.objects.count() == 1
    council, officer = context["organisations"]["council"], context["users"]["officer"]
    resident = User.objects.get(email="resident@example.org")
    waiting = {letter.person.email for letter in LetterCode.objects.awaiting_letter()}
    assert waiting == {"resident@example.org", "lowri@example.org"}

    batch = services.letter_batch_create(council=council, actor=officer, base_url="http://127.0.0.1:8000/")
    batch = services.letter_batch_render(batch_id=batch.pk, base_url="http://127.0.0.1:8000/")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(bytes(batch.pdf))).pages]
    page = next(page for page in pages if "Rhian Resident" in page)
    code = re.search(r"\b[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}\b", page).group(0)
    services.letter_code_enter(person=resident, code=code)
    resident.refresh_from_db()
    assert resident.verification_level == VerificationLevel.CONFIRMED
