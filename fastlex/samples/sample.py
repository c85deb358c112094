# -*- coding: utf-8 -*-
"""A small warehouse toolkit: stock records, orders, pricing rules and reports.

This module is fastlex's Python benchmark sample. It is meant to look like an
ordinary application module -- classes, decorators, async code, comprehensions,
type hints and the odd regular expression -- rather than like a tokenizer test.
Nothing here is imported by fastlex itself.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import enum
import functools
import hashlib
import itertools
import json
import logging
import math
import operator
import re
import struct
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import (
    Any,
    AsyncIterator,
    Callable,
    ClassVar,
    Generic,
    Iterable,
    Iterator,
    Mapping,
    NamedTuple,
    Optional,
    Protocol,
    Sequence,
    TypeVar,
    Union,
)

__all__ = [
    "Sku",
    "StockLevel",
    "Warehouse",
    "Order",
    "OrderLine",
    "PriceRule",
    "Report",
    "load_catalogue",
    "run_nightly",
]

log = logging.getLogger(__name__)

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

#: Prices are kept in cents; 1_00 is one euro.
CENTS_PER_UNIT = 1_00
MAX_SHELF_WEIGHT_G = 250_000
DEFAULT_TIMEOUT = 2.5e1
EPSILON = 1e-9
MAGIC_HEADER = b"WHSE\x00\x01"
CHECKSUM_MASK = 0xFFFF_FFFF
PERMISSIONS = 0o640
FLAG_BITS = 0b1011_0001
GOLDEN = 1.618_033_988_749
IMAGINARY_OFFSET = 3j + 0.5j

SKU_PATTERN = re.compile(r"^(?P<family>[A-Z]{3})-(?P<number>\d{4,6})(?:/(?P<variant>[a-z0-9]+))?$")
LOCATION_PATTERN = re.compile(rb"^(?P<aisle>\d{2})\.(?P<bay>\d{2})\.(?P<level>[A-F])$")
WINDOWS_EXPORT_DIR = r"C:\exports\warehouse\nightly"


class Unit(enum.Enum):
    """How a stock keeping unit is counted."""

    PIECE = "pc"
    KILOGRAM = "kg"
    LITRE = "l"
    METRE = "m"

    @property
    def is_continuous(self) -> bool:
        return self in (Unit.KILOGRAM, Unit.LITRE, Unit.METRE)

    def format(self, amount: Union[int, float, Decimal]) -> str:
        if self.is_continuous:
            return f"{amount:.3f} {self.value}"
        return f"{int(amount)} {self.value}"


class Zone(enum.IntEnum):
    AMBIENT = 1
    CHILLED = 2
    FROZEN = 3
    HAZARDOUS = 9


class StockError(Exception):
    """Raised when a stock operation cannot be carried out."""

    def __init__(self, sku: "Sku", message: str, *, level: Optional[int] = None) -> None:
        super().__init__(f"{sku}: {message}")
        self.sku = sku
        self.level = level


class ReservationError(StockError):
    pass


@dataclass(frozen=True)
class Sku:
    """A stock keeping unit such as ``ABC-1234/blue``."""

    family: str
    number: int
    variant: Optional[str] = None

    @classmethod
    def parse(cls, text: str) -> "Sku":
        match = SKU_PATTERN.match(text.strip())
        if match is None:
            raise ValueError(f"not a SKU: {text!r}")
        return cls(match["family"], int(match["number"]), match["variant"])

    def __str__(self) -> str:
        base = f"{self.family}-{self.number:04d}"
        return f"{base}/{self.variant}" if self.variant else base

    def __lt__(self, other: "Sku") -> bool:
        return (self.family, self.number, self.variant or "") < (other.family, other.number, other.variant or "")


@dataclass
class StockLevel:
    sku: Sku
    on_hand: int = 0
    reserved: int = 0
    unit: Unit = Unit.PIECE
    zone: Zone = Zone.AMBIENT
    history: list[tuple[datetime, int]] = field(default_factory=list, repr=False)

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.reserved)

    def adjust(self, delta: int, *, when: Optional[datetime] = None) -> None:
        if self.on_hand + delta < 0:
            raise StockError(self.sku, f"cannot remove {-delta}, only {self.on_hand} on hand",
                             level=self.on_hand)
        self.on_hand += delta
        self.history.append((when or datetime.now(timezone.utc), delta))

    def reserve(self, quantity: int) -> None:
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        if quantity > self.available:
            raise ReservationError(self.sku, f"wanted {quantity}, {self.available} available")
        self.reserved += quantity

    def release(self, quantity: int) -> None:
        self.reserved = max(0, self.reserved - quantity)


class Location(NamedTuple):
    aisle: int
    bay: int
    level: str

    @classmethod
    def from_label(cls, label: bytes) -> "Location":
        m = LOCATION_PATTERN.match(label)
        if not m:
            raise ValueError("bad location label %r" % (label,))
        return cls(int(m.group("aisle")), int(m.group("bay")), m.group("level").decode("ascii"))

    def __str__(self) -> str:
        return "%02d.%02d.%s" % self

    def distance_to(self, other: "Location") -> float:
        dx = abs(self.aisle - other.aisle) * 3.5
        dy = abs(self.bay - other.bay) * 1.2
        dz = abs(ord(self.level) - ord(other.level)) * 0.4
        return math.sqrt(dx ** 2 + dy ** 2) + dz


def timed(label: Optional[str] = None, *, threshold: float = 0.25):
    """Log how long the decorated function took when it takes longer than threshold seconds."""

    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        name = label or fn.__qualname__

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                if elapsed > threshold:
                    log.warning("%s took %.3fs", name, elapsed)

        return wrapper

    return decorate


def retry(times: int = 3, *, exceptions: tuple[type[BaseException], ...] = (OSError,), delay: float = 0.1):
    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            last: Optional[BaseException] = None
            for attempt in range(1, times + 1):
                try:
                    return fn(*args, **kwargs)
                except exceptions as exc:  # noqa: PERF203 - retrying is the point
                    last = exc
                    log.info("attempt %d/%d of %s failed: %s", attempt, times, fn.__name__, exc)
                    time.sleep(delay * attempt)
            assert last is not None
            raise last

        return wrapper

    return decorate


class Repository(Protocol[K, V]):
    def get(self, key: K) -> Optional[V]: ...

    def put(self, key: K, value: V) -> None: ...

    def __iter__(self) -> Iterator[K]: ...


class MemoryRepository(Generic[K, V]):
    """A dictionary behind the Repository protocol, with a change counter."""

    def __init__(self, items: Optional[Mapping[K, V]] = None) -> None:
        self._items: dict[K, V] = dict(items or {})
        self.changes = 0

    def get(self, key: K) -> Optional[V]:
        return self._items.get(key)

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self.changes += 1

    def __iter__(self) -> Iterator[K]:
        return iter(sorted(self._items, key=str))

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {len(self)} items, {self.changes} changes>"


class Warehouse:
    """Stock levels by SKU, their shelf locations, and reservations against orders."""

    name: str
    capacity: ClassVar[int] = 40_000

    def __init__(self, name: str, repository: Optional[Repository[Sku, StockLevel]] = None) -> None:
        self.name = name
        self.stock: Repository[Sku, StockLevel] = repository or MemoryRepository()
        self.locations: dict[Sku, list[Location]] = defaultdict(list)
        self._reservations: dict[str, list[tuple[Sku, int]]] = {}

    def __repr__(self) -> str:
        return f"Warehouse({self.name!r}, {len(list(self.stock))} SKUs)"

    def level(self, sku: Sku) -> StockLevel:
        found = self.stock.get(sku)
        if found is None:
            found = StockLevel(sku)
            self.stock.put(sku, found)
        return found

    def receive(self, sku: Sku, quantity: int, location: Optional[Location] = None) -> StockLevel:
        level = self.level(sku)
        level.adjust(+quantity)
        if location is not None and location not in self.locations[sku]:
            self.locations[sku].append(location)
        return level

    def pick(self, sku: Sku, quantity: int) -> StockLevel:
        level = self.level(sku)
        if level.reserved >= quantity:
            level.release(quantity)
        level.adjust(-quantity)
        return level

    @timed("warehouse.reserve")
    def reserve(self, order: "Order") -> bool:
        """Reserve every line of order, or none of them."""
        done: list[tuple[Sku, int]] = []
        try:
            for line in order.lines:
                self.level(line.sku).reserve(line.quantity)
                done.append((line.sku, line.quantity))
        except ReservationError as exc:
            log.info("order %s cannot be reserved: %s", order.reference, exc)
            for sku, quantity in reversed(done):
                self.level(sku).release(quantity)
            return False
        self._reservations[order.reference] = done
        return True

    def cancel(self, reference: str) -> int:
        released = 0
        for sku, quantity in self._reservations.pop(reference, ()):
            self.level(sku).release(quantity)
            released += quantity
        return released

    def nearest(self, sku: Sku, origin: Location) -> Optional[Location]:
        places = self.locations.get(sku) or []
        return min(places, key=origin.distance_to, default=None)

    def low_stock(self, threshold: int = 5) -> list[StockLevel]:
        return sorted(
            (lvl for sku in self.stock if (lvl := self.stock.get(sku)) and lvl.available < threshold),
            key=operator.attrgetter("available"),
        )

    def totals_by_zone(self) -> dict[Zone, int]:
        totals: dict[Zone, int] = Counter()
        for sku in self.stock:
            level = self.stock.get(sku)
            if level is not None:
                totals[level.zone] += level.on_hand
        return dict(totals)

    def snapshot(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "taken": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "levels": {
                str(sku): {"on_hand": lvl.on_hand, "reserved": lvl.reserved, "unit": lvl.unit.value}
                for sku in self.stock
                if (lvl := self.stock.get(sku)) is not None
            },
        }


@dataclass
class OrderLine:
    sku: Sku
    quantity: int
    unit_price: int  # cents
    discount: Decimal = Decimal("0")

    @property
    def total(self) -> int:
        gross = Decimal(self.quantity * self.unit_price)
        net = gross * (Decimal(1) - self.discount)
        return int(net.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


class OrderState(enum.Enum):
    NEW = "new"
    RESERVED = "reserved"
    PICKED = "picked"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


ALLOWED_TRANSITIONS: dict[OrderState, frozenset[OrderState]] = {
    OrderState.NEW: frozenset({OrderState.RESERVED, OrderState.CANCELLED}),
    OrderState.RESERVED: frozenset({OrderState.PICKED, OrderState.CANCELLED}),
    OrderState.PICKED: frozenset({OrderState.SHIPPED}),
    OrderState.SHIPPED: frozenset(),
    OrderState.CANCELLED: frozenset(),
}


@dataclass
class Order:
    reference: str
    customer: str
    lines: list[OrderLine] = field(default_factory=list)
    state: OrderState = OrderState.NEW
    placed: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    notes: str = ""

    def __post_init__(self) -> None:
        if not self.reference.isidentifier() and not self.reference.replace("-", "").isalnum():
            raise ValueError(f"odd order reference {self.reference!r}")

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines)

    @property
    def weight_class(self) -> str:
        n = sum(line.quantity for line in self.lines)
        if n == 0:
            return "empty"
        elif n < 10:
            return "light"
        elif n < 100:
            return "medium"
        return "heavy"

    def move_to(self, state: OrderState) -> None:
        if state not in ALLOWED_TRANSITIONS[self.state]:
            raise ValueError(f"order {self.reference}: {self.state.name} -> {state.name} is not allowed")
        log.debug("order %s: %s -> %s", self.reference, self.state.name, state.name)
        self.state = state

    def add(self, sku: Sku, quantity: int, unit_price: int, **extra: Any) -> "Order":
        for line in self.lines:
            if line.sku == sku and line.unit_price == unit_price:
                line.quantity += quantity
                break
        else:
            self.lines.append(OrderLine(sku, quantity, unit_price, **extra))
        return self

    def describe(self) -> str:
        parts = [f"Order {self.reference} for {self.customer} ({self.state.name.lower()})"]
        parts += [f"  {line.quantity:>4} x {line.sku!s:<16} {line.total / CENTS_PER_UNIT:>10.2f} EUR"
                  for line in self.lines]
        parts.append(f"  {'total':>21} {self.total / CENTS_PER_UNIT:>10.2f} EUR")
        return "\n".join(parts)


# ---------------------------------------------------------------------------
# Pricing rules
# ---------------------------------------------------------------------------

class PriceRule:
    """A rule that may change the price of an order line. Subclasses override apply()."""

    priority: ClassVar[int] = 100
    registry: ClassVar[dict[str, type["PriceRule"]]] = {}

    def __init_subclass__(cls, /, key: Optional[str] = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if key is not None:
            PriceRule.registry[key] = cls

    def applies_to(self, order: Order, line: OrderLine) -> bool:
        return True

    def apply(self, order: Order, line: OrderLine) -> OrderLine:
        raise NotImplementedError

    def __lt__(self, other: "PriceRule") -> bool:
        return self.priority < other.priority


class BulkDiscount(PriceRule, key="bulk"):
    priority = 10

    def __init__(self, minimum: int = 50, rate: str = "0.05") -> None:
        self.minimum = minimum
        self.rate = Decimal(rate)

    def applies_to(self, order, line):
        return line.quantity >= self.minimum

    def apply(self, order, line):
        return dataclasses.replace(line, discount=max(line.discount, self.rate))


class LoyaltyDiscount(PriceRule, key="loyalty"):
    priority = 20
    tiers = {"bronze": Decimal("0.01"), "silver": Decimal("0.025"), "gold": Decimal("0.04")}

    def __init__(self, customers: Mapping[str, str]) -> None:
        self.customers = dict(customers)

    def applies_to(self, order, line):
        return self.customers.get(order.customer) in self.tiers

    def apply(self, order, line):
        extra = self.tiers[self.customers[order.customer]]
        return dataclasses.replace(line, discount=line.discount + extra)


class ClearanceRule(PriceRule, key="clearance"):
    priority = 5

    def __init__(self, families: Iterable[str], price_floor: int = 1_50) -> None:
        self.families = frozenset(families)
        self.price_floor = price_floor

    def applies_to(self, order, line):
        return line.sku.family in self.families

    def apply(self, order, line):
        halved = max(self.price_floor, line.unit_price // 2)
        return dataclasses.replace(line, unit_price=halved)


def build_rules(config: Mapping[str, Mapping[str, Any]]) -> list[PriceRule]:
    """Rules from a configuration such as ``{"bulk": {"minimum": 20}}``, in priority order."""
    rules = []
    for key, options in config.items():
        try:
            cls = PriceRule.registry[key]
        except KeyError:
            raise ValueError(f"unknown price rule {key!r}; known: {', '.join(sorted(PriceRule.registry))}") from None
        rules.append(cls(**options))
    return sorted(rules)


def price(order: Order, rules: Sequence[PriceRule]) -> Order:
    priced = []
    for line in order.lines:
        for rule in rules:
            if rule.applies_to(order, line):
                line = rule.apply(order, line)
        priced.append(line)
    return dataclasses.replace(order, lines=priced)


# ---------------------------------------------------------------------------
# Catalogue files
# ---------------------------------------------------------------------------

RECORD = struct.Struct("<3sIHhd")


def pack_record(sku: Sku, quantity: int, zone: Zone, price_cents: float) -> bytes:
    return RECORD.pack(sku.family.encode("ascii"), sku.number, quantity, int(zone), price_cents)


def unpack_records(blob: bytes) -> Iterator[tuple[Sku, int, Zone, float]]:
    if not blob.startswith(MAGIC_HEADER):
        raise ValueError("not a catalogue file: header %r" % blob[:6])
    body = memoryview(blob)[len(MAGIC_HEADER):]
    for family, number, quantity, zone, cents in RECORD.iter_unpack(body):
        yield Sku(family.decode("ascii"), number), quantity, Zone(zone), cents


def checksum(data: bytes) -> int:
    digest = hashlib.blake2b(data, digest_size=8).digest()
    return int.from_bytes(digest, "big") & CHECKSUM_MASK


def parse_csv_line(line: str, sep: str = ";") -> list[str]:
    r"""Split one line of the supplier's export, where \; is a literal semicolon."""
    fields, current, escaped = [], [], False
    for ch in line.rstrip("\r\n"):
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == sep:
            fields.append("".join(current))
            current = []
        else:
            current.append(ch)
    fields.append("".join(current))
    return fields


