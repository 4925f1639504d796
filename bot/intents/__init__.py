"""Intent classification of resident messages (the 16 intents of intents.md).

from bot.intents import Classifier
classifier = Classifier.from_locales(Path("locales"))
result = classifier.classify("3栋1202厨房有煤气味")
result.intent, result.severity, result.entities.building  # 'gas_leak', EMERGENCY, '3'
"""

from bot.intents.classification import Classification
from bot.intents.classifier import Classifier
from bot.intents.entities import (
    Entities,
    Region,
    extract_entities,
    parse_building,
    parse_location,
    parse_phone,
    parse_room,
)
from bot.intents.matcher import PhraseMatcher
from bot.intents.normalize import TextNormalizer
from bot.intents.taxonomy import (
    EMERGENCY_INTENTS,
    INTENTS,
    URGENT_INTENTS,
    Severity,
    is_emergency,
    is_urgent,
    severity_of,
)

__all__ = [
    "EMERGENCY_INTENTS",
    "INTENTS",
    "URGENT_INTENTS",
    "Classification",
    "Classifier",
    "Entities",
    "PhraseMatcher",
    "Region",
    "Severity",
    "TextNormalizer",
    "extract_entities",
    "is_emergency",
    "is_urgent",
    "parse_building",
    "parse_location",
    "parse_phone",
    "parse_room",
    "severity_of",
]
