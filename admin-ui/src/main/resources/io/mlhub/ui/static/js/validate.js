// Client-side checks that mirror the hub's rules, so most mistakes show before a request is
// sent. The hub checks everything again, and its response decides.

const SIZE_PATTERN = /^(\d+(?:\.\d+)?)([KMGT])?$/i;
const SIZE_FACTORS = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const GPU_PATTERN = /^(all|\d+|\d+(,\d+)+)$/;

/** Returns an error message for a user or server name, or null when it passes. */
export function checkName(value, rule, label) {
  if (value === "") {
    return `Enter a ${label}.`;
  }
  if (value.length > rule.maxLength) {
    return `The ${label} is ${value.length} characters long (maximum: ${rule.maxLength}).`;
  }
  if (!new RegExp(rule.pattern).test(value)) {
    return `The ${label} "${value}" contains characters that are not allowed (allowed: ${describePattern(rule)}).`;
  }
  return null;
}

function describePattern(rule) {
  return rule.description ?? rule.pattern;
}

/** Returns an error message for a new password, or null when it passes. */
export function checkPassword(value, minLength) {
  if (value.length < minLength) {
    return `Use at least ${minLength} characters.`;
  }
  return null;
}

/** Parses a size such as "2G" or "512M" into bytes (units are powers of 1024), or returns NaN. */
export function parseSize(value) {
  const match = SIZE_PATTERN.exec(String(value).trim());
  if (match === null) {
    return Number.NaN;
  }
  return Number(match[1]) * SIZE_FACTORS[(match[2] ?? "").toUpperCase()];
}

/** Returns an error for a size field such as mem_limit, or null when it is empty or valid. */
export function checkSize(value, maximum, label) {
  if (value === "") {
    return null;
  }
  const bytes = parseSize(value);
  if (Number.isNaN(bytes) || bytes <= 0) {
    return `Invalid ${label} "${value}": write a number with an optional unit K, M, G or T, e.g. 2G.`;
  }
  if (maximum && bytes > parseSize(maximum)) {
    return `The ${label} ${value} is above the maximum of ${maximum}.`;
  }
  return null;
}

/** Returns an error for a CPU limit, or null when it is empty or valid. */
export function checkCpus(value, maximum) {
  if (value === "") {
    return null;
  }
  const cpus = Number(value);
  if (!Number.isFinite(cpus) || cpus <= 0) {
    return `Invalid CPU limit "${value}": enter a number above 0, e.g. 2 or 0.5.`;
  }
  if (maximum && cpus > maximum) {
    return `The CPU limit ${value} is above the maximum of ${maximum}.`;
  }
  return null;
}

/** Returns an error for the GPU field ("all", a count, or device ids like "0,1"), or null. */
export function checkGpus(value, maximum) {
  if (value === "") {
    return null;
  }
  if (!GPU_PATTERN.test(value)) {
    return `Invalid GPU selection "${value}": enter "all", a count such as 1, or device ids such as 0,1.`;
  }
  if (value === "all" || !maximum) {
    return null;
  }
  const requested = value.includes(",") ? value.split(",").length : Number(value);
  if (requested > maximum) {
    return `${requested} GPUs requested, but at most ${maximum} are available.`;
  }
  return null;
}

/** Returns an error for days to live, or null when it is empty or valid. */
export function checkDays(value, maximum) {
  if (value === "") {
    return null;
  }
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1) {
    return `Invalid number of days "${value}": enter a whole number of at least 1.`;
  }
  if (maximum && days > maximum) {
    return `${days} days is above the maximum of ${maximum}.`;
  }
  return null;
}

/**
 * Parses NAME=VALUE lines into an object. Returns {env} or {error} naming the first bad line.
 * Blank lines and lines starting with # are skipped.
 */
export function parseEnv(text) {
  const env = {};
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === "" || line.startsWith("#")) {
      continue;
    }
    const equals = line.indexOf("=");
    if (equals < 1) {
      return { error: `Line ${index + 1}: expected NAME=VALUE, got "${line}".` };
    }
    const name = line.slice(0, equals).trim();
    if (!ENV_NAME_PATTERN.test(name)) {
      return { error: `Line ${index + 1}: "${name}" is not a valid variable name (letters, digits and _, not starting with a digit).` };
    }
    if (name in env) {
      return { error: `Line ${index + 1}: ${name} is set twice.` };
    }
    env[name] = line.slice(equals + 1);
  }
  return { env };
}
