"""Expands an iCalendar file with Python's icalendar + recurring_ical_events (an independent
implementation): `python expand.py FROM TO < calendar.ics` prints, as JSON, every occurrence starting in
[FROM, TO) as {uid, start} with `start` in UTC, EXDATEs left out and RECURRENCE-ID overrides applied."""

import datetime
import json
import sys

import icalendar
import recurring_ical_events

start, end = (datetime.datetime.fromisoformat(t.replace("Z", "+00:00")) for t in sys.argv[1:3])
calendar = icalendar.Calendar.from_ical(sys.stdin.read())
out = []
for event in recurring_ical_events.of(calendar).between(start, end):
    begins = event["DTSTART"].dt.astimezone(datetime.timezone.utc)
    if start <= begins < end:
        out.append({"uid": str(event["UID"]), "start": begins.strftime("%Y-%m-%dT%H:%M:%S.000Z")})
out.sort(key=lambda o: o["start"])
print(json.dumps(out))
