"""whosaid: who said this, and where."""
