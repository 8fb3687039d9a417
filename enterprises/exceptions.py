"""Domain errors of the enterprises app; the message is the Chinese text a user sees."""


class EnterpriseError(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class RegistrationError(EnterpriseError):
    pass


class MemberError(EnterpriseError):
    pass


class TransitionNotAllowed(EnterpriseError):
    pass
