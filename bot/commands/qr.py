"""`python -m bot qr`: print the signed deep links as QR codes (PNG and PDF).

    python -m bot qr --bot yangguang_wuye_bot                 # a poster per building (registry)
    python -m bot qr --building 3 --building 5                # posters for buildings 3 and 5
    python -m bot qr --building 3 --flats                     # a card per flat of 3 (registry)
    python -m bot qr --building 3 --rooms 1201-1204,1301      # cards for these flats

Buildings and flats come from the estate registry (`ESTATE_REGISTRY_FILE`) unless given;
with several estates (`ESTATES_FILE`), `--estate N` prints estate N's codes from its own
buildings, with its name.
Codes are signed with `DEEPLINK_SECRET` (set it before printing: a code signed with a key
derived from the bot token stops working when the token changes).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "qr", help="QR codes of signed /start links for buildings and flats (PNG, PDF)"
    )
    parser.add_argument("--bot", help="the bot's username (default: BOT_USERNAME)")
    parser.add_argument(
        "--building", action="append", default=[], metavar="ID",
        help="a building id as in the registry (repeat it); default: every registered building",
    )
    parser.add_argument("--flats", action="store_true",
                        help="a card per flat of the buildings (rooms from the registry)")
    parser.add_argument("--rooms", help="the flats' rooms instead: 1201-1204,1301 (implies --flats)")
    parser.add_argument("--estate", type=int, default=0,
                        help="the estate id in the link (0: this deployment's estate)")
    parser.add_argument("--format", choices=("png", "pdf", "both"), default="both")
    parser.add_argument("--out", type=Path, default=Path("qr"), help="output directory (./qr)")
    parser.add_argument("--locale", help="captions' language (zh, en; default: LOCALE)")
    parser.set_defaults(func=_run)


def parse_rooms(spec: str) -> list[str]:
    """"1201-1204,1301" -> 1201 1202 1203 1204 1301 (a range of numbers, or single rooms)."""
    rooms: list[str] = []
    for part in spec.replace("，", ",").replace("、", ",").split(","):
        part = part.strip().upper()
        if not part:
            continue
        low, dash, high = part.partition("-")
        if dash and low.isdigit() and high.isdigit() and int(low) <= int(high):
            rooms.extend(str(n) for n in range(int(low), int(high) + 1))
        else:
            rooms.append(part)
    return rooms


def _run(args: argparse.Namespace) -> int:
    from bot import deeplinks, qrcodes
    from bot.config import Settings
    from bot.estate import EstateRegistry, natural_key
    from bot.estates import Estates, EstatesError
    from bot.stats.chart import cjk_font
    from bot.texts import Texts

    settings = Settings()
    bot_username = (args.bot or settings.bot_username or "").lstrip("@")
    if not bot_username:
        print("qr: the bot's username is needed: --bot NAME or BOT_USERNAME", file=sys.stderr)
        return 2
    if not settings.deeplink_secret:
        print("qr: warning: DEEPLINK_SECRET is not set; these codes are signed with a key from "
              "BOT_TOKEN and stop working if the token changes", file=sys.stderr)
    try:
        estates = Estates.load(settings)
    except EstatesError as exc:
        print(f"qr: {exc}", file=sys.stderr)
        return 2
    estate = estates.get(args.estate)
    if estate is None and settings.estates_file:
        names = ", ".join(f"{e.id} {e.name}" for e in estates.all)
        print(f"qr: estate {args.estate} is not in ESTATES_FILE ({names})", file=sys.stderr)
        return 2
    registry = (
        estate.registry if estate is not None else EstateRegistry.load(settings.estate_registry_file)
    )
    registry_name = estate.name if estate is not None and estate.name else registry.name
    buildings = [b.strip().upper() for b in args.building if b.strip()]
    if not buildings:
        buildings = sorted(registry.buildings, key=natural_key)
    if not buildings:
        print("qr: no building: give --building ID or set ESTATE_REGISTRY_FILE", file=sys.stderr)
        return 2
    places: list[deeplinks.Place] = []
    for building in buildings:
        if registry.configured and not registry.has_building(building):
            print(f"qr: building {building} is not in the registry", file=sys.stderr)
            return 2
        if args.rooms:
            rooms = parse_rooms(args.rooms)
        elif args.flats:
            found = registry.buildings.get(building)
            if found is None or found.rooms is None:
                print(f"qr: the registry lists no rooms for building {building}: use --rooms",
                      file=sys.stderr)
                return 2
            rooms = sorted(found.rooms, key=natural_key)
        else:
            rooms = [""]
        places.extend(deeplinks.Place(args.estate, building, room) for room in rooms)

    key = deeplinks.link_key(settings)
    try:
        codes = qrcodes.codes_for(key, bot_username, places)
    except ValueError as exc:
        print(f"qr: {exc}", file=sys.stderr)
        return 2
    locale = args.locale or settings.locale
    font = cjk_font()
    if locale.startswith("zh") and font is None:
        print("qr: no font with Chinese characters installed (e.g. apt-get install "
              "fonts-noto-cjk): captions in English", file=sys.stderr)
        locale = "en"
    estate_name = registry_name if font is not None or registry_name.isascii() else ""
    texts = Texts.load(settings.locales_dir, default=settings.locale)
    captions = qrcodes.Captions(
        locale=locale, font=font, estate=estate_name, texts=texts,
        numbers=(
            estate.emergency_numbers(settings.crisis_hotline)
            if estate is not None
            else settings.emergency_numbers()
        ),
    )
    formats = ("png", "pdf") if args.format == "both" else (args.format,)
    written = qrcodes.render(codes, captions, args.out, formats=formats)
    for code in codes:
        print(f"{code.stem}\t{code.url}")
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return 0
