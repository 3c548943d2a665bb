"""Consultations over the REST API.

Every write goes through `townhall.consultations.actions`, every read through
`townhall.consultations.queries` (which start from `Consultation.objects.visible_to`).
Issue 5 fixes the names: `?status=open|closed|upcoming`; a consultation's `id`, `url`,
`status`, `closes_at`, `sections` (`id`, `heading`, `body_html`) and `exports` (`csv`,
`json`); comments `{"section", "body", "passage"}`; supports `{"section", "stance",
"reason"}`.
"""
