// Change-password page for the signed-in user.

import { hubUrl, request } from "../api.js";
import { byId } from "../dom.js";
import { clearErrors, showApiError, showValidationErrors, whileBusy } from "../forms.js";
import { pageReady, startPage } from "../layout.js";
import { checkPassword } from "../validate.js";

const { config, user } = await startPage({ page: "change-password" });
const form = byId("password-form");
const minLength = config.names.minPasswordLength;
byId("password-username").value = user.name;
byId("password-new-hint").textContent = `At least ${minLength} characters.`;

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  byId("password-done").hidden = true;
  const current = form.elements.current_password.value;
  const next = form.elements.new_password.value;
  const errors = {};
  if (current === "") {
    errors.current_password = "Enter your current password.";
  }
  const strength = checkPassword(next, minLength);
  if (strength !== null) {
    errors.new_password = strength;
  } else if (form.elements.confirm.value !== next) {
    errors.confirm = "The two passwords differ.";
  }
  if (showValidationErrors(form, errors)) {
    return;
  }
  await whileBusy(form, async () => {
    try {
      await request("POST", hubUrl("change-password"), { current_password: current, new_password: next });
      form.reset();
      const done = byId("password-done");
      done.textContent = "Your password was changed.";
      done.hidden = false;
    } catch (error) {
      showApiError(form, error);
    }
  });
});
pageReady();
