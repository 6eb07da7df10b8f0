from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods


@require_http_methods(["GET"])
@never_cache
def keep_alive(request):
    """ "Stay signed in" on a shared phone (static/js/safety.js): any request
    renews the session's idle time (SessionIdleTimeoutMiddleware), so this
    one only says whether there still is a session to renew. A GET: it
    changes nothing but that moment, like opening any page would."""
    return HttpResponse(status=204 if request.user.is_authenticated else 401)