def load_catalogue(path: Union[str, Path], warehouse: Warehouse) -> int:
    """Read a supplier's catalogue (CSV, ';'-separated, UTF-8) into warehouse; the number of rows read."""
    rows = 0
    with open(path, encoding="utf-8", newline="") as handle:
        header = parse_csv_line(next(handle))
        columns = {name.strip().lower(): i for i, name in enumerate(header)}
        for number, raw in enumerate(handle, start=2):
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            fields = parse_csv_line(raw)
            try:
                sku = Sku.parse(fields[columns["sku"]])
                quantity = int(fields[columns["quantity"]] or 0)
            except (KeyError, IndexError, ValueError) as exc:
                log.warning("%s:%d: skipped (%s)", path, number, exc)
                continue
            label = fields[columns["location"]].encode() if "location" in columns else b""
            location = Location.from_label(label) if label else None
            warehouse.receive(sku, quantity, location)
            rows += 1
    return rows


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


def pairwise_gaps(values: Sequence[float]) -> list[float]:
    return [b - a for a, b in zip(values, values[1:])]


def moving_average(values: Iterable[float], window: int = 7) -> Iterator[float]:
    buf: deque[float] = deque(maxlen=window)
    total = 0.0
    for v in values:
        if len(buf) == window:
            total -= buf[0]
        buf.append(v)
        total += v
        yield total / len(buf)


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    if lo == hi:
        return ordered[int(k)]
    return ordered[lo] * (hi - k) + ordered[hi] * (k - lo)


