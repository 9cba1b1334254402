package io.mlhub.proxy.sniff;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Settings of the protocol sniffer on the public port.
 *
 * @param silentClientDelay how long a client may stay silent before it is handed to SSH. OpenSSH sends
 *     its banner at once, but some SSH clients wait for the server's banner first. The default of two
 *     seconds is an estimate: long enough for a slow TLS or HTTP client to send its first bytes, and
 *     short enough that waiting SSH users barely notice it
 * @param sniffTimeout how long a connection may take in total to show which protocol it speaks; a
 *     client that sent some bytes but not enough to decide is closed after it
 * @param proxyProtocol whether a PROXY protocol v1 or v2 header from a load balancer is accepted in
 *     front of the client's bytes. Off by default, because any client could then claim any address
 */
public record SniffConfig(Duration silentClientDelay, Duration sniffTimeout, boolean proxyProtocol) {
    /** Default delay after which a silent client is treated as SSH. */
    public static final Duration DEFAULT_SILENT_CLIENT_DELAY = Duration.ofSeconds(2);

    /** Default limit for the whole sniffing phase. */
    public static final Duration DEFAULT_SNIFF_TIMEOUT = Duration.ofSeconds(10);

    public SniffConfig {
        requireNonNull(silentClientDelay, "silentClientDelay");
        requireNonNull(sniffTimeout, "sniffTimeout");
        if (silentClientDelay.isNegative() || silentClientDelay.isZero()) {
            throw new IllegalArgumentException("silentClientDelay: " + silentClientDelay + " (expected: > 0)");
        }
        if (sniffTimeout.compareTo(silentClientDelay) <= 0) {
            throw new IllegalArgumentException(
                    "sniffTimeout: " + sniffTimeout + " (expected: > silentClientDelay " + silentClientDelay + ")");
        }
    }

    /** Returns the defaults: two seconds of silence means SSH, ten seconds to decide, no PROXY protocol. */
    public static SniffConfig defaults() {
        return new SniffConfig(DEFAULT_SILENT_CLIENT_DELAY, DEFAULT_SNIFF_TIMEOUT, false);
    }

    /** Returns a copy with the PROXY protocol accepted or not. */
    public SniffConfig withProxyProtocol(boolean enabled) {
        return new SniffConfig(silentClientDelay, sniffTimeout, enabled);
    }
}
