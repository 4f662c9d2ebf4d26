"""The use cases every face shares, one module per concern, each over one unit of work."""
