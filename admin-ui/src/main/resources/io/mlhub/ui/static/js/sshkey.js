// SSH keys in the browser: Ed25519 key pairs from WebCrypto, written in OpenSSH's formats, and
// checks and fingerprints of public keys that users paste.
//
// Formats: the public key is the RFC 4253 wire encoding (string "ssh-ed25519", string key) in
// base64 (RFC 8709 section 4). The private key is OpenSSH's unencrypted "openssh-key-v1"
// container, as described in PROTOCOL.key of the OpenSSH sources.

const KEY_TYPE = "ssh-ed25519";
const AUTH_MAGIC = "openssh-key-v1\0";
const PEM_LINE_LENGTH = 70;
const BLOCK_SIZE = 8;

/** Key types the hub accepts, as OpenSSH names them. */
export const KNOWN_KEY_TYPES = [
  "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
];

/** Returns why this browser cannot create keys, or null when it can. */
export function keyGenerationProblem() {
  if (!globalThis.isSecureContext || !globalThis.crypto?.subtle) {
    return "This page is not loaded over HTTPS, so the browser offers no key generation. Use ssh-keygen -t ed25519 instead.";
  }
  return null;
}

/**
 * Creates an Ed25519 key pair. Returns {publicKey, privateKey, fingerprint}: the public key line
 * "ssh-ed25519 AAAA... comment", the private key in OpenSSH PEM form and the SHA256 fingerprint.
 */
export async function generateEd25519(comment) {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const publicKey = base64UrlDecode(jwk.x);
  const seed = base64UrlDecode(jwk.d);
  const blob = publicBlob(publicKey);
  return {
    publicKey: `${KEY_TYPE} ${base64(blob)} ${comment}`.trim(),
    privateKey: privateKeyPem(seed, publicKey, comment),
    fingerprint: await fingerprint(blob),
  };
}

function publicBlob(publicKey) {
  return concat(sshString(text(KEY_TYPE)), sshString(publicKey));
}

function privateKeyPem(seed, publicKey, comment) {
  const check = crypto.getRandomValues(new Uint8Array(4));
  let section = concat(
    check, check,
    sshString(text(KEY_TYPE)),
    sshString(publicKey),
    sshString(concat(seed, publicKey)),
    sshString(text(comment)));
  const padding = [];
  for (let index = 1; (section.length + padding.length) % BLOCK_SIZE !== 0; index++) {
    padding.push(index);
  }
  section = concat(section, Uint8Array.from(padding));

  const container = concat(
    text(AUTH_MAGIC),
    sshString(text("none")),
    sshString(text("none")),
    sshString(new Uint8Array(0)),
    uint32(1),
    sshString(publicBlob(publicKey)),
    sshString(section));
  const encoded = base64(container);
  const lines = [];
  for (let start = 0; start < encoded.length; start += PEM_LINE_LENGTH) {
    lines.push(encoded.slice(start, start + PEM_LINE_LENGTH));
  }
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join("\n")}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/**
 * Checks a public key line as found in id_*.pub or authorized_keys (options are not allowed).
 * Returns {type, blob, comment} or {error}.
 */
export function parsePublicKey(line) {
  const trimmed = line.trim();
  if (trimmed === "") {
    return { error: "Paste a public key, e.g. the contents of ~/.ssh/id_ed25519.pub." };
  }
  if (trimmed.includes("PRIVATE KEY")) {
    return { error: "This is a private key. Paste the public key (the .pub file) and keep the private key to yourself." };
  }
  const [type, data, ...commentParts] = trimmed.split(/\s+/);
  if (!KNOWN_KEY_TYPES.includes(type)) {
    return { error: `Unknown key type "${type}" (expected one of: ${KNOWN_KEY_TYPES.join(", ")}).` };
  }
  let blob;
  try {
    blob = base64Decode(data ?? "");
  } catch {
    return { error: "The key data is not valid base64." };
  }
  if (readSshString(blob) !== type) {
    return { error: `The key data does not hold a ${type} key.` };
  }
  return { type, blob, comment: commentParts.join(" ") };
}

/** Returns OpenSSH's SHA256 fingerprint of a public key blob, e.g. "SHA256:abc…". */
export async function fingerprint(blob) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", blob));
  return "SHA256:" + base64(digest).replace(/=+$/, "");
}

function readSshString(blob) {
  if (blob.length < 4) {
    return null;
  }
  const length = new DataView(blob.buffer, blob.byteOffset).getUint32(0);
  if (length > blob.length - 4) {
    return null;
  }
  return new TextDecoder().decode(blob.subarray(4, 4 + length));
}

function text(value) {
  return new TextEncoder().encode(value);
}

function uint32(value) {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value);
  return bytes;
}

function sshString(bytes) {
  return concat(uint32(bytes.length), bytes);
}

function concat(...parts) {
  const result = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

function base64(bytes) {
  let binary = "";
  for (const byte of bytes) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary);
}

function base64Decode(value) {
  return Uint8Array.from(atob(value), (character) => character.charCodeAt(0));
}

function base64UrlDecode(value) {
  const standard = value.replace(/-/g, "+").replace(/_/g, "/");
  return base64Decode(standard + "=".repeat((4 - (standard.length % 4)) % 4));
}
