from .selectors import navigation_counts


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0, "coordinates": False}
    unread, coordinates = navigation_counts(user)
    return {"unread_notifications": unread, "coordinates": coordinates}
