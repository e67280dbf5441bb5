"""Business-hours arithmetic in an organization's own time zone and working week."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Calendar:
    time_zone: str = "UTC"
    weekdays: frozenset[int] = frozenset(range(5))  # Monday = 0
    start: time = time(9)
    end: time = time(17)

    @classmethod
    def of(cls, organization) -> "Calendar":
        return cls(
            time_zone=organization.time_zone or "UTC",
            weekdays=frozenset(int(d) for d in organization.business_weekdays if d.isdigit()),
            start=organization.business_day_start,
            end=organization.business_day_end,
        )

    @property
    def seconds_per_day(self) -> float:
        return (datetime.combine(datetime.min, self.end) - datetime.combine(datetime.min, self.start)).total_seconds()


def add_business_seconds(start: datetime, seconds: float, calendar: Calendar) -> datetime:
    """The moment `seconds` of working time after `start`, counted in the calendar's zone."""
    if not calendar.weekdays or calendar.seconds_per_day <= 0:
        return start + timedelta(seconds=seconds)  # a calendar with no hours counts wall time
    zone = ZoneInfo(calendar.time_zone)
    local = start.astimezone(zone)
    remaining = float(seconds)
    day = local.date()
    cursor = local
    # Each pass consumes at most one working day, so the loop is bounded by the target's days.
    while True:
        day_start = datetime.combine(day, calendar.start, zone)
        day_end = datetime.combine(day, calendar.end, zone)
        if day.weekday() in calendar.weekdays and cursor < day_end:
            begin = max(cursor, day_start)
            available = (day_end - begin).total_seconds()
            if remaining <= available:
                return (begin + timedelta(seconds=remaining)).astimezone(start.tzinfo)
            remaining -= available
        day += timedelta(days=1)
        cursor = datetime.combine(day, time(0), zone)


def business_seconds_between(start: datetime, end: datetime, calendar: Calendar) -> float:
    """Working seconds between two moments (0 if end is not after start)."""
    if end <= start:
        return 0.0
    if not calendar.weekdays or calendar.seconds_per_day <= 0:
        return (end - start).total_seconds()
    zone = ZoneInfo(calendar.time_zone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    total = 0.0
    day = local_start.date()
    while day <= local_end.date():
        if day.weekday() in calendar.weekdays:
            begin = max(local_start, datetime.combine(day, calendar.start, zone))
            finish = min(local_end, datetime.combine(day, calendar.end, zone))
            if finish > begin:
                total += (finish - begin).total_seconds()
        day += timedelta(days=1)
    return total
