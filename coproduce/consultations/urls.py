"""Consultations' pages (mounted inside the language prefix by coproduce.config.urls).

Each view module lists its own URLs: ``public`` (the list, a consultation, results, published
responses, "you said, we did"), ``respond`` (answering the survey), ``events`` (events,
registration, iCal), ``manage`` (officers: the consultation, documents, events, paper responses,
publishing), ``survey`` (the survey builder and preview), ``analysis`` (results, themes,
equality, exports).
"""

from .views import analysis, events, manage, public, respond, survey

app_name = "consultations"

urlpatterns = (
    public.urlpatterns
    + respond.urlpatterns
    + events.urlpatterns
    + manage.urlpatterns
    + survey.urlpatterns
    + analysis.urlpatterns
)