# ---------------------------------------------------------------------------
# Events and the asynchronous feed
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Event:
    kind: str
    payload: Mapping[str, Any]
    at: float = field(default_factory=time.time)

    def to_json(self) -> str:
        return json.dumps({"kind": self.kind, "at": round(self.at, 3), **self.payload}, sort_keys=True)


def classify(event: Event) -> str:
    """A short description of an event, using structural pattern matching."""
    match event:
        case Event(kind="receive", payload={"sku": sku, "quantity": int(q)}) if q > 1_000:
            return f"large delivery of {sku} ({q:,} units)"
        case Event(kind="receive", payload={"sku": sku, "quantity": q}):
            return f"delivery of {sku} ({q})"
        case Event(kind="pick" | "ship", payload={"order": ref}):
            return f"{event.kind} for order {ref}"
        case Event(kind="count", payload={"sku": sku, "expected": e, "found": f}) if e != f:
            return f"stock count mismatch on {sku}: expected {e}, found {f} ({f - e:+d})"
        case Event(kind=str(other)) if other.startswith("x-"):
            return "vendor extension " + other[2:]
        case _:
            return "unremarkable " + event.kind


class Feed:
    """Events from a queue, delivered to subscribers; a tiny publish/subscribe hub."""

    def __init__(self, maxsize: int = 1024) -> None:
        self.queue: asyncio.Queue[Optional[Event]] = asyncio.Queue(maxsize)
        self.subscribers: list[Callable[[Event], Any]] = []
        self.delivered = 0
        self._closed = False

    def subscribe(self, fn: Callable[[Event], Any]) -> Callable[[Event], Any]:
        self.subscribers.append(fn)
        return fn

    async def publish(self, event: Event) -> None:
        if self._closed:
            raise RuntimeError("feed is closed")
        await self.queue.put(event)

    async def close(self) -> None:
        self._closed = True
        await self.queue.put(None)

    async def events(self) -> AsyncIterator[Event]:
        while (event := await self.queue.get()) is not None:
            yield event

    async def run(self) -> int:
        async for event in self.events():
            for fn in self.subscribers:
                result = fn(event)
                if asyncio.iscoroutine(result):
                    await result
            self.delivered += 1
        return self.delivered


