// Table tests of the browser-side input rules and SSH key code, run by JavaScriptRulesTest with
// node's test runner. The modules are copied next to this file as .mjs.

import assert from "node:assert/strict";
import { test } from "node:test";
import { checkCpus, checkDays, checkGpus, checkName, checkSize, parseEnv, parseSize } from "./validate.mjs";
import { fingerprint, generateEd25519, parsePublicKey } from "./sshkey.mjs";

const SERVER_RULE = { pattern: "^[a-z0-9][a-z0-9-]*$", maxLength: 25 };

test("sizes use powers of 1024", () => {
  assert.equal(parseSize("2G"), 2 * 1024 ** 3);
  assert.equal(parseSize("512m"), 512 * 1024 ** 2);
  assert.equal(parseSize("1.5K"), 1536);
  assert.equal(parseSize("100"), 100);
  assert.ok(Number.isNaN(parseSize("2GB")));
  assert.ok(Number.isNaN(parseSize("-1G")));
  assert.ok(Number.isNaN(parseSize("")));
});

test("size limits", () => {
  assert.equal(checkSize("", "16G", "memory limit"), null);
  assert.equal(checkSize("16G", "16G", "memory limit"), null);
  assert.match(checkSize("17G", "16G", "memory limit"), /above the maximum of 16G/);
  assert.match(checkSize("0", "16G", "memory limit"), /Invalid memory limit/);
  assert.match(checkSize("lots", null, "memory limit"), /Invalid memory limit "lots"/);
});

test("server names", () => {
  assert.equal(checkName("nb-1", SERVER_RULE, "workspace name"), null);
  assert.match(checkName("", SERVER_RULE, "workspace name"), /Enter a workspace name/);
  assert.match(checkName("a".repeat(26), SERVER_RULE, "workspace name"), /26 characters long \(maximum: 25\)/);
  assert.match(checkName("Nb", SERVER_RULE, "workspace name"), /not allowed/);
  assert.match(checkName("-nb", SERVER_RULE, "workspace name"), /not allowed/);
  assert.match(checkName("nb/../x", SERVER_RULE, "workspace name"), /not allowed/);
});

test("cpu, gpu and day limits", () => {
  assert.equal(checkCpus("0.5", 8), null);
  assert.match(checkCpus("8.5", 8), /maximum of 8/);
  assert.match(checkCpus("0", 8), /above 0/);
  assert.match(checkCpus("two", 8), /Invalid CPU limit/);
  assert.equal(checkGpus("all", 2), null);
  assert.equal(checkGpus("0,1", 2), null);
  assert.match(checkGpus("0,1,2", 2), /3 GPUs requested/);
  assert.match(checkGpus("3", 2), /3 GPUs requested/);
  assert.match(checkGpus("0;1", 2), /Invalid GPU selection/);
  assert.equal(checkDays("30", 30), null);
  assert.match(checkDays("31", 30), /maximum of 30/);
  assert.match(checkDays("1.5", 30), /whole number/);
});

test("environment lines", () => {
  assert.deepEqual(parseEnv("A=1\n\n# note\nB_2 = x=y \n"), { env: { A: "1", B_2: " x=y" } });
  assert.match(parseEnv("A=1\nNOEQUALS").error, /Line 2: expected NAME=VALUE/);
  assert.match(parseEnv("1A=1").error, /not a valid variable name/);
  assert.match(parseEnv("A=1\nA=2").error, /A is set twice/);
});

test("public key checks", async () => {
  const pair = await generateEd25519("me@test");
  const parsed = parsePublicKey(pair.publicKey);
  assert.equal(parsed.type, "ssh-ed25519");
  assert.equal(parsed.comment, "me@test");
  assert.equal(await fingerprint(parsed.blob), pair.fingerprint);
  assert.match(pair.privateKey, /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
  assert.ok(pair.privateKey.split("\n").every((line) => line.length <= 70));

  assert.match(parsePublicKey("").error, /Paste a public key/);
  assert.match(parsePublicKey(pair.privateKey).error, /This is a private key/);
  assert.match(parsePublicKey("ssh-dss AAAAB3NzaC1kc3M=").error, /Unknown key type "ssh-dss"/);
  assert.match(parsePublicKey("ssh-ed25519 !!!").error, /not valid base64/);
  const rsaBlobLabelledEd25519 = "ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7";
  assert.match(parsePublicKey(rsaBlobLabelledEd25519).error, /does not hold a ssh-ed25519 key/);
});

test("two generated keys differ", async () => {
  const first = await generateEd25519("");
  const second = await generateEd25519("");
  assert.notEqual(first.publicKey, second.publicKey);
  assert.equal(first.publicKey.split(" ").length, 2);
});
