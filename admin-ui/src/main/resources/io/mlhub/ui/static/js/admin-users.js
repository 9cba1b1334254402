// Admin panel parts: user rows and their actions, pending sign-ups, adding users, cleanup.

import { api, baseUrl, request, segment } from "./api.js";
import { byId, h, replaceChildren } from "./dom.js";
import { clearErrors, showActionResult, showApiError, showValidationErrors, whileBusy } from "./forms.js";
import { serverState, timeElement } from "./format.js";
import { fillServerTable, serverEntries, serverRow, serverTableHead, showRowOutcome, startOutcome } from "./servers.js";
import { checkName } from "./validate.js";
import { workspaceForm } from "./workspace-form.js";

/** Returns the table rows of one user: the user row and, when expanded, the row of their servers. */
export function userRows(model, context) {
  const entries = serverEntries(model).filter(([name]) => context.config.allowNamedServers || name === "");
  const running = entries.filter(([, server]) => serverState(server) === "running").length;
  const isExpanded = context.expanded.has(model.name);
  const serversId = `servers-of-${model.name}`;
  const result = h("span", { class: "action-result", role: "status", hidden: true });

  const toggle = h("button", {
    type: "button", class: "secondary small", "aria-expanded": String(isExpanded), "aria-controls": serversId,
    "aria-label": `${isExpanded ? "Hide" : "Show"} the workspaces of ${model.name}`,
  }, `${isExpanded ? "Hide" : "Show"} ${entries.length} · ${running} running`);
  toggle.addEventListener("click", () => {
    if (context.expanded.has(model.name)) {
      context.expanded.delete(model.name);
    } else {
      context.expanded.add(model.name);
    }
    context.reload();
  });

  const row = h("tr", { class: "user-row", dataset: { user: model.name } },
    h("th", { scope: "row" }, model.name,
      model.admin ? h("span", { class: "badge admin" }, "admin") : null,
      model.authorized === false ? h("span", { class: "badge pending" }, "waiting for authorization") : null),
    h("td", {}, timeElement(model.created, "unknown")),
    h("td", {}, timeElement(model.last_activity)),
    h("td", {}, toggle),
    h("td", { class: "actions" }, ...userActions(model, context, result), result));
  if (!isExpanded) {
    return [row];
  }
  return [row, serversRow(model, entries, context, serversId)];
}

function serversRow(model, entries, context, serversId) {
  const tbody = h("tbody");
  const serverContext = {
    userName: model.name,
    onChanged: (outcome) => context.reload().then(() => showOutcome(model.name, outcome)),
    onStartWithOptions: (serverName) => openWorkspaceDialog(model.name, serverName, context),
  };
  fillServerTable(tbody, entries.map(([name, server]) => serverRow(name, server, serverContext)), "No workspaces.");
  const table = h("table", { class: "nested" }, h("caption", { class: "visually-hidden" }, `Workspaces of ${model.name}`),
    serverTableHead(), tbody);
  return h("tr", { id: serversId, class: "servers-row", dataset: { serversOf: model.name } },
    h("td", { colspan: "5" }, h("div", { class: "table-wrap" }, table)));
}

function showOutcome(userName, outcome) {
  const row = document.querySelector(`tr.servers-row[data-servers-of="${CSS.escape(userName)}"]`);
  if (row !== null) {
    showRowOutcome(row.querySelector("tbody"), outcome);
  }
}

function userActions(model, context, result) {
  const actions = [];
  const path = `users/${segment(model.name)}`;
  const isSelf = model.name === context.self.name;
  const act = (label, style, action) => {
    const button = h("button", { type: "button", class: style }, label);
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await action();
        await context.reload();
      } catch (error) {
        showActionResult(result, error.message, true);
      } finally {
        button.disabled = false;
      }
    });
    actions.push(button);
  };

  if (model.authorized === false) {
    act("Authorize", "", () => api.patch(path, { authorized: true }));
  }
  if (context.config.allowNamedServers) {
    actions.push(h("button", {
      type: "button", class: "secondary",
      onclick: () => openWorkspaceDialog(model.name, null, context),
    }, "New workspace…"));
  }
  if (model.admin) {
    act("Remove admin", "secondary", () => confirmed(
      isSelf ? "Remove your own admin rights? You lose access to this page." : `Remove the admin rights of ${model.name}?`,
      () => api.patch(path, { admin: false })));
  } else {
    act("Make admin", "secondary", () => api.patch(path, { admin: true }));
  }
  if (!isSelf) {
    const label = model.authorized === false ? "Refuse" : "Delete";
    act(label, "danger", () => confirmed(
      `Delete the user ${model.name}? Their workspaces are stopped and removed.`,
      () => api.delete(path)));
  }
  return actions;
}

