// SSH access page: connection settings for a workspace, the hub's host keys, and the user's keys.

import { api, segment } from "../api.js";
import { byId, copyableBlock, downloadText, h, replaceChildren } from "../dom.js";
import { clearErrors, showActionResult, showApiError, showFormError, showValidationErrors, whileBusy } from "../forms.js";
import { timeElement } from "../format.js";
import { failPage, pageReady, queryParameter, startPage } from "../layout.js";
import { serverEntries } from "../servers.js";
import { serverPath } from "../workspace-form.js";
import { fingerprint, generateEd25519, keyGenerationProblem, parsePublicKey } from "../sshkey.js";

const { config, user } = await startPage({ page: "ssh" });
const owner = user.admin && queryParameter("user") ? queryParameter("user") : user.name;
const keysPath = `users/${segment(user.name)}/ssh-keys`;

byId("ssh-disabled").hidden = config.ssh.enabled !== false;
drawHostKeys();
setUpKeyForms();

try {
  await Promise.all([loadWorkspaces(), reloadKeys()]);
  pageReady();
} catch (error) {
  failPage(`Could not load the SSH settings: ${error.message}`);
}

function drawHostKeys() {
  const list = byId("host-keys");
  const keys = config.ssh.hostKeyFingerprints ?? [];
  if (keys.length === 0) {
    replaceChildren(list, h("li", { class: "muted" }, "The hub did not report its host keys."));
    return;
  }
  replaceChildren(list, ...keys.map((key) => h("li", {}, h("span", { class: "key-type" }, key.type), " ", h("code", {}, key.fingerprint))));
}

async function loadWorkspaces() {
  const model = await api.get(`users/${segment(owner)}?include_stopped_servers=true`);
  const select = byId("access-server");
  const entries = serverEntries(model).filter(([name]) => config.allowNamedServers || name === "");
  const requested = queryParameter("server") ?? "";
  replaceChildren(select, ...entries.map(([name]) => h("option", { value: name, selected: name === requested },
    `${owner === user.name ? "" : `${owner}/`}${name === "" ? "default workspace" : name}`)));
  select.addEventListener("change", () => loadAccess(select.value));
  await loadAccess(select.value);
}

async function loadAccess(serverName) {
  const form = byId("access-form");
  const details = byId("access-details");
  clearErrors(form);
  replaceChildren(details, h("p", { class: "muted" }, "Loading…"));
  try {
    const access = await api.get(`${serverPath(owner, serverName)}/ssh-access`);
    drawAccess(details, access);
  } catch (error) {
    replaceChildren(details);
    showApiError(form, error, { server_name: "server" });
  }
}

function drawAccess(details, access) {
  const alias = access.alias ?? access.target;
  replaceChildren(details,
    access.running === false
      ? h("p", { class: "alert" }, "This workspace is stopped. Start it before you connect.")
      : null,
    h("h3", {}, "1. Set up this computer"),
    h("p", { class: "muted" }, "Run this once in a terminal. It adds the block below to ~/.ssh/config and the hub's host keys to ~/.ssh/known_hosts. It contains no secret."),
    copyableBlock(access.setupCommand, "Setup command"),
    h("h3", {}, "2. Connect"),
    copyableBlock(`ssh ${alias}`, "SSH command"),
    h("p", { class: "muted" }, `scp, sftp, rsync and port forwarding (ssh -L) work with the same name, ${alias}. `,
      `The private key named in IdentityFile must belong to one of your keys below.`),
    h("details", {}, h("summary", {}, "The ~/.ssh/config block"), copyableBlock(access.sshConfig, "SSH config block")),
    access.knownHosts
      ? h("details", {}, h("summary", {}, "The known_hosts lines"), copyableBlock(access.knownHosts, "known_hosts lines"))
      : null);
}

