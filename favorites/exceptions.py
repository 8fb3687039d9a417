class FavoriteError(Exception):
    """A refused favourite change; the message is Chinese."""
