"""Every flow by name (the `conversations.flow` column holds these names)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bot.flows.emergency import EMERGENCY, OUTAGE
from bot.flows.registration import REGISTER
from bot.flows.report import COMPLAINT, REPAIR
from bot.flows.spec import Flow

CATALOG: Mapping[str, Flow] = MappingProxyType(
    {flow.name: flow for flow in (EMERGENCY, OUTAGE, REPAIR, COMPLAINT, REGISTER)}
)
