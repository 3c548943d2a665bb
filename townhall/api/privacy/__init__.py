"""privacy over the REST API."""