async def simulate_day(warehouse: Warehouse, orders: Sequence[Order], *, seed: int = 7) -> dict[str, int]:
    feed = Feed()
    counts: Counter[str] = Counter()

    @feed.subscribe
    def count(event: Event) -> None:
        counts[event.kind] += 1

    @feed.subscribe
    async def apply(event: Event) -> None:
        payload = event.payload
        if event.kind == "receive":
            warehouse.receive(Sku.parse(payload["sku"]), payload["quantity"])
        elif event.kind == "pick":
            for line in payload["lines"]:
                warehouse.pick(line.sku, line.quantity)
        await asyncio.sleep(0)

    async def producer() -> None:
        state = seed
        for order in orders:
            state = (state * 1_103_515_245 + 12_345) % 2 ** 31
            if state % 3 == 0:
                await feed.publish(Event("receive", {"sku": str(order.lines[0].sku), "quantity": state % 97 + 1}))
            if warehouse.reserve(order):
                order.move_to(OrderState.RESERVED)
                await feed.publish(Event("pick", {"order": order.reference, "lines": order.lines}))
        await feed.close()

    async with asyncio.timeout(DEFAULT_TIMEOUT) if hasattr(asyncio, "timeout") else contextlib.nullcontext():
        _, delivered = await asyncio.gather(producer(), feed.run())
    counts["delivered"] = delivered
    return dict(counts)


