// Form fields and the checks every form runs before it sends anything: the rules SM applies server-side (names,
// locations, snapshot tags, cron specs, numbers), so most mistakes are caught with a message before a round trip.
// Whatever still fails on the server is shown with the server's own message.
import { h } from "./dom.js";

/** A labelled input; `attrs` go to the <input> (or <select> when `options` is given). */
export function field(label, attrs, options) {
  const control = options
    ? h(
        "select",
        attrs,
        options.map(([value, text]) => h("option", { value, selected: value === attrs.value }, text)),
      )
    : h("input", { type: "text", ...attrs });
  return h("label", {}, label, control);
}

export const formError = (message) =>
  h("div", { class: "error-box", role: "alert" }, h("div", { class: "error" }, message));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** SM's backup location: `[dc:]provider:bucket`. */
const LOCATION = /^(([a-zA-Z0-9\-_.]+):)?([a-z0-9]+):([a-z0-9\-.]+)$/;
const PROVIDERS = ["s3", "gcs", "azure", "localstorage"];
const SNAPSHOT_TAG = /^sm_[0-9]{14}UTC$/;
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;
const DESCRIPTORS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

/** Splits a comma-separated list, dropping blanks. */
export const list = (value) =>
  String(value || "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** The problem with a cron spec, or "" (5 or 6 fields, a descriptor, or `@every <Go duration>`). */
export function cronProblem(spec) {
  const s = spec.trim();
  if (s === "") return "";
  if (s.startsWith("@every ")) {
    return GO_DURATION.test(s.slice(7).trim())
      ? ""
      : `invalid cron "${s}": @every needs a duration such as 30m or 1h30m`;
  }
  if (s.startsWith("@")) return DESCRIPTORS.includes(s) ? "" : `invalid cron "${s}": unknown descriptor`;
  const fields = s.split(/\s+/);
  if (fields.length < 5 || fields.length > 6) {
    return `invalid cron "${s}": expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  }
  return fields.every((f) => /^[0-9A-Za-z*?/,\-LW#]+$/.test(f)) ? "" : `invalid cron "${s}": unexpected characters`;
}

function locationsProblem(locations) {
  if (locations.length === 0) return "location is required, e.g. s3:my-bucket";
  for (const location of locations) {
    const m = LOCATION.exec(location);
    if (!m) return `invalid location "${location}": use [dc:]provider:bucket, e.g. s3:backups or dc1:gcs:backups`;
    if (!PROVIDERS.includes(m[3]))
      return `invalid location "${location}": provider must be one of ${PROVIDERS.join(", ")}`;
  }
  return "";
}

const intProblem = (name, value, min = 0) =>
  value === "" || value === undefined || (/^-?[0-9]+$/.test(value) && Number(value) >= min)
    ? ""
    : `${name} must be a whole number ≥ ${min}`;

/** Form checks: each returns the first problem as a message, or "". */
export const validators = {
  cluster(d) {
    if (!d.name?.trim()) return "name is required";
    if (UUID.test(d.name.trim())) return "name must not be a UUID";
    if (!d.host?.trim()) return "host is required: the IP or name of one node with an agent";
    if (d.port && (!/^[0-9]+$/.test(d.port) || Number(d.port) < 1 || Number(d.port) > 65535)) {
      return "port must be between 1 and 65535";
    }
    if (!d.username !== !d.password) return "set both the CQL username and password, or neither";
    return "";
  },
  task(d) {
    if (d.name && UUID.test(d.name.trim())) return "name must not be a UUID";
    const cron = cronProblem(d.cron || "");
    if (cron) return cron;
    if (d.type === "backup") {
      const problem = locationsProblem(list(d.location));
      if (problem) return problem;
      for (const [name, value] of [
        ["retention", d.retention],
        ["retention_days", d.retention_days],
      ]) {
        const p = intProblem(name, value);
        if (p) return p;
      }
    }
    if (d.type === "repair") {
      if (d.intensity !== "" && d.intensity !== undefined && !(Number(d.intensity) >= 0)) {
        return "intensity must be a number ≥ 0 (0 = max)";
      }
      const p = intProblem("parallel", d.parallel);
      if (p) return p;
    }
    if (d.type === "validate_backup" && d.location) return locationsProblem(list(d.location));
    return intProblem("num_retries", d.num_retries);
  },
  restore(d) {
    const problem = locationsProblem(list(d.location));
    if (problem) return problem;
    if (!SNAPSHOT_TAG.test(d.snapshot_tag || "")) return "snapshot tag must look like sm_20240101120000UTC";
    if (d.mode !== "tables" && d.mode !== "schema") return "choose what to restore: tables or schema";
    if (d.mode === "schema" && d.keyspace) return "a schema restore takes no keyspace filter";
    return intProblem("batch_size", d.batch_size) || intProblem("parallel", d.parallel);
  },
};

/** The TaskUpdate body of the new-task form's data. */
export function taskBody(d) {
  const properties = {};
  const set = (key, value) => {
    if (value !== undefined && value !== "" && !(Array.isArray(value) && value.length === 0)) properties[key] = value;
  };
  if (d.type === "repair") {
    set("keyspace", list(d.keyspace));
    set("dc", list(d.dc));
    if (d.intensity !== "") set("intensity", Number(d.intensity));
    if (d.parallel !== "") set("parallel", Number(d.parallel));
    if (d.ignore_down_hosts) properties.ignore_down_hosts = true;
  } else if (d.type === "backup") {
    set("location", list(d.location));
    set("keyspace", list(d.keyspace));
    set("dc", list(d.dc));
    if (d.retention !== "") set("retention", Number(d.retention));
    if (d.retention_days !== "") set("retention_days", Number(d.retention_days));
  } else if (d.type === "validate_backup") {
    set("location", list(d.location));
  }
  const schedule = {};
  if (d.cron?.trim()) schedule.cron = d.cron.trim();
  if (d.num_retries !== "" && d.num_retries !== undefined) schedule.num_retries = Number(d.num_retries);
  return { type: d.type, name: d.name?.trim() || "", enabled: true, schedule, properties, labels: {} };
}
