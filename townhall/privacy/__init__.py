"""Own your data: the archive of everything held about a person, and erasure of an account."""
