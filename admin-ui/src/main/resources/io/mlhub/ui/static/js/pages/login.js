// Login page: name and password, then back to the page that sent the visitor here.

import { hubUrl, request } from "../api.js";
import { byId } from "../dom.js";
import { clearErrors, showApiError, showValidationErrors, whileBusy } from "../forms.js";
import { pageReady, queryParameter, startPage } from "../layout.js";

const { config } = await startPage({ page: "login", requireLogin: false });
const form = byId("login-form");
const next = safeNext(queryParameter("next"));
byId("login-next").value = next;
byId("signup-link").hidden = !config.signup.enabled;

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const username = form.elements.username.value.trim();
  const password = form.elements.password.value;
  const errors = {};
  if (username === "") {
    errors.username = "Enter your user name.";
  }
  if (password === "") {
    errors.password = "Enter your password.";
  }
  if (showValidationErrors(form, errors)) {
    return;
  }
  await whileBusy(form, async () => {
    try {
      const response = await request("POST", hubUrl("login"), { username, password, next });
      location.assign(destination(response));
    } catch (error) {
      showApiError(form, error, { name: "username" });
    }
  });
});
pageReady();

// The hub returns {"next": path}, or a redirect that fetch has followed already.
function destination(response) {
  if (response?.redirectedTo) {
    return response.redirectedTo;
  }
  return safeNext(response?.next ?? next);
}

/** Accepts only a path on this site as the page to return to, so a link cannot send users elsewhere. */
function safeNext(value) {
  if (value && value.startsWith("/") && !value.startsWith("//") && !value.includes("\\")) {
    return value;
  }
  return hubUrl("home");
}
