"""Domain errors of the accounts app; their message is the Chinese text a user sees."""


class AccountsError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class SmsRateLimited(AccountsError):
    pass


class SmsCodeInvalid(AccountsError):
    pass


class PasswordChangeError(AccountsError):
    pass
