package io.mlhub.hub.spawn.lifecycle;

import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/** The part of the hub's store the lifecycle services use, kept in memory and recording every call. */
final class InMemoryRegistry implements ServerRegistry {
    final Set<String> users = ConcurrentHashMap.newKeySet();
    final Map<WorkspaceRef, Boolean> servers = new ConcurrentHashMap<>();
    final List<WorkspaceRef> markedRunning = new CopyOnWriteArrayList<>();
    final List<WorkspaceRef> markedStopped = new CopyOnWriteArrayList<>();
    final List<WorkspaceRef> deleted = new CopyOnWriteArrayList<>();

    InMemoryRegistry server(WorkspaceRef ref, boolean running) {
        users.add(ref.user());
        servers.put(ref, running);
        return this;
    }

    @Override
    public Set<String> userNames() {
        return Set.copyOf(users);
    }

    @Override
    public List<RegisteredServer> servers() {
        List<RegisteredServer> list = new ArrayList<>();
        servers.forEach((ref, running) -> list.add(new RegisteredServer(ref, running)));
        return list;
    }

    @Override
    public void markRunning(WorkspaceStatus status) {
        servers.put(status.ref(), true);
        markedRunning.add(status.ref());
    }

    @Override
    public void markStopped(WorkspaceRef ref, @Nullable Integer exitCode) {
        servers.put(ref, false);
        markedStopped.add(ref);
    }

    @Override
    public void markDeleted(WorkspaceRef ref) {
        servers.remove(ref);
        deleted.add(ref);
    }
}
