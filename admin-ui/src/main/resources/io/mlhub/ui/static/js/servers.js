// One table row per server with its state and actions; used by the home page and the admin panel.

import { api, hubUrl } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { showActionResult } from "./forms.js";
import { optionLines, serverState, timeElement } from "./format.js";
import { followProgress, startServer } from "./progress.js";
import { serverPath } from "./workspace-form.js";

/** Returns the servers of a user model as [name, server] pairs, the default server ("") first. */
export function serverEntries(user, includeDefault = true) {
  const servers = { ...(user.servers ?? {}) };
  if (includeDefault && !("" in servers)) {
    servers[""] = null;
  }
  return Object.entries(servers).sort(([first], [second]) => compareServerNames(first, second));
}

function compareServerNames(first, second) {
  if (first === "") {
    return -1;
  }
  if (second === "") {
    return 1;
  }
  return first.localeCompare(second);
}

/**
 * Builds the row of one server. context: {userName, onChanged() (reload after an action),
 * onStartWithOptions(serverName) (optional)}.
 */
export function serverRow(serverName, server, context) {
  const state = serverState(server);
  const label = serverName === "" ? "(default)" : serverName;
  const status = h("span", { class: `state state-${state}` }, state);
  const stateCell = h("td", { class: "state-cell" }, status);
  const progress = h("div", { class: "progress", hidden: true });
  stateCell.append(progress);
  const result = h("span", { class: "action-result", role: "status", hidden: true });

  const row = h("tr", { dataset: { server: serverName, state } },
    h("th", { scope: "row" }, label),
    stateCell,
    h("td", {}, server?.url ? h("code", {}, server.url) : "—"),
    h("td", {}, timeElement(server?.last_activity)),
    h("td", {}, timeElement(server?.expires_at, "does not expire")),
    h("td", { class: "options" }, optionsList(server?.user_options)),
    h("td", { class: "actions" }, ...actionButtons(serverName, server, state, context, { progress, result, status }), result));

  if (state === "starting" && server?.progress_url) {
    watchStart(serverName, server.progress_url, context, { progress, result, status });
  }
  return row;
}

function optionsList(options) {
  const lines = optionLines(options);
  if (lines.length === 0) {
    return "defaults";
  }
  return h("ul", { class: "plain" }, ...lines.map((line) => h("li", {}, line)));
}

function actionButtons(serverName, server, state, context, parts) {
  const buttons = [];
  if (state === "running" && server?.url) {
    buttons.push(h("a", { class: "button", href: server.url, target: "_blank", rel: "noopener" }, "Open"));
  }
  if (state === "stopped") {
    buttons.push(button("Start", () => start(serverName, context, parts)));
    if (context.onStartWithOptions) {
      buttons.push(button("Start with options…", () => context.onStartWithOptions(serverName), "secondary"));
    }
  } else {
    buttons.push(button("Stop", () => stop(serverName, context, parts), "secondary"));
  }
  if (serverName !== "" && server !== null) {
    buttons.push(button("Delete", () => remove(serverName, context, parts), "danger"));
  }
  const query = new URLSearchParams({ user: context.userName, server: serverName });
  buttons.push(h("a", { class: "button secondary", href: `${hubUrl("ssh")}?${query}` }, "SSH access"));
  return buttons;
}

function button(label, onClick, style = "") {
  return h("button", { type: "button", class: style, onclick: (event) => runAction(event.currentTarget, onClick) }, label);
}

async function runAction(element, action) {
  element.disabled = true;
  try {
    await action();
  } finally {
    element.disabled = false;
  }
}

async function start(serverName, context, parts) {
  showActionResult(parts.result, "", false);
  showState(parts.status, "starting");
  const outcome = await startServer(serverPath(context.userName, serverName), undefined, parts.progress);
  if (outcome.error) {
    parts.progress.hidden = true;
    showState(parts.status, "stopped");
    showActionResult(parts.result, outcome.error.message, true);
    return;
  }
  context.onChanged(startOutcome(serverName, outcome));
}

function showState(status, state) {
  status.textContent = state;
  status.className = `state state-${state}`;
  status.closest("tr").dataset.state = state;
}

/** Follows the progress of a starting server; the result stays visible after the reload. */
export function watchStart(serverName, progressUrl, context, parts) {
  followProgress(progressUrl, parts.progress, (outcome) => context.onChanged(startOutcome(serverName, outcome)));
}

/** Turns the end of a start into the outcome a page shows on the server's row after its reload. */
export function startOutcome(serverName, outcome) {
  if (outcome.failed) {
    return { serverName, error: outcome.message || "The workspace failed to start." };
  }
  return { serverName, message: outcome.ready ? "The workspace is running." : "" };
}

async function stop(serverName, context, parts) {
  showActionResult(parts.result, "Stopping…", false);
  try {
    await api.delete(serverPath(context.userName, serverName));
    context.onChanged({ serverName, message: "Stop requested." });
  } catch (error) {
    showActionResult(parts.result, error.message, true);
  }
}

async function remove(serverName, context, parts) {
  if (!confirm(`Delete the workspace "${serverName}" of ${context.userName}? Its container is removed.`)) {
    return;
  }
  try {
    await api.delete(serverPath(context.userName, serverName), { remove: true });
    context.onChanged({ serverName: null, message: `Workspace "${serverName}" deleted.` });
  } catch (error) {
    showActionResult(parts.result, error.message, true);
  }
}

/** Shows a message (or error) left by the last action on the row of that server, if it still exists. */
export function showRowOutcome(tbody, outcome) {
  if (!outcome || outcome.serverName === null || outcome.serverName === undefined) {
    return;
  }
  const row = [...tbody.rows].find((candidate) => candidate.dataset.server === outcome.serverName);
  const result = row?.querySelector(".action-result");
  if (result) {
    if (outcome.error) {
      showActionResult(result, outcome.error, true);
    } else if (outcome.message) {
      showActionResult(result, outcome.message, false);
    }
  }
}

/** Builds the header row shared by the server tables. */
export function serverTableHead() {
  return h("thead", {}, h("tr", {},
    ...["Workspace", "State", "URL", "Last activity", "Expires", "Options", "Actions"]
      .map((title) => h("th", { scope: "col" }, title))));
}

/** Replaces the rows of a server table. */
export function fillServerTable(tbody, rows, emptyText) {
  if (rows.length === 0) {
    replaceChildren(tbody, h("tr", {}, h("td", { colspan: "7", class: "empty" }, emptyText)));
    return;
  }
  replaceChildren(tbody, ...rows);
}
