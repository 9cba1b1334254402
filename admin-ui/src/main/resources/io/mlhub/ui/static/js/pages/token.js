// API tokens page: create (the secret is shown once), list and revoke.

import { api, segment } from "../api.js";
import { byId, copyableBlock, h, replaceChildren } from "../dom.js";
import { clearErrors, showActionResult, showApiError, whileBusy } from "../forms.js";
import { timeElement } from "../format.js";
import { failPage, pageReady, startPage } from "../layout.js";

const { user } = await startPage({ page: "token" });
const tokensPath = `users/${segment(user.name)}/tokens`;
const form = byId("token-form");
const tbody = byId("tokens").tBodies[0];

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const body = { note: form.elements.note.value.trim() || "Created on the tokens page" };
  if (form.elements.expires_in.value !== "") {
    body.expires_in = Number(form.elements.expires_in.value);
  }
  await whileBusy(form, async () => {
    try {
      const token = await api.post(tokensPath, body);
      showSecret(token);
      form.reset();
      await reload();
    } catch (error) {
      showApiError(form, error);
    }
  });
});

try {
  await reload();
  pageReady();
} catch (error) {
  failPage(`Could not load your tokens: ${error.message}`);
}

function showSecret(token) {
  const box = byId("token-secret");
  replaceChildren(box,
    h("p", {}, h("strong", {}, "Copy the token now. "), "The hub keeps only a hash of it, so it cannot show it again."),
    copyableBlock(token.token, "New API token"));
  box.hidden = false;
}

async function reload() {
  const response = await api.get(tokensPath);
  const tokens = Array.isArray(response) ? response : (response?.api_tokens ?? []);
  if (tokens.length === 0) {
    replaceChildren(tbody, h("tr", {}, h("td", { colspan: "6", class: "empty" }, "No tokens.")));
    return;
  }
  replaceChildren(tbody, ...tokens.map(tokenRow));
}

function tokenRow(token) {
  const result = h("span", { class: "action-result", role: "status", hidden: true });
  const revoke = h("button", { type: "button", class: "danger" }, "Revoke");
  revoke.addEventListener("click", async () => {
    if (!confirm(`Revoke the token "${token.note || token.id}"? Scripts using it stop working.`)) {
      return;
    }
    revoke.disabled = true;
    try {
      await api.delete(`${tokensPath}/${segment(token.id)}`);
      await reload();
    } catch (error) {
      revoke.disabled = false;
      showActionResult(result, error.message, true);
    }
  });
  return h("tr", { dataset: { token: token.id } },
    h("td", {}, token.note || "—"),
    h("td", {}, timeElement(token.created)),
    h("td", {}, timeElement(token.last_activity)),
    h("td", {}, timeElement(token.expires_at, "never")),
    h("td", {}, token.oauth_client || "API"),
    h("td", { class: "actions" }, revoke, result));
}
