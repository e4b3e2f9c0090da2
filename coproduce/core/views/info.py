"""Pages every public service has: privacy, accessibility, cookies, and feedback."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import selectors, services
from ..forms import FeedbackForm
from .account import posted
from .helpers import call_service
from .pagination import paginate


def privacy(request):
    return render(request, "core/info/privacy.html")


def accessibility(request):
    return render(request, "core/info/accessibility.html")


def cookies(request):
    return render(request, "core/info/cookies.html")


def feedback(request):
    """Tell us what you think (linked from the phase banner on every page)."""
    page = request.GET.get("page", "")
    form = FeedbackForm(posted(request), initial={"page": page})
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        saved = call_service(
            form,
            services.feedback_give,
            person=request.user if request.user.is_authenticated else None,
            satisfaction=data["satisfaction"],
            improve=data["improve"],
            page=data["page"],
            language=get_language() or "",
        )
        if saved is not None:
            messages.success(request, _("Thank you for your feedback."))
            return redirect(data["page"] or "core:home")
    return render(request, "core/info/feedback.html", {"form": form})


@login_required
def feedback_list(request):
    """The feedback people sent, newest first, for council officers."""
    page = paginate(request, selectors.feedback_received(user=request.user))
    return render(request, "core/info/feedback_list.html", {"page": page})
