from .messages import render


class DomainError(Exception):
    """A refusal the user should read. Params that differ by language are (ko, en) tuples."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, lang: str = "ko") -> str:
        return render(self.code, lang, self.params)

    def __str__(self) -> str:
        return f"{self.code}: {self.message('en')}"


class OrderRefused(DomainError):
    pass


class AccessDenied(DomainError):
    pass


class SignInFailed(DomainError):
    pass
