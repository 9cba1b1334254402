// Live start-up progress of a server from the hub's event stream.

import { baseUrl, xsrfToken } from "./api.js";
import { h, replaceChildren } from "./dom.js";

/**
 * Follows the progress stream of a starting server and draws it into container: a progress bar
 * and the latest message. Calls onDone({ready, failed, message, url}) once, when the hub reports
 * the end or the stream cannot be read.
 */
export function followProgress(progressUrl, container, onDone) {
  const bar = h("progress", { max: "100", value: "0", "aria-label": "Start-up progress" });
  const message = h("span", { class: "progress-message", role: "status" }, "Waiting for the hub…");
  replaceChildren(container, bar, message);
  container.hidden = false;

  const source = new EventSource(streamUrl(progressUrl));
  let finished = false;
  const finish = (result) => {
    if (finished) {
      return;
    }
    finished = true;
    source.close();
    onDone(result);
  };

  source.onmessage = (event) => {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (typeof data.progress === "number") {
      bar.value = Math.max(0, Math.min(100, data.progress));
    }
    if (data.message) {
      message.textContent = data.message;
    }
    if (data.ready || data.failed) {
      finish({ ready: Boolean(data.ready), failed: Boolean(data.failed), message: data.message ?? "", url: data.url });
    }
  };
  // The hub returns 400 when the server is no longer starting, so the caller reloads the state.
  source.onerror = () => finish({ ready: false, failed: false, message: "", url: null });
  return () => finish({ ready: false, failed: false, message: "", url: null });
}

// EventSource cannot send headers, so the XSRF token travels as the _xsrf query argument, the
// way JupyterHub's own pages do it.
function streamUrl(progressUrl) {
  const path = progressUrl.startsWith("/") ? progressUrl : baseUrl + progressUrl;
  const url = new URL(path, location.origin);
  const token = xsrfToken();
  if (token !== null) {
    url.searchParams.set("_xsrf", token);
  }
  return url.pathname + url.search;
}
