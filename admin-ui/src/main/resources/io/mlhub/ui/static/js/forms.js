// Field errors shown next to the input they belong to, and the form-level error line.
//
// Markup convention: each input has an id and a name; its error element has the id
// "<input id>-error" and the input lists it in aria-describedby. A form has one element with
// the attribute data-form-error for errors that belong to no single field.

import { ApiError } from "./api.js";

/** Removes every field and form error shown in this form. */
export function clearErrors(form) {
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
  }
  for (const element of form.querySelectorAll(".field-error, [data-form-error]")) {
    element.textContent = "";
    element.hidden = true;
  }
}

/** Shows a message next to the input with this name; returns false if the form has no such input. */
export function showFieldError(form, name, message) {
  const input = form.elements.namedItem(name);
  if (input === null || input instanceof RadioNodeList) {
    return false;
  }
  const errorElement = document.getElementById(`${input.id}-error`);
  if (errorElement === null) {
    return false;
  }
  input.setAttribute("aria-invalid", "true");
  // A field inside a closed <details> section would hide its own error.
  input.closest("details")?.setAttribute("open", "");
  errorElement.textContent = message;
  errorElement.hidden = false;
  return true;
}

/** Shows a message for the form as a whole. */
export function showFormError(form, message) {
  const element = form.querySelector("[data-form-error]");
  if (element === null) {
    return;
  }
  element.textContent = message;
  element.hidden = false;
}

/**
 * Shows client-side validation errors (field name to message). Focuses the first invalid input
 * and returns true when there was any error.
 */
export function showValidationErrors(form, errors) {
  const names = Object.keys(errors);
  for (const name of names) {
    if (!showFieldError(form, name, errors[name])) {
      showFormError(form, errors[name]);
    }
  }
  focusFirstInvalid(form);
  return names.length > 0;
}

/**
 * Shows an error thrown by an API call: next to each field the hub named (fieldAliases maps the
 * hub's field names to input names where they differ), and otherwise at form level.
 */
export function showApiError(form, error, fieldAliases = {}) {
  if (!(error instanceof ApiError)) {
    showFormError(form, error.message ?? String(error));
    return;
  }
  let placed = false;
  for (const [field, message] of Object.entries(error.fieldErrors)) {
    placed = showFieldError(form, fieldAliases[field] ?? field, message) || placed;
  }
  if (!placed) {
    showFormError(form, error.message);
  }
  focusFirstInvalid(form);
}

function focusFirstInvalid(form) {
  const first = form.querySelector("[aria-invalid='true']");
  if (first !== null) {
    first.focus();
  }
}

/** Disables the form's submit buttons while an async action runs, and re-enables them after. */
export async function whileBusy(form, action) {
  const buttons = [...form.querySelectorAll("button[type='submit']")];
  buttons.forEach((button) => { button.disabled = true; });
  form.setAttribute("aria-busy", "true");
  try {
    return await action();
  } finally {
    buttons.forEach((button) => { button.disabled = false; });
    form.removeAttribute("aria-busy");
  }
}

/** Shows a status or error message in an element next to an action button. */
export function showActionResult(element, message, isError) {
  element.textContent = message;
  element.classList.toggle("error", isError);
  element.hidden = message === "";
}
