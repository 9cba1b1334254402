// HTTP access to the hub: URLs below the base URL, JSON bodies, the XSRF header and API errors.

const STATIC_PATH = "/hub/static/";

/**
 * Base URL path of the hub, ending in "/". It comes from this module's own URL, because the
 * control plane serves this folder at <base>/hub/static/, so no page needs it written in.
 */
export const baseUrl = (() => {
  const path = new URL(import.meta.url).pathname;
  const at = path.lastIndexOf(STATIC_PATH);
  return at < 0 ? "/" : path.slice(0, at + 1);
})();

/** Returns the path of a hub page or endpoint, e.g. hubUrl("login") is "<base>hub/login". */
export function hubUrl(path) {
  return baseUrl + "hub/" + path.replace(/^\/+/, "");
}

/** Returns the path of a REST endpoint below <base>hub/api/. */
export function apiUrl(path) {
  return hubUrl("api/" + path.replace(/^\/+/, ""));
}

/** Encodes one path segment such as a user or server name. */
export function segment(value) {
  return encodeURIComponent(value);
}

/** Returns the value of the _xsrf cookie, or null when the hub has not set one. */
export function xsrfToken() {
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "_xsrf") {
      return rest.join("=");
    }
  }
  return null;
}

/**
 * An error returned by the hub: the HTTP status, the message from the JSON body and, when the
 * hub names them, the request fields the error is about.
 */
export class ApiError extends Error {
  constructor(status, message, fieldErrors) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.fieldErrors = fieldErrors;
  }
}

/**
 * Sends a request to the hub and returns the parsed JSON body, or null for an empty body.
 * Throws ApiError for any status of 400 or more, and for a network failure (status 0).
 */
export async function request(method, url, body, extraHeaders = {}) {
  return (await requestWithStatus(method, url, body, extraHeaders)).body;
}

/**
 * Sends a request like request() and returns {status, body}, for calls whose success status
 * matters, such as a server start (201 ready, 202 still starting).
 */
export async function requestWithStatus(method, url, body, extraHeaders = {}) {
  const headers = { Accept: "application/json", ...extraHeaders };
  const token = xsrfToken();
  if (token !== null) {
    headers["X-XSRFToken"] = token;
  }
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }

  let response;
  try {
    response = await fetch(url, init);
  } catch (cause) {
    throw new ApiError(0, "The hub did not respond: " + cause.message, {});
  }

  const text = await response.text();
  if (!response.ok) {
    throw errorFromBody(response.status, response.statusText, text);
  }
  if (response.redirected) {
    return { status: response.status, body: { redirectedTo: response.url } };
  }
  return { status: response.status, body: parseJson(text) };
}

export const api = {
  get: (path, headers) => request("GET", apiUrl(path), undefined, headers),
  post: (path, body) => request("POST", apiUrl(path), body),
  patch: (path, body) => request("PATCH", apiUrl(path), body),
  delete: (path, body) => request("DELETE", apiUrl(path), body),
};

function parseJson(text) {
  if (text.trim() === "") {
    return null;
  }
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

// The hub sends {"status", "message"} like JupyterHub, plus "field" (one field name) or
// "errors" (field name to message) when the error is about request fields.
function errorFromBody(status, statusText, text) {
  const body = parseJson(text);
  const message = typeof body?.message === "string" && body.message !== ""
    ? body.message
    : `Request failed: ${status} ${statusText}`.trim();
  const fieldErrors = {};
  if (body && typeof body.errors === "object" && body.errors !== null) {
    for (const [field, fieldMessage] of Object.entries(body.errors)) {
      fieldErrors[field] = String(fieldMessage);
    }
  }
  if (body && typeof body.field === "string" && !(body.field in fieldErrors)) {
    fieldErrors[body.field] = message;
  }
  return new ApiError(status, message, fieldErrors);
}
