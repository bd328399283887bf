// Expands an iCalendar file with ical.js (an independent implementation, which reads the file's own
// VTIMEZONEs): `node expand.mjs FROM TO < calendar.ics` prints, as JSON, every occurrence starting in
// [FROM, TO) as { uid, start } with `start` in UTC, EXDATEs left out and RECURRENCE-ID overrides applied.
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

const [from, to] = process.argv.slice(2).map((t) => new Date(t));
const root = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
for (const zone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
const vevents = root.getAllSubcomponents("vevent");
const overrides = vevents.filter((v) => v.hasProperty("recurrence-id"));
const out = [];
for (const vevent of vevents.filter((v) => !v.hasProperty("recurrence-id"))) {
  const event = new ICAL.Event(vevent, {
    exceptions: overrides.filter((o) => o.getFirstPropertyValue("uid") === vevent.getFirstPropertyValue("uid")),
  });
  if (!event.isRecurring()) {
    const start = event.startDate.toJSDate();
    if (start >= from && start < to) out.push({ uid: event.uid, start: start.toISOString() });
    continue;
  }
  const iterator = event.iterator();
  for (let next = iterator.next(), n = 0; next && n < 10000; next = iterator.next(), n++) {
    const details = event.getOccurrenceDetails(next);
    const start = details.startDate.toJSDate();
    if (next.toJSDate() >= to && start >= to) break;
    if (start >= from && start < to) out.push({ uid: event.uid, start: start.toISOString() });
  }
}
out.sort((a, b) => a.start.localeCompare(b.start));
console.log(JSON.stringify(out));
