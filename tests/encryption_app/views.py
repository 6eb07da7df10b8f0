from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from .models import Person


def person_detail(request, pk):
    """Shows a decrypted value, as a reveal page would."""
    person = get_object_or_404(Person, pk=pk)
    return HttpResponse(f"{person.pseudonym}: {person.legal_name}", content_type="text/plain")
