from accounts.models import User


def phone_taken(phone: str, *, exclude_user=None) -> bool:
    qs = User.objects.filter(phone=phone)
    if exclude_user is not None and exclude_user.is_authenticated:
        qs = qs.exclude(pk=exclude_user.pk)
    return qs.exists()
