"""Consultations: drafts in sections, comments, supports, amendments and the agency's public response."""
