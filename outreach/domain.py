"""The one shape of the domain's exceptions."""


class DomainError(Exception):
    """A rule of the program refused what was asked. Every domain exception takes its message first (in the
    user's words, often a lazy translation) and what places it (a form field, a line of a file) as keywords
    after. None carries an HTTP status: the views and `errors` choose it."""
