// Admin panel: one page of users at a time, searched, sorted and paged by the hub, so it stays
// quick with many thousands of users.

import { api } from "../api.js";
import { byId, h, replaceChildren } from "../dom.js";
import { clearErrors, showApiError } from "../forms.js";
import { failPage, pageReady, startPage } from "../layout.js";
import { drawPending, setUpAddUsers, setUpCleanup, userRows } from "../admin-users.js";

const PAGINATION_TYPE = "application/jupyterhub-pagination+json";
const SEARCH_DELAY_MS = 250;

const { config, user } = await startPage({ page: "admin", requireAdmin: true });
const filterForm = byId("user-filter");
const tbody = byId("users").tBodies[0];
const view = { offset: 0, limit: 50, sort: "name", nameFilter: "", state: "", total: null, hasNext: false };
const expanded = new Set();
let requestNumber = 0;

const context = {
  config,
  self: user,
  expanded,
  reload: () => Promise.all([loadUsers(), loadPending()]),
  dialog: byId("workspace-dialog"),
};

setUpFilters();
setUpAddUsers(context);
setUpCleanup();
byId("workspace-dialog-close").addEventListener("click", () => context.dialog.close());

try {
  await context.reload();
  pageReady();
} catch (error) {
  failPage(`Could not load the users: ${error.message}`);
}

function setUpFilters() {
  let timer = null;
  filterForm.addEventListener("submit", (event) => event.preventDefault());
  filterForm.elements.name_filter.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      view.nameFilter = filterForm.elements.name_filter.value.trim();
      view.offset = 0;
      loadUsers();
    }, SEARCH_DELAY_MS);
  });
  filterForm.elements.state.addEventListener("change", () => {
    view.state = filterForm.elements.state.value;
    view.offset = 0;
    loadUsers();
  });
  filterForm.elements.limit.addEventListener("change", () => {
    view.limit = Number(filterForm.elements.limit.value);
    view.offset = 0;
    loadUsers();
  });
  for (const button of document.querySelectorAll("button.sort")) {
    button.addEventListener("click", () => {
      const key = button.dataset.sort;
      view.sort = view.sort === key ? `-${key}` : key;
      view.offset = 0;
      drawSortState();
      loadUsers();
    });
  }
  byId("page-previous").addEventListener("click", () => {
    view.offset = Math.max(0, view.offset - view.limit);
    loadUsers();
  });
  byId("page-next").addEventListener("click", () => {
    view.offset += view.limit;
    loadUsers();
  });
}

function drawSortState() {
  for (const button of document.querySelectorAll("button.sort")) {
    const key = button.dataset.sort;
    const header = button.closest("th");
    if (view.sort === key) {
      header.setAttribute("aria-sort", "ascending");
    } else if (view.sort === `-${key}`) {
      header.setAttribute("aria-sort", "descending");
    } else {
      header.removeAttribute("aria-sort");
    }
  }
}

/** Builds the query of the users list; "pending" is the hub's authorized=false filter. */
function usersQuery(offset, limit, state, nameFilter) {
  const query = new URLSearchParams({ offset: String(offset), limit: String(limit), sort: view.sort });
  query.set("include_stopped_servers", "true");
  if (nameFilter) {
    query.set("name_filter", nameFilter);
  }
  if (state === "pending") {
    query.set("authorized", "false");
  } else if (state) {
    query.set("state", state);
  }
  return `users?${query}`;
}

async function fetchPage(path, limit) {
  const response = await api.get(path, { Accept: PAGINATION_TYPE });
  if (Array.isArray(response)) {
    // A hub that ignores the pagination media type returns a bare list without a total.
    return { items: response, total: null, hasNext: response.length >= limit };
  }
  const pagination = response?._pagination ?? {};
  return { items: response?.items ?? [], total: pagination.total ?? null, hasNext: Boolean(pagination.next) };
}

async function loadUsers() {
  const number = ++requestNumber;
  clearErrors(filterForm);
  tbody.setAttribute("aria-busy", "true");
  let page;
  try {
    page = await fetchPage(usersQuery(view.offset, view.limit, view.state, view.nameFilter), view.limit);
  } catch (error) {
    if (number === requestNumber) {
      tbody.removeAttribute("aria-busy");
      showApiError(filterForm, error);
    }
    return;
  }
  if (number !== requestNumber) {
    return;
  }
  tbody.removeAttribute("aria-busy");
  view.total = page.total;
  view.hasNext = page.hasNext;
  if (page.items.length === 0) {
    replaceChildren(tbody, h("tr", {}, h("td", { colspan: "5", class: "empty" }, "No users match.")));
  } else {
    replaceChildren(tbody, ...page.items.flatMap((model) => userRows(model, context)));
  }
  drawPager(page.items.length);
}

function drawPager(shownCount) {
  const first = shownCount === 0 ? 0 : view.offset + 1;
  const last = view.offset + shownCount;
  const total = view.total === null ? "" : ` of ${view.total.toLocaleString()}`;
  byId("page-status").textContent = `Users ${first}–${last}${total}`;
  byId("page-previous").disabled = view.offset === 0;
  byId("page-next").disabled = !view.hasNext;
}

async function loadPending() {
  const limit = 20;
  try {
    const page = await fetchPage(usersQuery(0, limit, "pending", ""), limit);
    drawPending(page, context);
  } catch (error) {
    drawPending({ items: [], total: 0, error: error.message }, context);
  }
}
