"""Jobs that survive restarts (APScheduler with its SQLAlchemy job store)."""
