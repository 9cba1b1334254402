// Live start-up progress of a server from the hub's event stream.

import { apiUrl, baseUrl, requestWithStatus, xsrfToken } from "./api.js";
import { h, replaceChildren } from "./dom.js";

/** Delay before the page opens the event stream again after the hub closed or rejected it. */
const RETRY_MS = 500;
/**
 * Attempts to open the stream after the start request has returned 202. Until then the page
 * retries without a limit, because the hub returns 404 or 400 while it has no server record yet.
 */
const RETRIES_AFTER_START = 4;

/** The outcome when the stream ended without a ready or failed event, so the caller reloads the state. */
const UNKNOWN = Object.freeze({ ready: false, failed: false, message: "", url: null });

/**
 * Starts a server and follows its progress into container: the page sends the POST and opens
 * the event stream at once, because the hub responds to the POST only when the server is
 * ready or after its slow-spawn timeout. Resolves once with {ready, failed, message, url} at the end of
 * the start, or with {error} (an ApiError) when the hub rejects the POST.
 */
export function startServer(serverPath, options, container) {
  return new Promise((resolve) => {
    let finished = false;
    const finish = (outcome) => {
      if (!finished) {
        finished = true;
        stream.close();
        resolve(outcome);
      }
    };
    // The stream of a server that already runs reports ready at once, even when the hub then rejects this
    // start (a duplicate name, for example), so an end the stream reports waits for the hub's answer.
    let accepted = false;
    let streamEnd = null;
    const endFromStream = (outcome) => {
      if (accepted) {
        finish(outcome);
      } else {
        streamEnd = outcome;
      }
    };
    const view = drawProgress(container, "Starting…");
    const stream = openStream(apiUrl(`${serverPath}/progress`), view, endFromStream, { waitForStart: true });

    requestWithStatus("POST", apiUrl(serverPath), options).then(
      ({ status }) => {
        accepted = true;
        if (status === 201) {
          view.bar.value = 100;
          finish({ ready: true, failed: false, message: "", url: null });
        } else if (streamEnd !== null) {
          finish(streamEnd);
        } else {
          stream.startAccepted();
        }
      },
      (error) => finish({ error }));
  });
}

/**
 * Follows the progress stream of a server that is already starting and draws it into container.
 * Calls onDone({ready, failed, message, url}) once, when the hub reports the end or the stream
 * cannot be read. Returns a function that stops following.
 */
export function followProgress(progressUrl, container, onDone) {
  const view = drawProgress(container, "Waiting for the hub…");
  let finished = false;
  const stream = openStream(progressUrl, view, (outcome) => {
    if (!finished) {
      finished = true;
      stream.close();
      onDone(outcome);
    }
  }, { waitForStart: false });
  return () => stream.close();
}

function drawProgress(container, text) {
  const bar = h("progress", { max: "100", value: "0", "aria-label": "Start-up progress" });
  const message = h("span", { class: "progress-message", role: "status" }, text);
  replaceChildren(container, bar, message);
  container.hidden = false;
  return { bar, message };
}

/**
 * Opens the event stream and draws each event into view. With waitForStart, the page opens a
 * closed or rejected stream again, without a limit until startAccepted() and then
 * RETRIES_AFTER_START more times. Without it, the first error ends the stream, because the hub
 * returns 400 when the server is no longer starting.
 */
function openStream(progressUrl, view, onEnd, { waitForStart }) {
  let source = null;
  let timer = null;
  let closed = false;
  let startPending = waitForStart;
  let retriesLeft = waitForStart ? RETRIES_AFTER_START : 0;

  const open = () => {
    source = new EventSource(streamUrl(progressUrl));
    source.onmessage = (event) => {
      const data = parseEvent(event.data);
      if (data === null) {
        return;
      }
      if (typeof data.progress === "number") {
        view.bar.value = Math.max(0, Math.min(100, data.progress));
      }
      if (data.message) {
        view.message.textContent = data.message;
      }
      if (data.ready || data.failed) {
        onEnd({ ready: Boolean(data.ready), failed: Boolean(data.failed), message: data.message ?? "", url: data.url });
      }
    };
    source.onerror = () => {
      source.close();
      if (closed) {
        return;
      }
      if (!startPending && retriesLeft <= 0) {
        onEnd(UNKNOWN);
        return;
      }
      if (!startPending) {
        retriesLeft -= 1;
      }
      timer = setTimeout(open, RETRY_MS);
    };
  };
  open();

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      source?.close();
    },
    startAccepted() {
      startPending = false;
    },
  };
}

function parseEvent(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
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
