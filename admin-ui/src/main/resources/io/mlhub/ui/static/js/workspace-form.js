// The "new workspace" form: server name and the options the spawner accepts. Used on the home
// page for the user's own servers and in the admin panel for any user's servers.

import { segment } from "./api.js";
import { h } from "./dom.js";
import { clearErrors, showApiError, showValidationErrors, whileBusy } from "./forms.js";
import { startServer } from "./progress.js";
import { checkCpus, checkDays, checkGpus, checkName, checkSize, parseEnv } from "./validate.js";

/** The hub may name the server-name field either way in its errors. */
const FIELD_ALIASES = { server_name: "name", user_options: "name" };

/** The options of a hub that does not list its engine's supported options (every option). */
const ALL_OPTIONS = ["image", "cpu_limit", "mem_limit", "gpus", "env", "days_to_live", "shm_size", "volume"];

/** Returns whether the hub's workspace engine accepts the option `name`; the form shows only those. */
function offers(config, name) {
  return (config.supportedOptions ?? ALL_OPTIONS).includes(name);
}

/**
 * Builds the form. settings: {config, userName, idPrefix, withName (ask for a server name),
 * serverName (fixed name when withName is false; "" = default server), submitLabel,
 * onStarted(serverName, outcome)}, where outcome is {ready, failed, message, url} at the end of
 * the start, which the form follows in its own progress bar. Returns the form element.
 */
export function workspaceForm(settings) {
  const { config, idPrefix } = settings;
  const id = (name) => `${idPrefix}-${name}`;
  const limits = config.limits;
  const defaults = config.defaults ?? {};

  const fields = [];
  if (settings.withName) {
    const rule = config.names.server;
    fields.push(field(id("name"), "name", "Workspace name", h("input", {
      id: id("name"), name: "name", type: "text", required: true, autocomplete: "off",
      maxlength: String(rule.maxLength), spellcheck: "false",
    }), `${rule.description ?? `At most ${rule.maxLength} characters.`} It becomes part of the workspace URL.`));
  }
  if (offers(config, "image")) {
    fields.push(imageField(id, config));
  }
  if (offers(config, "cpu_limit")) {
    fields.push(field(id("cpu_limit"), "cpu_limit", "CPU limit", h("input", {
      id: id("cpu_limit"), name: "cpu_limit", type: "number", min: "0.1", step: "0.1",
      max: limits.maxCpus ?? false, value: defaults.cpu_limit ?? false, inputmode: "decimal",
    }), limits.maxCpus ? `Number of CPUs, at most ${limits.maxCpus}. Empty: the hub's default.` : "Number of CPUs. Empty: the hub's default."));
  }
  if (offers(config, "mem_limit")) {
    fields.push(field(id("mem_limit"), "mem_limit", "Memory limit", h("input", {
      id: id("mem_limit"), name: "mem_limit", type: "text", placeholder: "e.g. 2G",
      value: defaults.mem_limit ?? false, spellcheck: "false",
    }), limits.maxMemory ? `Size with unit K, M, G or T, at most ${limits.maxMemory}.` : "Size with unit K, M, G or T."));
  }
  if (!offers(config, "cpu_limit") && !offers(config, "mem_limit")) {
    fields.push(h("p", { class: "hint", dataset: { note: "no-limits" } },
      "This hub's workspace engine enforces no CPU or memory limits."));
  }
  if (config.gpusAvailable && offers(config, "gpus")) {
    fields.push(field(id("gpus"), "gpus", "GPUs", h("input", {
      id: id("gpus"), name: "gpus", type: "text", placeholder: "none", spellcheck: "false",
    }), `"all", a count, or device ids such as 0,1${limits.maxGpus ? `; this hub has ${limits.maxGpus}` : ""}. Pick an image with GPU support.`));
  }
  fields.push(field(id("days_to_live"), "days_to_live", "Days to live", h("input", {
    id: id("days_to_live"), name: "days_to_live", type: "number", min: "1", step: "1",
    max: limits.maxDaysToLive ?? false, value: defaults.days_to_live ?? false, inputmode: "numeric",
  }), limits.maxDaysToLive
    ? `The workspace is removed after this many days, at most ${limits.maxDaysToLive}.`
    : "The workspace is removed after this many days. Empty: it does not expire."));
  if (offers(config, "volume")) {
    fields.push(checkboxField(id("volume"), "volume", "Keep files in a volume mounted at /workspace",
      defaults.volume !== false));
  }

  const sharedMemory = offers(config, "shm_size");
  const advanced = h("details", { class: "advanced" },
    h("summary", {}, sharedMemory ? "Environment and shared memory" : "Environment"),
    field(id("env"), "env", "Environment variables", h("textarea", {
      id: id("env"), name: "env", rows: "4", spellcheck: "false", placeholder: "NAME=value",
    }), "One NAME=value per line."),
    sharedMemory ? field(id("shm_size"), "shm_size", "Shared memory (/dev/shm)", h("input", {
      id: id("shm_size"), name: "shm_size", type: "text", placeholder: defaults.shm_size ?? "e.g. 256M",
      spellcheck: "false",
    }), limits.maxShmSize ? `Size with unit, at most ${limits.maxShmSize}.` : "Size with unit K, M or G.") : null);

  const form = h("form", { class: "workspace-form", novalidate: true },
    ...fields, advanced,
    h("p", { class: "alert error", "data-form-error": true, role: "alert", hidden: true }),
    h("div", { class: "progress", hidden: true }),
    h("div", { class: "actions" }, h("button", { type: "submit" }, settings.submitLabel ?? "Start")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form, settings);
  });
  return form;
}