class RateLimiter:
    """At most `rate` acquisitions per `per` seconds (a token bucket)."""

    def __init__(self, rate: int, per: float = 1.0) -> None:
        self.rate, self.per = rate, per
        self.allowance = float(rate)
        self.checked = time.monotonic()
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> "RateLimiter":
        async with self._lock:
            while True:
                now = time.monotonic()
                self.allowance = min(self.rate, self.allowance + (now - self.checked) * self.rate / self.per)
                self.checked = now
                if self.allowance >= 1:
                    self.allowance -= 1
                    return self
                await asyncio.sleep((1 - self.allowance) * self.per / self.rate)

    async def __aexit__(self, *exc_info: object) -> None:
        return None


async def fetch_all(urls: Iterable[str], fetch: Callable[[str], Any], *, limit: int = 8) -> dict[str, Any]:
    limiter = RateLimiter(limit)
    results: dict[str, Any] = {}

    async def one(url: str) -> None:
        async with limiter:
            try:
                results[url] = await fetch(url)
            except Exception as exc:  # a failed URL is reported, not fatal
                results[url] = exc

    await asyncio.gather(*(one(u) for u in urls))
    return results


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------

class Report:
    """A plain-text report with a title, sections and a footer."""

    WIDTH = 72
    RULE = "\u2500" * WIDTH

    def __init__(self, title: str) -> None:
        self.title = title
        self.sections: list[tuple[str, list[str]]] = []

    def section(self, heading: str) -> list[str]:
        lines: list[str] = []
        self.sections.append((heading, lines))
        return lines

    def render(self) -> str:
        out = [self.title.center(self.WIDTH), self.RULE]
        for heading, lines in self.sections:
            out.append(f"\u25b8 {heading}")
            out.extend(f"    {line}" for line in lines or ["(nothing to report)"])
            out.append("")
        out.append(self.RULE)
        out.append(f"generated {datetime.now():%Y-%m-%d %H:%M} \u2014 {len(self.sections)} sections")
        return "\n".join(out)


