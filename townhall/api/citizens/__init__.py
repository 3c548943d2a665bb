"""citizens over the REST API."""
