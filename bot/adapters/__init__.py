"""The faces of the product: each renders the same dialogue for one channel."""