def stock_report(warehouse: Warehouse, *, threshold: int = 5) -> Report:
    report = Report(f"Stock report \u00b7 {warehouse.name}")
    low = report.section("Low stock")
    for level in warehouse.low_stock(threshold):
        low.append(f"{str(level.sku):<18}{level.unit.format(level.available):>12}  zone {level.zone.name.title()}")
    zones = report.section("By zone")
    for zone, total in sorted(warehouse.totals_by_zone().items()):
        bar = "\u2588" * min(40, total // 25)
        zones.append(f"{zone.name:<10} {total:>8,} {bar}")
    return report


def order_report(orders: Iterable[Order]) -> Report:
    orders = list(orders)
    report = Report("Orders")
    by_state: dict[OrderState, list[Order]] = defaultdict(list)
    for order in orders:
        by_state[order.state].append(order)
    summary = report.section("Summary")
    for state in OrderState:
        group = by_state.get(state, [])
        if group:
            value = sum(o.total for o in group) / CENTS_PER_UNIT
            summary.append(f"{state.name:<10} {len(group):>5} orders {value:>12,.2f} EUR")
    biggest = report.section("Largest orders")
    for order in sorted(orders, key=lambda o: (-o.total, o.reference))[:5]:
        biggest.extend(order.describe().splitlines())
    customers = Counter(o.customer for o in orders)
    regulars = report.section("Regular customers")
    regulars += [f"{name} ({n} orders)" for name, n in customers.most_common(3) if n > 1]
    return report


# ---------------------------------------------------------------------------
# Labels, translations and small helpers
# ---------------------------------------------------------------------------

TRANSLATIONS = {
    "de": {"stock": "Bestand", "order": "Bestellung", "size": "Größe", "shelf": "Regalfach"},
    "fr": {"stock": "stock", "order": "commande", "size": "taille", "shelf": "étagère"},
    "es": {"stock": "existencias", "order": "pedido", "size": "tamaño", "shelf": "estantería"},
    "ja": {"stock": "在庫", "order": "注文", "size": "サイズ", "shelf": "棚"},
}

UMLAUT_FOLDING = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "ñ": "n"})


def translate(word: str, language: str = "en") -> str:
    if language == "en":
        return word
    return TRANSLATIONS.get(language, {}).get(word, word)


def slug(text: str, *, max_length: int = 48) -> str:
    """A lower-case ASCII slug: 'Größe & Gewicht' -> 'groesse-gewicht'."""
    folded = text.lower().translate(UMLAUT_FOLDING)
    words = re.findall(r"[a-z0-9]+", folded)
    return "-".join(words)[:max_length].rstrip("-")