function imageField(id, config) {
  const images = config.workspaceImages ?? [];
  const select = h("select", { id: id("image"), name: "image", disabled: images.length === 0 },
    ...images.map((image, index) => h("option", { value: image, selected: index === 0 }, image)));
  const hint = images.length === 0 ? "The hub's default image." : "The first image is the hub's default.";
  return field(id("image"), "image", "Image", select, hint);
}

function field(inputId, name, label, input, hint) {
  const hintId = `${inputId}-hint`;
  const errorId = `${inputId}-error`;
  input.setAttribute("aria-describedby", `${hintId} ${errorId}`);
  return h("div", { class: "field", dataset: { field: name } },
    h("label", { for: inputId }, label),
    input,
    h("small", { id: hintId, class: "hint" }, hint),
    h("span", { id: errorId, class: "field-error", role: "alert", hidden: true }));
}

function checkboxField(inputId, name, label, checked) {
  return h("div", { class: "field checkbox", dataset: { field: name } },
    h("input", { id: inputId, name, type: "checkbox", checked, "aria-describedby": `${inputId}-error` }),
    h("label", { for: inputId }, label),
    h("span", { id: `${inputId}-error`, class: "field-error", role: "alert", hidden: true }));
}

/** Reads and checks the form; returns {serverName, options} or {errors}. */
export function readWorkspaceForm(form, settings) {
  const { config } = settings;
  const limits = config.limits;
  const value = (name) => {
    const input = form.elements.namedItem(name);
    return input === null ? "" : input.value.trim();
  };
  const errors = {};
  const check = (name, message) => {
    if (message !== null) {
      errors[name] = message;
    }
  };

  let serverName = settings.serverName ?? "";
  if (settings.withName) {
    serverName = value("name");
    check("name", checkName(serverName, config.names.server, "workspace name"));
  }
  check("cpu_limit", checkCpus(value("cpu_limit"), limits.maxCpus));
  check("mem_limit", checkSize(value("mem_limit"), limits.maxMemory, "memory limit"));
  check("shm_size", checkSize(value("shm_size"), limits.maxShmSize, "shared memory size"));
  check("gpus", checkGpus(value("gpus"), limits.maxGpus));
  check("days_to_live", checkDays(value("days_to_live"), limits.maxDaysToLive));
  const env = parseEnv(form.elements.namedItem("env").value);
  check("env", env.error ?? null);
  if (Object.keys(errors).length > 0) {
    return { errors };
  }
  return { serverName, options: buildOptions(form, value, env.env) };
}

function buildOptions(form, value, env) {
  const options = {};
  if (value("image") !== "") {
    options.image = value("image");
  }
  if (value("cpu_limit") !== "") {
    options.cpu_limit = Number(value("cpu_limit"));
  }
  if (value("mem_limit") !== "") {
    options.mem_limit = value("mem_limit").toUpperCase();
  }
  const gpus = value("gpus");
  if (gpus !== "") {
    options.gpus = /^\d+$/.test(gpus) ? Number(gpus) : gpus;
  }
  if (Object.keys(env).length > 0) {
    options.env = env;
  }
  if (value("days_to_live") !== "") {
    options.days_to_live = Number(value("days_to_live"));
  }
  if (value("shm_size") !== "") {
    options.shm_size = value("shm_size").toUpperCase();
  }
  const volume = form.elements.namedItem("volume");
  if (volume !== null) {
    options.volume = volume.checked;
  }
  return options;
}

/** Returns the API path of a server: the default one for "", a named one otherwise. */
export function serverPath(userName, serverName) {
  const user = `users/${segment(userName)}`;
  return serverName === "" ? `${user}/server` : `${user}/servers/${segment(serverName)}`;
}

async function submit(form, settings) {
  clearErrors(form);
  const result = readWorkspaceForm(form, settings);
  if (result.errors) {
    showValidationErrors(form, result.errors);
    return;
  }
  const progress = form.querySelector(".progress");
  await whileBusy(form, async () => {
    const outcome = await startServer(serverPath(settings.userName, result.serverName), result.options, progress);
    progress.hidden = true;
    if (outcome.error) {
      showApiError(form, outcome.error, FIELD_ALIASES);
      return;
    }
    form.reset();
    settings.onStarted(result.serverName, outcome);
  });
}
