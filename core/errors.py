from django.views.debug import SafeExceptionReporterFilter


class NoLocalsExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (500 e-mails, logs) keep the traceback, never the
    variables of its frames: one of them may hold a decrypted value."""

    def get_traceback_frame_variables(self, request, tb_frame):
        return [("(local variables)", "hidden by Tinig: they may hold personal data")]

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return {key: self.cleansed_substitute for key in request.POST}