def größe_in_cm(millimetres: int) -> float:
    """Names may be non-ASCII in Python 3; some teams write them in their own language."""
    return millimetres / 10


def label_for(sku: Sku, location: Optional[Location], language: str = "en") -> bytes:
    text = f"{translate('shelf', language)}: {location or '?'} \u2192 {sku}"
    return text.encode("utf-8") + b"\r\n"


BARCODE_TABLE = bytes(range(0x20, 0x7F))
ESCAPES = {b"\t": rb"\t", b"\n": rb"\n", b"\\": rb"\\"}


def barcode_checksum(digits: str) -> int:
    """The check digit of an EAN-13 code from its first twelve digits."""
    if len(digits) != 12 or not digits.isdigit():
        raise ValueError(f"need 12 digits, got {digits!r}")
    odd = sum(int(d) for d in digits[0::2])
    even = sum(int(d) for d in digits[1::2])
    return (10 - (odd + 3 * even) % 10) % 10


def escape_bytes(data: bytes) -> bytes:
    out = bytearray()
    for i in range(len(data)):
        b = data[i:i + 1]
        out += ESCAPES.get(b, b if b in BARCODE_TABLE else b"\\x%02x" % b[0])
    return bytes(out)


def bits(value: int, width: int = 8) -> str:
    return "".join("1" if value >> i & 1 else "0" for i in reversed(range(width)))


def flags_summary(value: int) -> dict[str, bool]:
    names = ("fragile", "upright", "stackable", "cold", "dangerous", "heavy", "returnable", "gift")
    return {name: bool(value & (1 << i)) for i, name in enumerate(names)}


def merge_counts(*counters: Mapping[str, int], **extra: int) -> dict[str, int]:
    merged: Counter[str] = Counter()
    for c in counters:
        merged.update(c)
    merged.update(extra)
    return {k: v for k, v in merged.items() if v}


def flatten(nested: Iterable[Any]) -> Iterator[Any]:
    for item in nested:
        if isinstance(item, (list, tuple, set, frozenset)):
            yield from flatten(item)
        else:
            yield item


def group_by(items: Iterable[T], key: Callable[[T], K]) -> dict[K, list[T]]:
    groups: dict[K, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def first(items: Iterable[T], predicate: Callable[[T], bool] = bool, default: Optional[T] = None) -> Optional[T]:
    return next((x for x in items if predicate(x)), default)


def clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return low if value < low else high if value > high else value


def business_days(start: date, end: date, holidays: frozenset[date] = frozenset()) -> int:
    days, current = 0, start
    while current < end:
        if current.weekday() < 5 and current not in holidays:
            days += 1
        current += timedelta(days=1)
    return days


def memoize(fn):
    cache = {}
    hits = misses = 0

    @functools.wraps(fn)
    def wrapper(*args):
        nonlocal hits, misses
        if args in cache:
            hits += 1
            return cache[args]
        misses += 1
        result = cache[args] = fn(*args)
        return result

    wrapper.stats = lambda: {"hits": hits, "misses": misses, "size": len(cache)}
    return wrapper


@memoize
def packing_options(volume: int, boxes: tuple[int, ...] = (1, 5, 12, 40)) -> int:
    """How many ways volume units can be packed into boxes of the given sizes (order ignored)."""
    if volume == 0:
        return 1
    if volume < 0 or not boxes:
        return 0
    return packing_options(volume - boxes[0], boxes) + packing_options(volume, boxes[1:])


_SEQUENCE = 0


def next_reference(prefix: str = "ORD") -> str:
    global _SEQUENCE
    _SEQUENCE += 1
    return f"{prefix}-{datetime.now():%y%m%d}-{_SEQUENCE:05d}"


class Matrix:
    """Just enough of a matrix for the route planner: products with @, and transposes."""

    __slots__ = ("rows", "cols", "data")

    def __init__(self, rows: int, cols: int, data: Optional[Sequence[float]] = None) -> None:
        self.rows, self.cols = rows, cols
        self.data = list(data) if data is not None else [0.0] * (rows * cols)
        assert len(self.data) == rows * cols, "size mismatch"

    def __getitem__(self, rc: tuple[int, int]) -> float:
        r, c = rc
        return self.data[r * self.cols + c]

    def __setitem__(self, rc: tuple[int, int], value: float) -> None:
        r, c = rc
        self.data[r * self.cols + c] = value

    def __matmul__(self, other: "Matrix") -> "Matrix":
        if self.cols != other.rows:
            raise ValueError(f"cannot multiply {self.rows}x{self.cols} by {other.rows}x{other.cols}")
        out = Matrix(self.rows, other.cols)
        for i in range(self.rows):
            for j in range(other.cols):
                out[i, j] = sum(self[i, k] * other[k, j] for k in range(self.cols))
        return out

    def __imatmul__(self, other: "Matrix") -> "Matrix":
        result = self @ other
        self.rows, self.cols, self.data = result.rows, result.cols, result.data
        return self

    @property
    def T(self) -> "Matrix":
        return Matrix(self.cols, self.rows, [self[r, c] for c in range(self.cols) for r in range(self.rows)])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Matrix) and (self.rows, self.cols, self.data) == (other.rows, other.cols, other.data)

    def __repr__(self) -> str:
        body = "; ".join(" ".join(f"{self[r, c]:g}" for c in range(self.cols)) for r in range(self.rows))
        return f"Matrix[{body}]"


