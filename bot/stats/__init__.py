"""Managers' numbers and pictures: /stats (text and chart) and /export (the request log CSV)."""
