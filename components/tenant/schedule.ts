/**
 * Scale-to-zero schedules as Application Auto Scaling cron expressions.
 */
import { TenantSchedule } from "../../config/tenantEntry";

/** The two scheduled actions of a schedule: when to sleep and when to wake. */
export interface ScheduleCrons {
  readonly sleep: string;
  readonly wake: string;
  readonly timezone: string;
}

/**
 * Sleeps every evening; wakes every morning, or only Monday to Friday when the weekend is
 * slept through (Friday's sleep then lasts until Monday).
 */
export function scheduleCrons(schedule: TenantSchedule): ScheduleCrons {
  const [sleepHour, sleepMinute] = schedule.sleepAt.split(":").map(Number);
  const [wakeHour, wakeMinute] = schedule.wakeAt.split(":").map(Number);
  const wakeDays = schedule.weekdaysOnly ? "MON-FRI" : "*";
  return {
    sleep: `cron(${sleepMinute} ${sleepHour} ? * * *)`,
    wake: `cron(${wakeMinute} ${wakeHour} ? * ${wakeDays} *)`,
    timezone: schedule.timezone,
  };
}
