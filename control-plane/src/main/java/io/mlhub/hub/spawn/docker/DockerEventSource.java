package io.mlhub.hub.spawn.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.EventsCmd;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import io.mlhub.hub.spawn.ReconnectingWatch;
import io.mlhub.hub.spawn.WorkspaceEvent;
import io.mlhub.hub.spawn.WorkspaceRef;
import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the Docker engine's event stream for this hub's containers (label {@code mlhub.origin}) and turns the
 * container events that change whether a workspace runs into {@link WorkspaceEvent}s. A reopened stream requests
 * that the engine replay events since the last one it delivered, which covers a short disconnection. The full
 * reconcile after each reconnect covers an engine restart, which loses that history.
 */
final class DockerEventSource implements ReconnectingWatch.Source {
    private static final Logger logger = LoggerFactory.getLogger(DockerEventSource.class);
    private static final String[] ACTIONS = {"start", "die", "stop", "kill", "oom", "destroy"};

    private final DockerClient docker;
    private final String hubName;
    /** The engine's time of the last event read, in seconds since the epoch, or 0 before the first. */
    private volatile long lastEventSeconds;

    DockerEventSource(DockerClient docker, String hubName) {
        this.docker = docker;
        this.hubName = hubName;
    }

    @Override
    public Closeable open(ReconnectingWatch.Sink sink) {
        EventsCmd command = docker.eventsCmd()
                .withEventTypeFilter(EventType.CONTAINER)
                .withLabelFilter(Map.of(Labels.ORIGIN, hubName))
                .withEventFilter(ACTIONS);
        long since = lastEventSeconds;
        if (since > 0) {
            command.withSince(Long.toString(since));
        }
        Callback callback = new Callback(sink);
        command.exec(callback);
        return callback;
    }

    /** Returns the workspace event of a container event, or null for events of no workspace of this hub. */
    @Nullable WorkspaceEvent toWorkspaceEvent(Event event) {
        if (event.getActor() == null || event.getActor().getAttributes() == null) {
            return null;
        }
        Map<String, String> attributes = event.getActor().getAttributes();
        String user = attributes.get(Labels.USER);
        String server = attributes.get(Labels.SERVER_NAME);
        String action = String.valueOf(event.getAction());
        if (!hubName.equals(attributes.get(Labels.ORIGIN)) || user == null || server == null) {
            return null;
        }
        WorkspaceEvent.Kind kind = switch (action) {
            case "start" -> WorkspaceEvent.Kind.STARTED;
            case "destroy" -> WorkspaceEvent.Kind.REMOVED;
            default -> WorkspaceEvent.Kind.STOPPED;
        };
        return new WorkspaceEvent(new WorkspaceRef(hubName, user, server), kind, action,
                exitCode(attributes.get("exitCode")));
    }

    private static @Nullable Integer exitCode(@Nullable String value) {
        try {
            return value == null ? null : Integer.valueOf(value);
        } catch (NumberFormatException invalid) {
            return null;
        }
    }

    /**
     * Receives one stream from docker-java. It implements {@link ResultCallback} directly, because docker-java's
     * template logs every stream failure with a stack trace at ERROR, while a broken stream here is expected and
     * retried.
     */
    private final class Callback implements ResultCallback<Event> {
        private final ReconnectingWatch.Sink sink;
        private volatile @Nullable Closeable response;
        private volatile boolean closed;

        Callback(ReconnectingWatch.Sink sink) {
            this.sink = sink;
        }

        @Override
        public void onStart(Closeable stream) {
            response = stream;
            if (closed) {
                closeResponse();
                return;
            }
            sink.connected();
        }

        @Override
        public void onNext(Event event) {
            if (event.getTime() != null) {
                lastEventSeconds = Math.max(lastEventSeconds, event.getTime());
            }
            WorkspaceEvent workspaceEvent = toWorkspaceEvent(event);
            logger.debug("engine event engine=docker action={} container={} workspace={}", event.getAction(),
                    event.getId(), workspaceEvent == null ? null : workspaceEvent.ref());
            if (workspaceEvent != null) {
                sink.event(workspaceEvent);
            }
        }

        @Override
        public void onError(Throwable failure) {
            sink.broken(failure);
        }

        @Override
        public void onComplete() {
            sink.broken(null);
        }

        @Override
        public void close() {
            closed = true;
            closeResponse();
        }

        private void closeResponse() {
            Closeable stream = response;
            if (stream == null) {
                return;
            }
            try {
                stream.close();
            } catch (IOException failed) {
                logger.debug("closing the engine's event stream failed error={}", failed.getMessage());
            }
        }
    }
}
