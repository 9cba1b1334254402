package io.mlhub.sshmux;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Settings of the SSH jump host.
 *
 * @param dataDirectory the folder that keeps the host keys across restarts; created when missing
 * @param publicHost the host name clients use to reach the hub's public port, shown in help text and SSH config
 * @param publicPort the hub's public port as clients see it
 * @param jumpHostAlias the {@code Host} alias of the hub in generated SSH config, also its {@code HostKeyAlias}
 * @param listenAddress where MINA SSHD listens for the loopback hand-off and for direct connections in tests; keep
 *     it on a loopback address
 * @param workspaceSshPort the port clients ask for when they jump to a workspace; the hub maps it to the
 *     workspace sshd's real address
 * @param authTimeout how long a client may take to log in
 * @param keepaliveInterval how often the hub sends a keepalive request to each client
 * @param keepaliveCountMax how many keepalive intervals a client may leave unanswered before the hub disconnects
 *     it
 * @param idleTimeout how long a logged-in session may stay without any open channel
 * @param authFailureBurst how many failed logins a client address, or a user name, may have before further
 *     attempts are rejected
 * @param authFailureRefill the time after which one more failed login is allowed again
 * @param workerThreads the threads that run SSH sessions handed over in-process from the public port (key
 *     exchange, login, {@link SshAuthority} calls), so that this work does not run on the port's Netty event loop
 */
public record SshMuxConfig(
        Path dataDirectory,
        String publicHost,
        int publicPort,
        String jumpHostAlias,
        InetSocketAddress listenAddress,
        int workspaceSshPort,
        Duration authTimeout,
        Duration keepaliveInterval,
        int keepaliveCountMax,
        Duration idleTimeout,
        int authFailureBurst,
        Duration authFailureRefill,
        int workerThreads) {

    private static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    public SshMuxConfig {
        requireNonNull(dataDirectory, "dataDirectory");
        requireNonNull(publicHost, "publicHost");
        requireNonNull(jumpHostAlias, "jumpHostAlias");
        requireNonNull(listenAddress, "listenAddress");
        if (publicHost.isBlank() || publicHost.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("publicHost: '" + publicHost + "' (expected: a host name or address)");
        }
        checkPort("publicPort", publicPort);
        checkPort("workspaceSshPort", workspaceSshPort);
        if (!ALIAS.matcher(jumpHostAlias).matches()) {
            throw new IllegalArgumentException("jumpHostAlias: " + jumpHostAlias + " (expected: 1-64 of A-Z a-z 0-9 _ . -)");
        }
        checkPositive("authTimeout", authTimeout);
        checkPositive("keepaliveInterval", keepaliveInterval);
        checkPositive("idleTimeout", idleTimeout);
        checkPositive("authFailureRefill", authFailureRefill);
        checkAtLeastOne("keepaliveCountMax", keepaliveCountMax);
        checkAtLeastOne("authFailureBurst", authFailureBurst);
        checkAtLeastOne("workerThreads", workerThreads);
    }

    /** Returns a builder with defaults that suit one machine; only {@code dataDirectory} has none. */
    public static Builder builder(Path dataDirectory) {
        return new Builder(dataDirectory);
    }

    private static void checkPort(String name, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + ": " + port + " (expected: 1-65535)");
        }
    }

    private static void checkPositive(String name, Duration value) {
        requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }

    private static void checkAtLeastOne(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
        }
    }

    /** Builds an {@link SshMuxConfig}; each setter documents the default. */
    public static final class Builder {

        private final Path dataDirectory;
        private String publicHost = "localhost";
        private int publicPort = 8080;
        private String jumpHostAlias = "mlhub";
        private InetSocketAddress listenAddress = new InetSocketAddress("127.0.0.1", 0);
        private int workspaceSshPort = 22;
        private Duration authTimeout = Duration.ofSeconds(30);
        private Duration keepaliveInterval = Duration.ofSeconds(30);
        private int keepaliveCountMax = 3;
        private Duration idleTimeout = Duration.ofMinutes(15);
        private int authFailureBurst = 10;
        private Duration authFailureRefill = Duration.ofSeconds(30);
        private int workerThreads = Math.max(2, Runtime.getRuntime().availableProcessors());

        private Builder(Path dataDirectory) {
            this.dataDirectory = requireNonNull(dataDirectory, "dataDirectory");
        }

        /** Sets the public host name and port clients use; default {@code localhost:8080}. */
        public Builder publicAddress(String host, int port) {
            this.publicHost = host;
            this.publicPort = port;
            return this;
        }

        /** Sets the hub's alias in generated SSH config; default {@code mlhub}. */
        public Builder jumpHostAlias(String alias) {
            this.jumpHostAlias = alias;
            return this;
        }

        /** Sets MINA SSHD's listen address; default {@code 127.0.0.1} on an ephemeral port. */
        public Builder listenAddress(InetSocketAddress address) {
            this.listenAddress = address;
            return this;
        }

        /** Sets the port clients ask for when they jump to a workspace; default 22. */
        public Builder workspaceSshPort(int port) {
            this.workspaceSshPort = port;
            return this;
        }

        /** Sets the login time limit; default 30 seconds. */
        public Builder authTimeout(Duration timeout) {
            this.authTimeout = timeout;
            return this;
        }

        /** Sets the keepalive interval and the unanswered keepalives allowed; default 30 seconds and 3. */
        public Builder keepalive(Duration interval, int countMax) {
            this.keepaliveInterval = interval;
            this.keepaliveCountMax = countMax;
            return this;
        }

        /** Sets how long a session may stay without open channels; default 15 minutes. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        /** Sets the failed logins allowed per address and per user name, and their refill time; default 10, 30 s. */
        public Builder authFailureLimit(int burst, Duration refill) {
            this.authFailureBurst = burst;
            this.authFailureRefill = refill;
            return this;
        }

        /** Sets the threads that run handed-over SSH sessions; default the number of processors, at least 2. */
        public Builder workerThreads(int threads) {
            this.workerThreads = threads;
            return this;
        }

        /** Builds the validated config. */
        public SshMuxConfig build() {
            return new SshMuxConfig(dataDirectory, publicHost, publicPort, jumpHostAlias, listenAddress,
                    workspaceSshPort, authTimeout, keepaliveInterval, keepaliveCountMax, idleTimeout,
                    authFailureBurst, authFailureRefill, workerThreads);
        }
    }
}
