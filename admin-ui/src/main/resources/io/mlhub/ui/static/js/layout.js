// Page start-up shared by every page: settings from the hub, the signed-in user, the header.

import { ApiError, api, hubUrl } from "./api.js";
import { h, replaceChildren } from "./dom.js";

const DEFAULT_LOGO = hubUrl("static/img/logo.svg");

/** Settings used when the hub omits them; the hub's own values always win. */
const FALLBACK_CONFIG = {
  hubName: "ML Hub",
  version: "",
  logoUrl: null,
  signup: { enabled: false, open: false },
  names: {
    user: { pattern: "^[a-z0-9][a-z0-9._-]*$", maxLength: 64 },
    server: { pattern: "^[a-z0-9][a-z0-9-]*$", maxLength: 25 },
    minPasswordLength: 8,
  },
  allowNamedServers: false,
  namedServerLimitPerUser: 0,
  workspaceImages: [],
  limits: { maxCpus: null, maxMemory: null, maxGpus: 0, maxDaysToLive: null, maxShmSize: null },
  defaults: { volume: true },
  gpusAvailable: false,
  ssh: { enabled: false, host: location.hostname, port: 22, keyFileName: "mlhub_ed25519", hostKeyFingerprints: [] },
};

const NAV = [
  { page: "home", label: "Home" },
  { page: "token", label: "API tokens" },
  { page: "ssh", label: "SSH access" },
  { page: "admin", label: "Admin", adminOnly: true },
];

/**
 * Loads the hub settings (and, when requireLogin is set, the signed-in user), draws the header
 * and returns {config, user}. A visitor without a session is sent to the login page, which
 * brings them back here afterwards.
 */
export async function startPage({ page, requireLogin = true, requireAdmin = false }) {
  const config = await loadConfig();
  applyBranding(config);

  let user = null;
  if (requireLogin) {
    try {
      user = await loadUser();
    } catch (error) {
      failPage(`Could not reach the hub (${error.message}). Reload the page to try again.`);
      return haltPage();
    }
    if (user === null) {
      redirectToLogin();
      return haltPage();
    }
  }
  drawHeader(config, user, page);

  if (requireAdmin && !user.admin) {
    failPage("Only administrators can use this page.");
    return haltPage();
  }
  return { config, user };
}

/**
 * Returns a promise that never settles, so that the page script stops at its top-level await
 * after the page was redirected or replaced by an error.
 */
function haltPage() {
  return new Promise(() => {});
}

/** Marks the page as drawn; the browser tests wait for this. */
export function pageReady() {
  document.body.dataset.state = "ready";
}

/** Shows a page-wide error instead of the content, e.g. when the hub cannot be reached. */
export function failPage(message) {
  const main = document.querySelector("main");
  replaceChildren(main, h("p", { class: "alert error", role: "alert" }, message));
  document.body.dataset.state = "error";
}

async function loadConfig() {
  try {
    const config = await api.get("ui-config");
    return mergeConfig(FALLBACK_CONFIG, config ?? {});
  } catch (error) {
    console.warn("hub settings unavailable, using defaults:", error.message);
    return structuredClone(FALLBACK_CONFIG);
  }
}

function mergeConfig(fallback, actual) {
  const merged = { ...fallback };
  for (const [key, value] of Object.entries(actual)) {
    const isObject = value !== null && typeof value === "object" && !Array.isArray(value);
    merged[key] = isObject && fallback[key] && typeof fallback[key] === "object"
      ? mergeConfig(fallback[key], value)
      : value;
  }
  return merged;
}

async function loadUser() {
  try {
    return await api.get("user");
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      return null;
    }
    throw error;
  }
}

function redirectToLogin() {
  const next = location.pathname + location.search;
  location.assign(hubUrl("login") + "?next=" + encodeURIComponent(next));
}

function applyBranding(config) {
  document.title = `${document.title} · ${config.hubName}`;
  for (const logo of document.querySelectorAll("img.logo")) {
    logo.src = config.logoUrl || DEFAULT_LOGO;
    logo.alt = config.hubName;
  }
  for (const name of document.querySelectorAll("[data-hub-name]")) {
    name.textContent = config.hubName;
  }
  const footer = document.querySelector("footer [data-version]");
  if (footer !== null && config.version) {
    footer.textContent = `${config.hubName} ${config.version}`;
  }
}

function drawHeader(config, user, currentPage) {
  const nav = document.querySelector("header nav");
  if (nav === null || user === null) {
    return;
  }
  const links = NAV.filter((item) => !item.adminOnly || user.admin).map((item) =>
    h("a", {
      href: hubUrl(item.page),
      "aria-current": item.page === currentPage ? "page" : false,
    }, item.label));
  const account = h("span", { class: "account" },
    h("span", { class: "user-name" }, user.name),
    h("a", { href: hubUrl("change-password"), "aria-current": currentPage === "change-password" ? "page" : false },
      "Change password"),
    h("a", { href: hubUrl("logout") }, "Log out"));
  replaceChildren(nav, ...links, account);
}

/** Reads a query parameter of the page URL, or null. */
export function queryParameter(name) {
  return new URLSearchParams(location.search).get(name);
}