def route_length(stops: Sequence[Location]) -> float:
    return sum(a.distance_to(b) for a, b in zip(stops, stops[1:]))


def greedy_route(start: Location, stops: Iterable[Location]) -> list[Location]:
    remaining = set(stops)
    route = [start]
    while remaining:
        here = route[-1]
        nearest = min(remaining, key=lambda s: (here.distance_to(s), str(s)))
        remaining.discard(nearest)
        route.append(nearest)
    return route


def two_opt(route: list[Location], *, rounds: int = 50) -> list[Location]:
    best, best_len = route[:], route_length(route)
    for _ in range(rounds):
        improved = False
        for i in range(1, len(best) - 2):
            for j in range(i + 1, len(best)):
                if j - i == 1:
                    continue
                candidate = best[:i] + best[i:j][::-1] + best[j:]
                if (length := route_length(candidate)) + EPSILON < best_len:
                    best, best_len, improved = candidate, length, True
        if not improved:
            break
    return best


SQL_LOW_STOCK = """
    SELECT sku, on_hand - reserved AS available
      FROM stock_levels
     WHERE on_hand - reserved < :threshold
  ORDER BY available ASC, sku
"""

HELP_TEXT = '''\
usage: warehouse [--report] [--simulate N] CATALOGUE

Reads CATALOGUE (a ';'-separated file) and prints a stock report.
  --report        print the stock and order reports
  --simulate N    simulate N orders against the stock first
'''


def parse_args(argv: Sequence[str]) -> dict[str, Any]:
    options: dict[str, Any] = {"report": False, "simulate": 0, "catalogue": None}
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg in ("-h", "--help"):
            print(HELP_TEXT, end="")
            raise SystemExit(0)
        elif arg == "--report":
            options["report"] = True
        elif arg == "--simulate":
            options["simulate"] = int(args.pop(0)) if args else \
                0
        elif arg.startswith("-"):
            raise SystemExit(f"unknown option {arg}")
        else:
            options["catalogue"] = arg
    return options


def make_orders(warehouse: Warehouse, n: int, *, seed: int = 42) -> list[Order]:
    skus = sorted(warehouse.stock)
    if not skus:
        return []
    orders = []
    state = seed
    for i in range(n):
        state = (state * 6_364_136_223_846_793_005 + 1_442_695_040_888_963_407) & 0xFFFF_FFFF_FFFF_FFFF
        order = Order(next_reference(), customer=f"customer-{state % 17:02d}")
        for k in range(1 + state % 4):
            sku = skus[(state >> (8 * k)) % len(skus)]
            order.add(sku, 1 + (state >> 3) % 9, unit_price=2_99 + (state >> 5) % 5_000)
        orders.append(order)
    return orders


@timed(threshold=1.0)
def run_nightly(argv: Sequence[str]) -> int:
    options = parse_args(argv)
    warehouse = Warehouse("main")
    if options["catalogue"]:
        n = load_catalogue(options["catalogue"], warehouse); log.info("%d catalogue rows", n)
    orders = make_orders(warehouse, options["simulate"])
    if orders:
        counts = asyncio.run(simulate_day(warehouse, orders))
        log.info("simulated: %s", ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    if options["report"]:
        print(stock_report(warehouse).render())
        print(order_report(orders).render())
    return 0 if all(o.state is not OrderState.CANCELLED for o in orders) else 1


if __name__ == "__main__":
    import sys

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-7s %(message)s")
    sys.exit(run_nightly(sys.argv[1:]))
