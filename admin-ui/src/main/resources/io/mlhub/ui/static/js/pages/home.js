// Home page: the user's default and named servers, and the form for a new workspace.

import { api, segment } from "../api.js";
import { byId, replaceChildren } from "../dom.js";
import { showActionResult } from "../forms.js";
import { serverState } from "../format.js";
import { failPage, pageReady, startPage } from "../layout.js";
import { fillServerTable, serverEntries, serverRow, serverTableHead, showRowOutcome, startOutcome } from "../servers.js";
import { workspaceForm } from "../workspace-form.js";

const { config, user } = await startPage({ page: "home" });
const STOPPING_POLL_MS = 2000;
const table = byId("servers");
const tbody = table.tBodies[0];
table.prepend(serverTableHead());

const context = {
  userName: user.name,
  onChanged: (outcome) => reload(outcome),
  onStartWithOptions: (serverName) => openOptionsDialog(serverName),
};

if (config.allowNamedServers) {
  byId("new-workspace").hidden = false;
  byId("new-workspace-form").append(workspaceForm({
    config,
    userName: user.name,
    idPrefix: "new",
    withName: true,
    submitLabel: "Create and start",
    onStarted: (serverName, outcome) => reload(startOutcome(serverName, outcome)),
  }));
}

byId("options-dialog-close").addEventListener("click", () => byId("options-dialog").close());

try {
  await reload();
  pageReady();
} catch (error) {
  failPage(`Could not load your workspaces: ${error.message}`);
}

async function reload(outcome) {
  let model;
  try {
    model = await api.get(`users/${segment(user.name)}?include_stopped_servers=true`);
  } catch (error) {
    showActionResult(byId("page-message"), `Could not reload your workspaces: ${error.message}`, true);
    throw error;
  }
  const entries = serverEntries(model).filter(([name]) => config.allowNamedServers || name === "");
  fillServerTable(tbody, entries.map(([name, server]) => serverRow(name, server, context)), "No workspaces yet.");
  showRowOutcome(tbody, outcome);
  if (outcome && outcome.serverName === null && outcome.message) {
    showActionResult(byId("page-message"), outcome.message, false);
  }
  drawCount(entries.length - 1);

  // The hub sends no events while a server stops, so the page reloads until it has stopped.
  if (entries.some(([, server]) => serverState(server) === "stopping")) {
    setTimeout(() => reload().catch(() => {}), STOPPING_POLL_MS);
  }
}

function drawCount(namedCount) {
  const element = byId("server-count");
  if (!config.allowNamedServers) {
    element.textContent = "";
    return;
  }
  const limit = config.namedServerLimitPerUser;
  element.textContent = limit > 0
    ? `${namedCount} of ${limit} named workspaces used.`
    : `${namedCount} named workspace${namedCount === 1 ? "" : "s"}.`;

  const limitReached = limit > 0 && namedCount >= limit;
  byId("limit-note").hidden = !limitReached;
  byId("limit-note").textContent = `You have ${limit} named workspaces, the maximum. Delete one to create another.`;
  for (const button of byId("new-workspace-form").querySelectorAll("button[type='submit']")) {
    button.disabled = limitReached;
  }
}

function openOptionsDialog(serverName) {
  const dialog = byId("options-dialog");
  byId("options-dialog-title").textContent =
    `Start ${serverName === "" ? "the default workspace" : `"${serverName}"`} with options`;
  replaceChildren(byId("options-dialog-body"), workspaceForm({
    config,
    userName: user.name,
    idPrefix: "dialog",
    withName: false,
    serverName,
    submitLabel: "Start",
    onStarted: (startedName, outcome) => {
      dialog.close();
      reload(startOutcome(startedName, outcome));
    },
  }));
  dialog.showModal();
  dialog.querySelector("select, input")?.focus();
}
