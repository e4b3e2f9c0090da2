"""Pages for members and everyone: the election, nominating, voting, receipts and results."""

from django.shortcuts import get_object_or_404, render
from django.urls import path

from coproduce.elections.models import Election


def election_list(request):
    return render(request, "elections/list.html", {"elections": Election.objects.none()})


def election(request, pk: int):
    election = get_object_or_404(Election, pk=pk)
    return render(request, "elections/election.html", {"election": election})


urlpatterns = [
    path("elections/", election_list, name="list"),
    path("elections/<int:pk>/", election, name="election"),
]
