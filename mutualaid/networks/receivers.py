"""Networks' own receivers (connected by NetworksConfig.ready): remember which session signs in whom, so that a
person's sessions can be ended without reading anyone else's."""
from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from . import services


@receiver(user_logged_in, dispatch_uid="networks.session_signed_in")
def session_signed_in(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        if session.session_key is None:
            session.save()
        services.user_session_record(user=user, session_key=session.session_key)


@receiver(user_logged_out, dispatch_uid="networks.session_signed_out")
def session_signed_out(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        services.user_session_forget(session_key=session.session_key)
