package io.mlhub.hub.spawn;

/**
 * A subscription to an engine's workspace events, from {@link Spawner#watch}; closing it stops the events.
 */
public interface WorkspaceWatch extends AutoCloseable {

    /** Receives the changes an engine reports between reconciles. Calls come from the watch's own thread. */
    interface Listener {

        /** Receives one change of one of this hub's workspaces. */
        void workspaceChanged(WorkspaceEvent event);

        /**
         * Runs each time the watch connects or reconnects. Events may have been missed while it was
         * disconnected, so the listener compares everything once (a full reconcile).
         */
        void watchConnected();
    }

    @Override
    void close();
}