async function confirmed(question, action) {
  if (confirm(question)) {
    await action();
  }
}

/** Opens the workspace form for a user. A null serverName lets the admin enter a new name. */
function openWorkspaceDialog(userName, serverName, context) {
  const isNew = serverName === null;
  let label = `"${serverName}"`;
  if (isNew) {
    label = "a new workspace";
  } else if (serverName === "") {
    label = "the default workspace";
  }
  byId("workspace-dialog-title").textContent = `Start ${label} for ${userName}`;
  replaceChildren(byId("workspace-dialog-body"), workspaceForm({
    config: context.config,
    userName,
    idPrefix: "admin-dialog",
    withName: isNew,
    serverName: serverName ?? "",
    submitLabel: isNew ? "Create and start" : "Start",
    onStarted: (startedName, outcome) => {
      context.dialog.close();
      context.expanded.add(userName);
      context.reload().then(() => showOutcome(userName, startOutcome(startedName, outcome)));
    },
  }));
  context.dialog.showModal();
  context.dialog.querySelector("input, select")?.focus();
}

/** Draws the sign-ups that wait for an administrator, with authorize and refuse buttons. */
export function drawPending(page, context) {
  const section = byId("pending");
  const list = byId("pending-list");
  const more = byId("pending-more");
  if (page.error) {
    section.hidden = false;
    replaceChildren(list, h("li", { class: "alert error" }, `Could not load pending sign-ups: ${page.error}`));
    return;
  }
  section.hidden = page.items.length === 0;
  replaceChildren(list, ...page.items.map((model) => pendingItem(model, context)));
  const hidden = (page.total ?? page.items.length) - page.items.length;
  more.hidden = hidden <= 0;
  more.textContent = `${hidden} more: choose "waiting for authorization" in the user list to see them all.`;
}

function pendingItem(model, context) {
  const path = `users/${segment(model.name)}`;
  const result = h("span", { class: "action-result", role: "status", hidden: true });
  const run = (action) => async (event) => {
    event.currentTarget.disabled = true;
    try {
      await action();
      await context.reload();
    } catch (error) {
      showActionResult(result, error.message, true);
    }
  };
  return h("li", { dataset: { pending: model.name } },
    h("strong", {}, model.name), " signed up ", timeElement(model.created, "recently"), " ",
    h("button", { type: "button", onclick: run(() => api.patch(path, { authorized: true })) }, "Authorize"),
    h("button", {
      type: "button", class: "danger",
      onclick: run(() => confirmed(`Refuse the sign-up of ${model.name}? The account is deleted.`, () => api.delete(path))),
    }, "Refuse"),
    result);
}

/** Wires the form that creates several users at once. */
export function setUpAddUsers(context) {
  const form = byId("add-users-form");
  const output = byId("add-users-result");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    showActionResult(output, "", false);
    const names = [...new Set(form.elements.usernames.value.split(/[\s,;]+/).filter((name) => name !== ""))];
    const error = namesError(names, context.config.names.user);
    if (error !== null) {
      showValidationErrors(form, { usernames: error });
      return;
    }
    const admin = form.elements.admin.checked;
    await whileBusy(form, async () => {
      try {
        const created = await api.post("users", { usernames: names, admin });
        const createdNames = (created ?? []).map((model) => model.name);
        const skipped = names.filter((name) => !createdNames.includes(name.toLowerCase()) && !createdNames.includes(name));
        showActionResult(output, `Created: ${createdNames.join(", ") || "none"}.`
          + (skipped.length > 0 ? ` Already existed: ${skipped.join(", ")}.` : ""), false);
        form.reset();
        await context.reload();
      } catch (failure) {
        showApiError(form, failure, { name: "usernames" });
      }
    });
  });
}

function namesError(names, rule) {
  if (names.length === 0) {
    return "Enter at least one user name.";
  }
  const problems = names.map((name) => checkName(name, rule, "user name")).filter((problem) => problem !== null);
  return problems.length === 0 ? null : problems.join(" ");
}

/** Wires the buttons that run the cleanup service's actions. */
export function setUpCleanup() {
  for (const button of document.querySelectorAll("[data-cleanup]")) {
    const output = button.nextElementSibling;
    button.addEventListener("click", async () => {
      button.disabled = true;
      showActionResult(output, "Running…", false);
      try {
        const response = await request("POST", `${baseUrl}services/cleanup-service/${button.dataset.cleanup}`);
        showActionResult(output, cleanupMessage(response), false);
      } catch (error) {
        showActionResult(output, error.message, true);
      } finally {
        button.disabled = false;
      }
    });
  }
}

function cleanupMessage(response) {
  if (response === null) {
    return "Done.";
  }
  if (typeof response.message === "string") {
    return response.message;
  }
  return JSON.stringify(response);
}
