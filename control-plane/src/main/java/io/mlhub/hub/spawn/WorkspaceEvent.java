package io.mlhub.hub.spawn;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * A change of one workspace that the engine reported, such as a container that died or was removed outside
 * the hub. The receiver reads the workspace's status again before it acts, so an event only names the
 * workspace to look at.
 *
 * @param ref which workspace
 * @param kind what happened, as far as the engine said
 * @param action the engine's own name for the event, such as {@code die} or {@code destroy}, for logs
 * @param exitCode the exit code when the engine reported one, or {@code null}
 */
public record WorkspaceEvent(WorkspaceRef ref, Kind kind, String action, @Nullable Integer exitCode) {
    public WorkspaceEvent {
        requireNonNull(ref, "ref");
        requireNonNull(kind, "kind");
        requireNonNull(action, "action");
    }

    /** The kinds of change an engine reports. */
    public enum Kind {
        STARTED,
        STOPPED,
        REMOVED
    }
}
