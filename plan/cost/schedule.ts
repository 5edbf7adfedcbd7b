/**
 * Scheduled scaling as the cost model sees it: Application Auto Scaling cron expressions turned
 * into the times of a repeating week they fire at, and a week cut into periods with the
 * min/max capacity in force during each.
 *
 * Supported: `cron(Minutes Hours Day-of-month Month Day-of-week Year)` where
 *  - Minutes and Hours are `*`, a number, a range `a-b` or a comma list of those;
 *  - Day-of-month is `?` or `*` and Month and Year are `*` (schedules that differ by month or
 *    date do not repeat weekly);
 *  - Day-of-week is `?`, `*`, or a comma list of days or ranges, as names (`SUN`-`SAT`) or
 *    numbers (1 = SUN ... 7 = SAT), e.g. `MON-FRI`, `SAT,SUN`, `2-6`.
 * Rejected with an error naming the field: `/` steps, `L`, `W`, `#`, and `at(...)` / `rate(...)`
 * expressions. Time zones do not change how many hours a week a schedule covers; daylight-saving
 * changes (an hour twice a year) are ignored.
 */
import { CostModelError } from "./errors";

export const MINUTES_PER_WEEK = 7 * 24 * 60;
export const HOURS_PER_WEEK = 7 * 24;

const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;

/** The minutes of the week (0 = Sunday 00:00) at which `expression` fires, sorted. */
export function cronMinutesOfWeek(expression: string): number[] {
  const match = /^cron\((.*)\)$/.exec(expression.trim());
  if (!match) {
    throw new CostModelError(
      `schedule "${expression}" is not a cron(...) expression; the cost model supports ` +
        "cron(Minutes Hours ? * Day-of-week *) only (at() and rate() are not modelled)",
    );
  }
  const fields = match[1].trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new CostModelError(
      `schedule "${expression}" has ${fields.length} fields; Application Auto Scaling cron takes 6: ` +
        "Minutes Hours Day-of-month Month Day-of-week Year",
    );
  }
  const [minuteField, hourField, dayOfMonth, month, dayOfWeek, year] = fields;
  const fail = (field: string, value: string, hint: string) =>
    new CostModelError(`schedule "${expression}": ${field} field "${value}" is not supported (${hint})`);

  const minutes = expandNumbers(minuteField, 0, 59, () =>
    fail("minutes", minuteField, "use *, a number 0-59, a range or a comma list"),
  );
  const hours = expandNumbers(hourField, 0, 23, () =>
    fail("hours", hourField, "use *, a number 0-23, a range or a comma list"),
  );
  if (dayOfMonth !== "?" && dayOfMonth !== "*") {
    throw fail("day-of-month", dayOfMonth, "use ? or *: date-based schedules do not repeat weekly");
  }
  if (month !== "*") throw fail("month", month, "use *");
  if (year !== "*") throw fail("year", year, "use *");
  const days = expandDays(dayOfWeek, () =>
    fail(
      "day-of-week",
      dayOfWeek,
      "use ?, *, SUN-SAT or 1-7 (1 = SUN), ranges such as MON-FRI, or a comma list",
    ),
  );

  const times: number[] = [];
  for (const day of days)
    for (const hour of hours) for (const minute of minutes) times.push(day * 1440 + hour * 60 + minute);
  return [...new Set(times)].sort((a, b) => a - b);
}

function expandNumbers(field: string, min: number, max: number, error: () => Error): number[] {
  if (field === "*") return range(min, max);
  const values: number[] = [];
  for (const part of field.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw error();
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < min || to > max || from > to) throw error();
    values.push(...range(from, to));
  }
  return values;
}

