// Sign-up page: a new account that waits for an administrator unless sign-up is open.

import { hubUrl, request } from "../api.js";
import { byId, h, replaceChildren } from "../dom.js";
import { clearErrors, showApiError, showValidationErrors, whileBusy } from "../forms.js";
import { pageReady, startPage } from "../layout.js";
import { checkName, checkPassword } from "../validate.js";

const { config } = await startPage({ page: "signup", requireLogin: false });
const form = byId("signup-form");
const rules = config.names;

if (config.signup.enabled) {
  form.hidden = false;
  byId("signup-notice").hidden = config.signup.open;
  byId("signup-username-hint").textContent = rules.user.description ?? `At most ${rules.user.maxLength} characters.`;
  byId("signup-password-hint").textContent = `At least ${rules.minPasswordLength} characters.`;
} else {
  byId("signup-closed").hidden = false;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const username = form.elements.username.value.trim();
  const password = form.elements.password.value;
  const errors = {};
  const nameError = checkName(username, rules.user, "user name");
  if (nameError !== null) {
    errors.username = nameError;
  }
  const passwordError = checkPassword(password, rules.minPasswordLength);
  if (passwordError !== null) {
    errors.password = passwordError;
  } else if (form.elements.confirm.value !== password) {
    errors.confirm = "The two passwords differ.";
  }
  if (showValidationErrors(form, errors)) {
    return;
  }
  await whileBusy(form, async () => {
    try {
      const account = await request("POST", hubUrl("signup"), { username, password });
      showDone(account?.name ?? username, account?.authorized ?? config.signup.open);
    } catch (error) {
      showApiError(form, error, { name: "username" });
    }
  });
});
pageReady();

function showDone(name, authorized) {
  form.hidden = true;
  byId("signup-notice").hidden = true;
  const done = byId("signup-done");
  replaceChildren(done, authorized
    ? [`The account "${name}" is ready. `, h("a", { href: hubUrl("login") }, "Log in")]
    : `The account "${name}" was created. An administrator must authorize it before you can log in.`);
  done.hidden = false;
  done.focus?.();
}
