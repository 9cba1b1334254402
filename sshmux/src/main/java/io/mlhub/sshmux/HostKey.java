package io.mlhub.sshmux;

import static java.util.Objects.requireNonNull;

/**
 * One of the hub's SSH host keys, as users compare and pin it.
 *
 * @param type the OpenSSH key type, for example {@code ssh-ed25519} or {@code ssh-rsa}
 * @param fingerprint the SHA-256 fingerprint as OpenSSH prints it, {@code SHA256:...}
 * @param publicKey the public key in OpenSSH format, {@code <type> <base64>}
 */
public record HostKey(String type, String fingerprint, String publicKey) {

    public HostKey {
        requireNonNull(type, "type");
        requireNonNull(fingerprint, "fingerprint");
        requireNonNull(publicKey, "publicKey");
    }

    /**
     * Returns the {@code known_hosts} line for this key under {@code hostPattern}: a host name, a
     * {@code HostKeyAlias}, or {@code [host]:port} for a port other than 22.
     */
    public String knownHostsLine(String hostPattern) {
        return hostPattern + " " + publicKey;
    }

    /** Returns the {@code known_hosts} host pattern OpenSSH looks up for {@code host} and {@code port}. */
    public static String hostPattern(String host, int port) {
        return port == 22 ? host : "[" + host + "]:" + port;
    }
}
