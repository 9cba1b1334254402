package io.mlhub.hub.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlhub.hub.HubException;
import io.mlhub.hub.auth.CredentialService;
import io.mlhub.hub.auth.CredentialService.Issued;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.oauth.OAuthProvider;
import io.mlhub.hub.route.PublishedRoute;
import io.mlhub.hub.route.RoutePublisher;
import io.mlhub.hub.spawn.EngineCapabilities;
import io.mlhub.hub.spawn.SpawnException;
import io.mlhub.hub.spawn.Spawner;
import io.mlhub.hub.spawn.StartedWorkspace;
import io.mlhub.hub.spawn.WorkspaceOptions;
import io.mlhub.hub.spawn.WorkspaceOptionsParser;
import io.mlhub.hub.spawn.WorkspaceStatus;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceSpec;
import io.mlhub.hub.store.HubStore;
import io.mlhub.hub.store.ServerRecord;
import io.mlhub.hub.store.ServerState;
import io.mlhub.hub.store.SshKeyRecord;
import io.mlhub.hub.store.UserRecord;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops servers: validates options, records the server as spawning, calls the spawner to start the
 * workspace, waits until it responds over HTTP, then publishes its route. Stopping undoes each step; every step
 * may be repeated, so a stop after a half-finished start cleans up whatever exists. Engine calls run on virtual
 * threads; a request waits for them only up to the slow-spawn timeout and then returns 202.
 */
