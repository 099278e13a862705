/**
 * Maintenance windows: SM's `[Weekday-]H:MM` begin/end pairs. Slots without a weekday repeat daily; an end before
 * its begin wraps midnight (or the week). A run may only start inside a slot and must end at the slot's end.
 * @module
 */
import { ValidationError } from "../errors.ts";
import { fromWallTime, toWallTime } from "./timezone.ts";

const WEEK = 7 * 1440;
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const POINT = /^(?:([A-Za-z]{3})-)?([01]?\d|2[0-3]):([0-5]\d)$/;

/** A slot in minutes of the week (0 = Sunday 00:00), begin < end ≤ 2·WEEK. */
interface Slot {
  begin: number;
  end: number;
}

/** A parsed window. Empty = always open. */
export interface Window {
  slots: Slot[];
}

interface Point {
  weekday: number | null;
  minute: number;
}

function parsePoint(text: string): Point {
  const match = POINT.exec(text.trim());
  const day = match?.[1]?.toLowerCase();
  const weekday = day === undefined ? null : DAYS.indexOf(day);
  if (!match || weekday === -1) {
    throw new ValidationError(`invalid window point "${text}"`, {
      hint: "use [Weekday-]H:MM with a 3-letter weekday, e.g. Mon-23:00 or 6:00",
    });
  }
  return { weekday, minute: Number(match[2]) * 60 + Number(match[3]) };
}

function mergeSlots(slots: Slot[]): Slot[] {
  const sorted = [...slots].sort((a, b) => a.begin - b.begin);
  const out: Slot[] = [];
  for (const slot of sorted) {
    const last = out[out.length - 1];
    if (last && slot.begin <= last.end) last.end = Math.max(last.end, slot.end);
    else out.push({ ...slot });
  }
  return out;
}

/** Parses and validates a window (even length, begin ≠ end, both ends with or without a weekday). */
export function parseWindow(points: readonly string[]): Window {
  if (points.length === 0) return { slots: [] };
  if (points.length % 2 !== 0) {
    throw new ValidationError(`invalid window: it must have an even number of points, got ${points.length}`, {
      hint: "give begin,end pairs such as Mon-1:00,Mon-5:00",
    });
  }
  const slots: Slot[] = [];
  for (let i = 0; i < points.length; i += 2) {
    const begin = parsePoint(points[i] ?? "");
    const end = parsePoint(points[i + 1] ?? "");
    if ((begin.weekday === null) !== (end.weekday === null)) {
      throw new ValidationError(`invalid window slot ${points[i]}-${points[i + 1]}: mixed weekday and daily points`);
    }
    if (begin.weekday === null || end.weekday === null) {
      if (begin.minute === end.minute) {
        throw new ValidationError(`invalid window slot ${points[i]}-${points[i + 1]}: begin equals end`);
      }
      const length = (end.minute - begin.minute + 1440) % 1440;
      for (let day = 0; day < 7; day++)
        slots.push({ begin: day * 1440 + begin.minute, end: day * 1440 + begin.minute + length });
      continue;
    }
    const b = begin.weekday * 1440 + begin.minute;
    const e = end.weekday * 1440 + end.minute;
    if (b === e) throw new ValidationError(`invalid window slot ${points[i]}-${points[i + 1]}: begin equals end`);
    slots.push({ begin: b, end: b + ((e - b + WEEK) % WEEK) });
  }
  // Slots reaching into next week are also seen from the week's start.
  const wrapped = slots.filter((s) => s.end > WEEK).map((s) => ({ begin: 0, end: s.end - WEEK }));
  return { slots: mergeSlots([...slots, ...wrapped]) };
}

/** Where an instant falls relative to a window. */
export type WindowPosition =
  | { inside: true /** ms; the slot end (Infinity when the window is empty). */; deadline: number }
  | { inside: false /** ms; the next slot begin. */; nextBegin: number };

/** Locates `atMs` in `window`, evaluated in `timezone` ("" = UTC). */
export function locateInWindow(window: Window, atMs: number, timezone: string): WindowPosition {
  if (window.slots.length === 0) return { inside: true, deadline: Number.POSITIVE_INFINITY };
  const wall = toWallTime(atMs, timezone);
  const position = wall.weekday * 1440 + wall.hour * 60 + wall.minute + wall.second / 60;
  // Wall date of this week's Sunday; minute offsets from it are converted back through the zone.
  const toInstant = (minuteOfWeek: number) =>
    fromWallTime(timezone, wall.year, wall.month, wall.day - wall.weekday, 0, minuteOfWeek);
  for (const slot of window.slots) {
    if (slot.begin <= position && position < slot.end) {
      let end = slot.end;
      // A slot ending exactly at the week's end continues in one starting at the week's start.
      const head = window.slots[0];
      if (end === WEEK && head && head.begin === 0) end = WEEK + head.end;
      return { inside: true, deadline: toInstant(end) };
    }
  }
  const next = window.slots.find((slot) => slot.begin > position);
  const begin = next ? next.begin : (window.slots[0]?.begin ?? 0) + WEEK;
  return { inside: false, nextBegin: toInstant(begin) };
}
