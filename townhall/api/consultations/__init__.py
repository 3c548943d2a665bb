"""consultations over the REST API."""