public final class ServerService implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(ServerService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The size of the {@code servers.user_options} column. */
    private static final int MAX_STORED_OPTIONS_LENGTH = 100_000;

    private final HubConfig config;
    private final HubStore store;
    private final CredentialService credentials;
    private final OAuthProvider oauth;
    private final Spawner spawner;
    private final RoutePublisher routes;
    private final OptionsValidator validator;
    private final Supplier<String> hubApiUrl;
    private final ReadinessProbe probe;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, CompletableFuture<Void>> operations = new ConcurrentHashMap<>();
    private final Map<String, ProgressLog> progress = new ConcurrentHashMap<>();

    /** Result of a start or stop request. */
    public enum Outcome {
        /** Finished within the slow-spawn timeout: 201 for a start, 204 for a stop. */
        DONE,
        /** Still in progress: 202. */
        PENDING
    }

    public ServerService(HubConfig config, HubStore store, CredentialService credentials, OAuthProvider oauth,
            Spawner spawner, RoutePublisher routes, OptionsValidator validator, Supplier<String> hubApiUrl) {
        this.config = requireNonNull(config, "config");
        this.store = requireNonNull(store, "store");
        this.credentials = requireNonNull(credentials, "credentials");
        this.oauth = requireNonNull(oauth, "oauth");
        this.spawner = requireNonNull(spawner, "spawner");
        this.routes = requireNonNull(routes, "routes");
        this.validator = requireNonNull(validator, "validator");
        this.hubApiUrl = requireNonNull(hubApiUrl, "hubApiUrl");
        this.probe = new ReadinessProbe();
    }

    /** Returns the spawner's engine name. */
    public String engine() {
        return spawner.engine();
    }

    /** Returns what the spawner's engine supports. */
    public EngineCapabilities capabilities() {
        return spawner.capabilities();
    }

    /** Returns the path a server is served under, such as {@code /user/alice/lab/}. */
    public String prefix(String user, String server) {
        return config.baseUrl() + "user/" + user + "/" + (server.isEmpty() ? "" : server + "/");
    }

    /**
     * Starts a server, or joins a start in progress. Empty {@code userOptions} restart an existing server with the
     * options and expiry it was first started with; otherwise the options are validated, stored in the normalised
     * form of {@link WorkspaceOptionsParser#toUserOptions} and the expiry counts from now.
     *
     * @throws HubException 400 when named servers are off, the limit is reached, the server runs or stops, or an
     *     option is invalid
     */
    public Outcome start(UserRecord user, String server, Map<String, Object> userOptions) {
        String key = key(user.name(), server);
        CompletableFuture<Void> operation;
        String storedJson;
        synchronized (this) {
            Optional<ServerRecord> existing = store.servers().find(user.id(), server);
            CompletableFuture<Void> inFlight = operations.get(key);
            if (existing.isPresent() && existing.get().state() == ServerState.SPAWNING && inFlight != null) {
                joinPending(user, server, existing.get(), userOptions);
                return Outcome.PENDING;
            }
            checkStartAllowed(user, server, existing);
            boolean reuse = userOptions.isEmpty() && existing.isPresent();
            WorkspaceOptions options = validate(reuse ? supportedOnly(fromJson(existing.get().userOptions()))
                    : userOptions);
            Instant expiresAt = reuse && existing.get().expiresAt() != null ? existing.get().expiresAt()
                    : expiry(options);
            storedJson = toJson(WorkspaceOptionsParser.toUserOptions(options));
            if (storedJson.length() > MAX_STORED_OPTIONS_LENGTH) {
                throw HubException.badRequest("user_options: " + storedJson.length() + " characters when stored "
                        + "(expected: at most " + MAX_STORED_OPTIONS_LENGTH + "); shorten env");
            }
            // A failed start with new options gives the server back the options that worked before.
            @Nullable ServerRecord previous = reuse ? null : existing.orElse(null);
            ServerRecord record = store.servers().markSpawning(user.id(), server, storedJson, expiresAt);
            ProgressLog log = new ProgressLog();
            log.add(0, "Server requested");
            progress.put(key, log);
            operation = CompletableFuture.runAsync(() -> spawn(user, record, options, log, previous), executor);
            operations.put(key, operation);
            operation.whenComplete((ignored, error) -> operations.remove(key, operation));
        }
        store.audit().record(user.name(), "server.start", key, storedJson);
        return await(operation);
    }

    /**
     * Stops a server; with {@code remove}, also deletes a named server's record and workspace.
     *
     * @throws HubException 404 for an unknown named server, 400 for removing the default server or stopping a
     *     server whose start is pending
     */
    public Outcome stop(UserRecord user, String server, boolean remove) {
        if (remove && server.isEmpty()) {
            throw HubException.badRequest("Cannot delete the default server");
        }
        String key = key(user.name(), server);
        CompletableFuture<Void> operation;
        synchronized (this) {
            Optional<ServerRecord> found = store.servers().find(user.id(), server);
            if (found.isEmpty()) {
                if (server.isEmpty()) {
                    return Outcome.DONE;
                }
                throw HubException.notFound(user.name() + " has no server named '" + server + "'");
            }
            ServerRecord record = found.get();
            CompletableFuture<Void> inFlight = operations.get(key);
            if (record.state() == ServerState.SPAWNING && inFlight != null) {
                throw HubException.badRequest(displayName(user.name(), server) + " is pending spawn");
            }
            if (record.state() == ServerState.STOPPING && inFlight != null) {
                return Outcome.PENDING;
            }
            store.servers().setState(record.id(), ServerState.STOPPING);
            operation = CompletableFuture.runAsync(() -> teardown(user, record, remove), executor);
            operations.put(key, operation);
            operation.whenComplete((ignored, error) -> operations.remove(key, operation));
        }
        store.audit().record(user.name(), remove ? "server.delete" : "server.stop", key, "");
        return await(operation);
    }

    /** Stops and removes every server of a user, as before the user is deleted. */
    public void removeAll(UserRecord user) {
        for (ServerRecord server : store.servers().listForUsers(List.of(user.id()))) {
            CompletableFuture<Void> inFlight = operations.get(key(user.name(), server.name()));
            if (inFlight != null) {
                inFlight.exceptionally(e -> null).join();
            }
            teardown(user, server, true);
        }
    }

    /** Returns the progress of the latest start of a server, if this hub process ran one. */
    public Optional<ProgressLog> progress(String user, String server) {
        return Optional.ofNullable(progress.get(key(user, server)));
    }

    /**
     * Stops servers whose start or stop was cut off by a hub exit, so that none stays pending forever. Their start
     * request already failed with the old process, so nothing a user waits for is lost.
     */
    public void recoverInterrupted() {
        List<ServerRecord> interrupted = new ArrayList<>(store.servers().listInState(ServerState.SPAWNING));
        interrupted.addAll(store.servers().listInState(ServerState.STOPPING));
        for (ServerRecord server : interrupted) {
            Optional<UserRecord> user = store.users().findById(server.userId());
            if (user.isEmpty()) {
                continue;
            }
            logger.warn("server was left {} by an earlier hub process, stopping it user={} server={}",
                    server.state().name().toLowerCase(), user.get().name(), server.name());
            undo(user.get(), server, false);
        }
    }

    /** Pushes the route of every running server to the proxy, replacing whatever it had. */
    public void publishAllRoutes() {
        List<PublishedRoute> all = new ArrayList<>();
        for (ServerRecord server : store.servers().listInState(ServerState.RUNNING)) {
            Optional<UserRecord> user = store.users().findById(server.userId());
            if (user.isPresent() && server.target() != null) {
                all.add(new PublishedRoute(prefix(user.get().name(), server.name()), URI.create(server.target()),
                        user.get().name(), server.name()));
            }
        }
        routes.replaceAll(all);
        logger.info("routes published count={}", all.size());
    }

    private void checkStartAllowed(UserRecord user, String server, Optional<ServerRecord> existing) {
        if (!server.isEmpty() && !config.allowNamedServers()) {
            throw HubException.badRequest("Named servers are not enabled.");
        }
        if (existing.isPresent()) {
            switch (existing.get().state()) {
                case RUNNING -> throw HubException.badRequest(displayName(user.name(), server) + " is already running");
                case STOPPING -> throw HubException.badRequest(displayName(user.name(), server) + " is pending stop");
                case SPAWNING, STOPPED -> {
                    // A SPAWNING record without a running operation is left from a crash; starting again repairs it.
                }
            }
        } else if (!server.isEmpty() && config.namedServerLimitPerUser() > 0
                && store.servers().countNamed(user.id()) >= config.namedServerLimitPerUser()) {
            throw HubException.badRequest("User " + user.name() + " already has the maximum of "
                    + config.namedServerLimitPerUser() + " named servers. One must be deleted before a new server "
                    + "can be created");
        }
    }

    /**
     * Drops the stored options that the engine cannot honour, such as a CPU limit stored when the engine still
     * enforced one, so that a restart with the stored options keeps working on an engine that changed.
     */
    private Map<String, Object> supportedOnly(Map<String, Object> stored) {
        EngineCapabilities capabilities = spawner.capabilities();
        Map<String, Object> supported = new LinkedHashMap<>(stored);
        supported.keySet().removeIf(field -> !field.equals("gpus") && !capabilities.supports(field));
        return supported;
    }

    private WorkspaceOptions validate(Map<String, Object> userOptions) {
        try {
            return validator.validate(userOptions, spawner.capabilities());
        } catch (InvalidUserOptionException e) {
            throw HubException.badField(e.field(), e.getMessage());
        } catch (IllegalArgumentException e) {
            throw HubException.badRequest(e.getMessage());
        }
    }

    /**
     * Checks a start request that joins a start in progress: its options are validated, and options other than
     * those of the start in progress are rejected instead of dropped.
     */
    private void joinPending(UserRecord user, String server, ServerRecord pending, Map<String, Object> userOptions) {
        if (userOptions.isEmpty()) {
            return;
        }
        String requested = toJson(WorkspaceOptionsParser.toUserOptions(validate(userOptions)));
        if (!requested.equals(pending.userOptions())) {
            throw HubException.badRequest(displayName(user.name(), server) + " is pending spawn with other options; "
                    + "wait for it to start, or stop it and start it again");
        }
    }

    private void spawn(UserRecord user, ServerRecord record, WorkspaceOptions options, ProgressLog log,
            @Nullable ServerRecord previous) {
        String server = record.name();
        WorkspaceRef ref = new WorkspaceRef(config.hubName(), user.name(), server);
        String prefix = prefix(user.name(), server);
        try {
            Map<String, String> environment = prepareCredentials(user, server, prefix);
            List<String> keys = store.sshKeys().list(user.id()).stream().map(SshKeyRecord::publicKey).toList();
            WorkspaceSpec spec = new WorkspaceSpec(ref, options, environment, prefix, keys, record.expiresAt());
            StartedWorkspace started = spawner.start(spec, log::add);
            store.servers().setEngineId(record.id(), started.engineId());
            log.add(90, "Waiting for the server to respond");
            probe.awaitReady(spawner, ref, started.httpTarget(), prefix, config.spawnTimeout());
            routes.put(prefix, started.httpTarget(), user.name(), server);
            store.servers().markRunning(record.id(), started.engineId(), started.httpTarget().toString(),
                    hostPort(started.sshAddress()), Instant.now());
            log.ready(prefix);
            logger.info("server started user={} server={} engineId={} target={}", user.name(), server,
                    started.engineId(), started.httpTarget());
        } catch (SpawnException | RuntimeException e) {
            String reason = e instanceof SpawnException ? e.getMessage() : "internal error: " + e;
            // The reason can hold the workspace's own log lines, so line breaks are escaped to keep one log line.
            logger.warn("server start failed user={} server={} reason={}", user.name(), server,
                    reason.replace("\r", "\\r").replace("\n", "\\n"), e instanceof SpawnException ? null : e);
            log.failed(reason);
            undo(user, record, false);
            if (previous != null) {
                store.servers().setOptions(record.id(), previous.userOptions(), previous.expiresAt());
            }
            throw new CompletionException(new HubException(500, "Spawn failed: " + reason));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.failed("the hub is shutting down");
            undo(user, record, false);
        }
    }

    private Map<String, String> prepareCredentials(UserRecord user, String server, String prefix) {
        credentials.invalidate(user.name());
        store.tokens().deleteServerTokens(user.id(), server);
        Issued token = credentials.createServerToken(user, server, "Server at " + prefix);
        oauth.registerClient(user, server, prefix, token.secret());
        return SpawnEnvironment.of(config, hubApiUrl.get(), user.name(), server, prefix, token.secret());
    }

    private void teardown(UserRecord user, ServerRecord record, boolean remove) {
        try {
            undo(user, record, remove);
            logger.info("server stopped user={} server={} removed={}", user.name(), record.name(), remove);
        } catch (RuntimeException e) {
            logger.warn("server stop failed user={} server={}", user.name(), record.name(), e);
            throw e;
        }
    }

    /** Removes the route, the workspace, the credentials and (with {@code remove}) the record; each step repeatable. */
    private void undo(UserRecord user, ServerRecord record, boolean remove) {
        String server = record.name();
        routes.remove(prefix(user.name(), server));
        WorkspaceRef ref = new WorkspaceRef(config.hubName(), user.name(), server);
        try {
            if (remove) {
                spawner.delete(ref, false);
            } else {
                spawner.stop(ref);
            }
        } catch (SpawnException e) {
            logger.warn("engine stop failed, the record is marked stopped anyway user={} server={} reason={}",
                    user.name(), server, e.getMessage());
        }
        oauth.removeClient(user.name(), server);
        store.tokens().deleteServerTokens(user.id(), server);
        credentials.invalidate(user.name());
        if (remove) {
            store.servers().delete(record.id());
            progress.remove(key(user.name(), server));
        } else {
            store.servers().setState(record.id(), ServerState.STOPPED);
        }
    }

    private Outcome await(CompletableFuture<Void> operation) {
        try {
            operation.get(config.slowSpawnTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return Outcome.DONE;
        } catch (TimeoutException e) {
            return Outcome.PENDING;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof HubException failure) {
                throw failure;
            }
            throw new IllegalStateException("server operation failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.PENDING;
        }
    }

    private static Instant expiry(WorkspaceOptions options) {
        return options.daysToLive() == null ? null : Instant.now().plus(Duration.ofDays(options.daysToLive()));
    }

    /** Returns {@code address} as {@code host:port}, with an IPv6 host in brackets, or {@code null}. */
    public static @Nullable String hostPort(@Nullable InetSocketAddress address) {
        if (address == null) {
            return null;
        }
        String host = address.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static Map<String, Object> fromJson(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, Object>>() {});
        } catch (JsonProcessingException e) {
            throw HubException.badRequest("the stored user_options are not a JSON object; start with new options");
        }
    }

    private static String toJson(Map<String, Object> userOptions) {
        try {
            return JSON.writeValueAsString(userOptions);
        } catch (JsonProcessingException e) {
            throw HubException.badRequest("user_options cannot be stored as JSON");
        }
    }

    private static String key(String user, String server) {
        return user + "/" + server;
    }

    private static String displayName(String user, String server) {
        return server.isEmpty() ? user : user + ":" + server;
    }

    /** Returns whether a start or stop of the server runs in this hub process now. */
    public boolean busy(String user, String server) {
        return operations.containsKey(key(user, server));
    }

    /**
     * Sends the user's current SSH public keys to each of their running workspaces, so that an added or removed key
     * takes effect without a restart. A workspace that cannot take them is logged and skipped; it gets the keys at
     * its next start.
     */
    public void updateSshKeys(UserRecord user) {
        List<String> keys = store.sshKeys().list(user.id()).stream().map(SshKeyRecord::publicKey).toList();
        for (ServerRecord server : store.servers().listForUsers(List.of(user.id()))) {
            if (server.state() != ServerState.RUNNING) {
                continue;
            }
            WorkspaceRef ref = new WorkspaceRef(config.hubName(), user.name(), server.name());
            try {
                spawner.updateSshKeys(ref, keys);
                logger.debug("ssh keys updated user={} server={} keys={}", user.name(), server.name(), keys.size());
            } catch (SpawnException | RuntimeException e) {
                logger.warn("ssh keys not updated, the workspace gets them at its next start user={} server={} "
                        + "error={}", user.name(), server.name(), e.getMessage());
            }
        }
    }

    /** Records a workspace the engine runs as running, with its current addresses, and publishes its route. */
    public void adopt(UserRecord user, ServerRecord record, WorkspaceStatus status) {
        if (status.httpTarget() == null) {
            logger.warn("running workspace reports no web address, not adopted user={} server={}", user.name(),
                    record.name());
            return;
        }
        store.servers().updateAddresses(record.id(), status.engineId(), status.httpTarget().toString(),
                hostPort(status.sshAddress()));
        routes.put(prefix(user.name(), record.name()), status.httpTarget(), user.name(), record.name());
        if (record.state() != ServerState.RUNNING) {
            logger.info("running workspace adopted user={} server={} engineId={}", user.name(), record.name(),
                    status.engineId());
        }
    }

    /** Records that a server's workspace no longer runs: its route, credentials and addresses go. */
    public void markGone(UserRecord user, ServerRecord record) {
        routes.remove(prefix(user.name(), record.name()));
        oauth.removeClient(user.name(), record.name());
        store.tokens().deleteServerTokens(user.id(), record.name());
        credentials.invalidate(user.name());
        store.servers().setState(record.id(), ServerState.STOPPED);
    }

    /** Forgets a server whose workspace was deleted behind the API, such as by the cleanup of expired servers. */
    public void forget(UserRecord user, ServerRecord record) {
        markGone(user, record);
        store.servers().delete(record.id());
        progress.remove(key(user.name(), record.name()));
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
