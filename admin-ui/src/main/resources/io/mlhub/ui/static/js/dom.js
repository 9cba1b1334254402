// Small DOM helpers. Text always goes in through textContent, never as HTML.

/**
 * Creates an element. Attributes starting with "on" become event listeners, "class" sets the
 * class name, "dataset" takes an object, and false or null attributes are left out.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) {
      continue;
    }
    if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      element.className = value;
    } else if (key === "dataset") {
      Object.assign(element.dataset, value);
    } else if (value === true) {
      element.setAttribute(key, "");
    } else {
      element.setAttribute(key, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces all children of an element. */
export function replaceChildren(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

/** Returns the element with this id, or throws when the page lacks it. */
export function byId(id) {
  const element = document.getElementById(id);
  if (element === null) {
    throw new Error(`missing element #${id}`);
  }
  return element;
}

/** Copies text to the clipboard and confirms on the button for a moment. */
export async function copyText(button, text) {
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    button.textContent = "Copy failed: select the text";
  }
  setTimeout(() => { button.textContent = label; }, 1500);
}

/** Builds a read-only code block with a copy button. */
export function copyableBlock(text, label) {
  const code = h("pre", { class: "code", tabindex: "0", "aria-label": label }, text);
  const button = h("button", { type: "button", class: "secondary small" }, "Copy");
  button.addEventListener("click", () => copyText(button, text));
  return h("div", { class: "copyable" }, code, button);
}

/** Offers text as a file download; the text never leaves the browser. */
export function downloadText(fileName, text) {
  const blob = new Blob([text], { type: "application/octet-stream" });
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
