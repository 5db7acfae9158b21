class PortfolioError(ValueError):
    """A rule was broken; the message is French, names the value and says what to do."""