async function reloadKeys() {
  const response = await api.get(keysPath);
  const keys = Array.isArray(response) ? response : (response?.ssh_keys ?? response?.keys ?? []);
  const tbody = byId("keys").tBodies[0];
  if (keys.length === 0) {
    replaceChildren(tbody, h("tr", {}, h("td", { colspan: "4", class: "empty" },
      "No keys yet. Add one, or create a key pair below.")));
    return;
  }
  replaceChildren(tbody, ...(await Promise.all(keys.map(keyRow))));
}

async function keyRow(key) {
  const line = key.key ?? key.public_key ?? "";
  const parsed = parsePublicKey(line);
  const shownFingerprint = key.fingerprint ?? (parsed.blob ? await fingerprint(parsed.blob) : "");
  const comment = key.comment ?? parsed.comment ?? "";
  const result = h("span", { class: "action-result", role: "status", hidden: true });
  const remove = h("button", { type: "button", class: "danger" }, "Remove");
  remove.addEventListener("click", async () => {
    if (!confirm(`Remove the key ${comment || shownFingerprint}? SSH logins with it stop working.`)) {
      return;
    }
    remove.disabled = true;
    try {
      await api.delete(`${keysPath}/${segment(key.id)}`);
      await reloadKeys();
    } catch (error) {
      remove.disabled = false;
      showActionResult(result, error.message, true);
    }
  });
  return h("tr", { dataset: { key: key.id } },
    h("td", {}, h("span", { class: "key-type" }, parsed.type ?? key.type ?? "?"), " ", comment || h("span", { class: "muted" }, "no comment")),
    h("td", {}, h("code", {}, shownFingerprint)),
    h("td", {}, timeElement(key.created)),
    h("td", { class: "actions" }, remove, result));
}

function setUpKeyForms() {
  const keyForm = byId("key-form");
  keyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(keyForm);
    const line = keyForm.elements.key.value.trim();
    const parsed = parsePublicKey(line);
    if (parsed.error && showValidationErrors(keyForm, { key: parsed.error })) {
      return;
    }
    await whileBusy(keyForm, async () => {
      try {
        await api.post(keysPath, { key: line });
        keyForm.reset();
        await reloadKeys();
      } catch (error) {
        showApiError(keyForm, error, { public_key: "key" });
      }
    });
  });

  const generateForm = byId("generate-form");
  generateForm.elements.comment.value = `${user.name}@${config.hubName}`.replace(/\s+/g, "-");
  const problem = keyGenerationProblem();
  if (problem !== null) {
    byId("generate-button").disabled = true;
    showFormError(generateForm, problem);
    return;
  }
  generateForm.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(generateForm);
    whileBusy(generateForm, () => createKeyPair(generateForm));
  });
}

async function createKeyPair(form) {
  const comment = form.elements.comment.value.trim();
  if (/[\r\n]/.test(comment)) {
    showValidationErrors(form, { comment: "The comment must be a single line." });
    return;
  }
  let pair;
  try {
    pair = await generateEd25519(comment);
  } catch (error) {
    showFormError(form, `This browser could not create an Ed25519 key (${error.message}). Use ssh-keygen -t ed25519 instead.`);
    return;
  }
  try {
    await api.post(keysPath, { key: pair.publicKey });
  } catch (error) {
    showApiError(form, error, { key: "comment" });
    return;
  }
  const fileName = config.ssh.keyFileName || "mlhub_ed25519";
  downloadText(fileName, pair.privateKey);
  const result = byId("generate-result");
  replaceChildren(result,
    h("p", {}, h("strong", {}, `Your browser saved the private key as "${fileName}". `),
      "Move it to ~/.ssh/ and make it private; this page will not show it again:"),
    copyableBlock(`mv ~/Downloads/${fileName} ~/.ssh/${fileName} && chmod 600 ~/.ssh/${fileName}`, "Commands to install the private key"),
    h("p", {}, "Public key added: ", h("code", { "data-public-key": true }, pair.publicKey)),
    h("p", {}, "Fingerprint: ", h("code", {}, pair.fingerprint)));
  result.hidden = false;
  await reloadKeys();
}
