"""transparency over the REST API."""
