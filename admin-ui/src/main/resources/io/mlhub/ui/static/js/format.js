// Formatting of times, durations and server options for display.

const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const ABSOLUTE = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

const UNITS = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

/** Returns "3 minutes ago" or "in 2 days" for an ISO-8601 time, or the fallback for null. */
export function relativeTime(iso, fallback = "never") {
  if (!iso) {
    return fallback;
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  const seconds = (date.getTime() - Date.now()) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "second") {
      return RELATIVE.format(Math.round(seconds / size), unit);
    }
  }
  return iso;
}

/** Returns the local date and time of an ISO-8601 time for a tooltip, or "" for null. */
export function absoluteTime(iso) {
  if (!iso) {
    return "";
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : ABSOLUTE.format(date);
}

/** Builds a <time> element that shows a relative time and the exact time on hover. */
export function timeElement(iso, fallback = "never") {
  const element = document.createElement("time");
  element.textContent = relativeTime(iso, fallback);
  if (iso) {
    element.dateTime = iso;
    element.title = absoluteTime(iso);
  }
  return element;
}

/** Returns one line per option, e.g. "cpu_limit: 2"; env values are hidden, only names shown. */
export function optionLines(options) {
  if (!options || typeof options !== "object") {
    return [];
  }
  const lines = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === null || value === undefined || value === "") {
      continue;
    }
    if (key === "env" && typeof value === "object") {
      const names = Object.keys(value);
      if (names.length > 0) {
        lines.push(`env: ${names.join(", ")}`);
      }
    } else {
      lines.push(`${key}: ${typeof value === "object" ? JSON.stringify(value) : value}`);
    }
  }
  return lines;
}

/** Returns the state of a JupyterHub server model as one word. */
export function serverState(server) {
  if (!server) {
    return "stopped";
  }
  if (server.pending === "spawn") {
    return "starting";
  }
  if (server.pending === "stop") {
    return "stopping";
  }
  if (server.ready) {
    return "running";
  }
  return "stopped";
}
