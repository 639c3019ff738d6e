from django.utils import translation
from django.utils.cache import patch_vary_headers


class UserLanguageMiddleware:
    """A signed-in member's chosen language wins; otherwise the browser's (Accept-Language) is used."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = None
        if user is not None and user.is_authenticated and user.language:
            language = user.language
        if language is None:
            language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        patch_vary_headers(response, ("Accept-Language",))
        return response
