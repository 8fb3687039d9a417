class CatalogError(Exception):
    """A refused catalogue change; the message is Chinese and shown to the user."""
