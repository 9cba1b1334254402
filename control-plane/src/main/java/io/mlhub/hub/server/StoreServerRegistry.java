package io.mlhub.hub.server;

import static java.util.Objects.requireNonNull;

import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceStatus;
import io.mlhub.hub.spawn.lifecycle.ServerRegistry;
import io.mlhub.hub.store.HubStore;
import io.mlhub.hub.store.ServerRecord;
import io.mlhub.hub.store.ServerState;
import io.mlhub.hub.store.UserRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle services' view of the hub's database. Each change goes through {@link ServerService}, so routes,
 * server tokens and OAuth clients stay in step with the store. A server whose start or stop runs in this process
 * is left alone, because the running operation decides its state.
 */
public final class StoreServerRegistry implements ServerRegistry {
    private static final Logger logger = LoggerFactory.getLogger(StoreServerRegistry.class);

    private final HubConfig config;
    private final HubStore store;
    private final ServerService servers;

    public StoreServerRegistry(HubConfig config, HubStore store, ServerService servers) {
        this.config = requireNonNull(config, "config");
        this.store = requireNonNull(store, "store");
        this.servers = requireNonNull(servers, "servers");
    }

    @Override
    public Set<String> userNames() {
        return new HashSet<>(store.users().namesById().values());
    }

    @Override
    public List<RegisteredServer> servers() {
        Map<Long, String> names = store.users().namesOfServerOwners();
        List<RegisteredServer> result = new ArrayList<>();
        for (ServerRecord server : store.servers().listAll()) {
            String user = names.get(server.userId());
            if (user == null) {
                continue;
            }
            boolean running = server.state() == ServerState.RUNNING || server.state() == ServerState.SPAWNING;
            result.add(new RegisteredServer(new WorkspaceRef(config.hubName(), user, server.name()), running));
        }
        return result;
    }

    @Override
    public void markRunning(WorkspaceStatus status) {
        find(status.ref()).ifPresent(found -> servers.adopt(found.user(), found.server(), status));
    }

    @Override
    public void markStopped(WorkspaceRef ref, @Nullable Integer exitCode) {
        find(ref).ifPresent(found -> servers.markGone(found.user(), found.server()));
    }

    @Override
    public void markDeleted(WorkspaceRef ref) {
        find(ref).ifPresent(found -> servers.forget(found.user(), found.server()));
    }

    /** Returns the stored user and server of {@code ref}, unless it is unknown or busy with an operation. */
    private Optional<Found> find(WorkspaceRef ref) {
        if (servers.busy(ref.user(), ref.server())) {
            logger.debug("server has an operation running, left to it user={} server={}", ref.user(), ref.server());
            return Optional.empty();
        }
        Optional<UserRecord> user = store.users().find(ref.user());
        Optional<ServerRecord> server = user.flatMap(u -> store.servers().find(u.id(), ref.server()));
        return server.map(s -> new Found(user.get(), s));
    }

    private record Found(UserRecord user, ServerRecord server) {}
}
