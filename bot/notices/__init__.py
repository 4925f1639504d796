"""Outage notices: managers publish, residents are answered from them."""