function expandDays(field: string, error: () => Error): number[] {
  if (field === "*" || field === "?") return range(0, 6);
  const day = (token: string): number => {
    const named = DAY_NAMES.indexOf(token.toUpperCase() as (typeof DAY_NAMES)[number]);
    if (named >= 0) return named;
    if (/^[1-7]$/.test(token)) return Number(token) - 1;
    throw error();
  };
  const values: number[] = [];
  for (const part of field.split(",")) {
    const [fromToken, toToken, extra] = part.split("-");
    if (extra !== undefined || fromToken === "") throw error();
    const from = day(fromToken);
    const to = toToken === undefined ? from : day(toToken);
    // A range may wrap past Saturday (FRI-MON).
    for (let d = from; ; d = (d + 1) % 7) {
      values.push(d);
      if (d === to) break;
    }
  }
  return values;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** A capacity limit a scheduled action sets. Omitted bounds leave the one in force unchanged. */
export interface ScheduledLimits {
  /** Identifies the action in errors. */
  readonly name: string;
  readonly schedule: string;
  readonly minCapacity?: number;
  readonly maxCapacity?: number;
}

/** Capacity bounds in force. */
export interface CapacityBounds {
  readonly minCapacity: number;
  readonly maxCapacity: number;
}

/** A stretch of the week with the same bounds in force. */
export interface CapacityPeriod extends CapacityBounds {
  /** Minute of the week (0 = Sunday 00:00) the period starts at; it may run past the week's end. */
  readonly startMinute: number;
  readonly hoursPerWeek: number;
}

/**
 * Cuts the repeating week into periods by the scheduled actions: each action's bounds hold
 * from the moment it fires until the next action fires (wrapping round the week). With no
 * actions, `initial` holds all week. Two actions firing at the same minute apply in the order
 * given, the later one winning.
 */
export function weeklyCapacityPeriods(
  initial: CapacityBounds,
  actions: readonly ScheduledLimits[],
): CapacityPeriod[] {
  const events = actions
    .flatMap((action, order) => {
      try {
        return cronMinutesOfWeek(action.schedule).map((minute) => ({ minute, order, action }));
      } catch (error) {
        if (error instanceof CostModelError) {
          throw new CostModelError(`scheduled action "${action.name}": ${error.message}`);
        }
        throw error;
      }
    })
    .sort((a, b) => a.minute - b.minute || a.order - b.order);
  if (events.length === 0) return [{ ...initial, startMinute: 0, hoursPerWeek: HOURS_PER_WEEK }];

  const apply = (bounds: CapacityBounds, action: ScheduledLimits): CapacityBounds => ({
    minCapacity: action.minCapacity ?? bounds.minCapacity,
    maxCapacity: action.maxCapacity ?? bounds.maxCapacity,
  });
  // The week repeats: the bounds at Sunday 00:00 are those the previous week ended with.
  let bounds = events.reduce((b, e) => apply(b, e.action), initial);
  const periods: CapacityPeriod[] = [];
  events.forEach((event, i) => {
    bounds = apply(bounds, event.action);
    const next = i + 1 < events.length ? events[i + 1].minute : events[0].minute + MINUTES_PER_WEEK;
    const minutes = next - event.minute;
    if (minutes > 0) periods.push({ ...bounds, startMinute: event.minute, hoursPerWeek: minutes / 60 });
  });
  return periods;
}

/**
 * Minutes of the week when something runs, as one flag per minute: the union of several
 * services' awake periods (what keeps a shared, pausable database awake).
 */
/**
 * Minutes a time zone is ahead of UTC (Africa/Johannesburg: 120), read in mid-January: the
 * model ignores daylight-saving shifts, as it does for each tenant's own hours.
 */
export function utcOffsetMinutes(timeZone: string | undefined): number {
  if (!timeZone || timeZone === "UTC") return 0;
  let name: string | undefined;
  try {
    name = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" })
      .formatToParts(new Date(Date.UTC(2026, 0, 15, 12)))
      .find((part) => part.type === "timeZoneName")?.value;
  } catch {
    throw new CostModelError(`time zone ${JSON.stringify(timeZone)} is not an IANA time zone`);
  }
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name ?? "");
  if (!m)
    throw new CostModelError(`time zone ${JSON.stringify(timeZone)}: cannot read its UTC offset (${name})`);
  return m[1] === undefined ? 0 : (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

export class WeeklyMask {
  private readonly minutes = new Uint8Array(MINUTES_PER_WEEK);

  /**
   * Marks a period given in local time of a zone `utcOffset` minutes ahead of UTC; the mask is
   * in UTC, so services scheduled in different zones add up as they really overlap.
   */
  mark(period: Pick<CapacityPeriod, "startMinute" | "hoursPerWeek">, utcOffset = 0): void {
    const length = Math.round(period.hoursPerWeek * 60);
    const start = period.startMinute - utcOffset + MINUTES_PER_WEEK;
    for (let m = 0; m < length; m++) this.minutes[(start + m) % MINUTES_PER_WEEK] = 1;
  }

  /** Hours a week marked. */
  get hoursPerWeek(): number {
    return this.minutes.reduce((n, flag) => n + flag, 0) / 60;
  }
}
