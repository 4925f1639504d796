"""APScheduler's job table, declared here so that Alembic owns the schema.

Same shape as `apscheduler.jobstores.sqlalchemy.SQLAlchemyJobStore` creates (table name
`apscheduler_jobs`); the job store finds it already there.
"""

from __future__ import annotations

from sqlalchemy import Float, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base


class SchedulerJob(Base):
    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(String(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)
