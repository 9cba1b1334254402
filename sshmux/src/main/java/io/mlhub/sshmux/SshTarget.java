package io.mlhub.sshmux;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A workspace as an SSH client names it: {@code <user>} for the user's default server and {@code <server>.<user>}
 * for a named server. The same name is the {@code Host} alias in the generated {@code ~/.ssh/config}, the host an
 * OpenSSH client asks the hub to connect to when it jumps through it, and the target in the hub's log lines.
 *
 * <p>Neither part may contain a dot, so the name splits in exactly one way.
 *
 * @param user the hub user who owns the workspace
 * @param server the named server, or the empty string for the default server
 */
public record SshTarget(String user, String server) {

    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public SshTarget {
        requireNonNull(user, "user");
        requireNonNull(server, "server");
        if (!PART.matcher(user).matches()) {
            throw new IllegalArgumentException("user: " + user + " (expected: 1-64 of A-Z a-z 0-9 _ -)");
        }
        if (!server.isEmpty() && !PART.matcher(server).matches()) {
            throw new IllegalArgumentException("server: " + server + " (expected: empty, or 1-64 of A-Z a-z 0-9 _ -)");
        }
    }

    /** Returns the target of a user's default server. */
    public static SshTarget defaultServer(String user) {
        return new SshTarget(user, "");
    }

    /** Returns the target of a user's named server. */
    public static SshTarget namedServer(String user, String server) {
        if (server.isEmpty()) {
            throw new IllegalArgumentException("server: empty (expected: a server name)");
        }
        return new SshTarget(user, server);
    }

    /**
     * Parses a target name; returns empty when {@code name} is not of the form {@code <user>} or
     * {@code <server>.<user>}.
     */
    public static Optional<SshTarget> parse(String name) {
        requireNonNull(name, "name");
        int dot = name.indexOf('.');
        String user = dot < 0 ? name : name.substring(dot + 1);
        String server = dot < 0 ? "" : name.substring(0, dot);
        if (!PART.matcher(user).matches() || (dot >= 0 && !PART.matcher(server).matches())) {
            return Optional.empty();
        }
        return Optional.of(new SshTarget(user, server));
    }

    /** Returns {@code true} for the user's default server. */
    public boolean isDefaultServer() {
        return server.isEmpty();
    }

    /** Returns the name of this target: {@code <user>} or {@code <server>.<user>}. */
    public String name() {
        return server.isEmpty() ? user : server + "." + user;
    }

    @Override
    public String toString() {
        return name();
    }
}
