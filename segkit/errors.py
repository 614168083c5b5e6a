"""The one exception segkit raises for bad input."""


class DataError(ValueError):
    """Input data that segkit cannot use, with a message naming the problem and the fix.

    A ``ValueError`` subclass, so code that already catches ``ValueError`` keeps working.
    """
