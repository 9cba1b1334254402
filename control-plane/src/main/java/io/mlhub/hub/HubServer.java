package io.mlhub.hub;

import static java.util.Objects.requireNonNull;

import io.mlhub.hub.api.HubApi;
import io.mlhub.hub.api.JsonErrorHandler;
import io.mlhub.hub.auth.AccountService;
import io.mlhub.hub.auth.CredentialService;
import io.mlhub.hub.auth.DynamicWhitelist;
import io.mlhub.hub.auth.HubCredentials;
import io.mlhub.hub.auth.PasswordHasher;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.oauth.OAuthProvider;
import io.mlhub.hub.route.RoutePublisher;
import io.mlhub.hub.server.OptionsValidator;
import io.mlhub.hub.server.ServerService;
import io.mlhub.hub.server.SpawnerOptionsValidator;
import io.mlhub.hub.server.StoreServerRegistry;
import io.mlhub.hub.spawn.SpawnException;
import io.mlhub.hub.spawn.Spawner;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.lifecycle.CleanupService;
import io.mlhub.hub.spawn.lifecycle.IdleCuller;
import io.mlhub.hub.spawn.lifecycle.Reconciler;
import io.mlhub.hub.ssh.HubSshDirectory;
import io.mlhub.hub.store.Database;
import io.mlhub.hub.store.HubStore;
import io.mlhub.hub.store.ServerRecord;
import io.mlhub.hub.store.ServerState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.glassfish.jersey.servlet.ServletContainer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane as one object: database, services and the Jetty server of the hub API and pages. Jetty binds
 * to loopback only, because the proxy fronts it on the public port. On start the hub reconciles its store with the
 * engine (adopting running workspaces, marking vanished ones stopped, removing orphans), follows the engine's
 * workspace events where the spawner offers them, and reconciles again every {@link #RECONCILE_INTERVAL}; it runs the cleanup service every {@code CLEANUP_INTERVAL_SECONDS} and, with
 * {@code idleTimeoutSeconds} set, stops idle servers.
 *
 * <pre>{@code
 * HubServer hub = HubServer.builder(config)
 *         .spawner(Spawners.create(config, yamlFile))
 *         .routes(publisher)
 *         .sshInfo(SshInfo.of(publicHost, publicPort, hostKeyLines, "root"))
 *         .activitySource(proxyActivity)
 *         .build();
 * int port = hub.start();
 * HubSshDirectory ssh = hub.sshDirectory();
 * ...
 * hub.stop();
 * }</pre>
 */
public final class HubServer {
    /**
     * How often the hub compares its store with the engine after the first reconcile at start, unless the builder
     * sets another interval. Engine events notice most changes sooner; this is the safety net.
     */
    public static final Duration RECONCILE_INTERVAL = Duration.ofSeconds(60);

    private static final Logger logger = LoggerFactory.getLogger(HubServer.class);

    private final HubConfig config;
    private final Spawner spawner;
    private final RoutePublisher routes;
    private final OptionsValidator validator;
    private final String host;
    private final String connectHost;
    private final int requestedPort;
    private final @Nullable SshInfo sshInfo;
    private final IdleCuller.ActivitySource activitySource;
    private final Clock clock;
    private final Duration reconcileInterval;
    private final @Nullable CompletableFuture<Database> openingDatabase;

    private @Nullable Database database;
    private @Nullable Server jetty;
    private @Nullable ServerService servers;
    private @Nullable HubCredentials hubCredentials;
    private @Nullable HubStore store;
    private @Nullable ScheduledExecutorService housekeeping;
    private @Nullable Reconciler reconciler;
    private @Nullable CleanupService cleanup;
    private @Nullable IdleCuller idleCuller;
    private @Nullable HubSshDirectory sshDirectory;
    private volatile int port;

    private HubServer(Builder builder) {
        this.config = builder.config;
        this.spawner = requireNonNull(builder.spawner, "spawner");
        this.routes = builder.routes;
        this.validator = builder.validator != null ? builder.validator : SpawnerOptionsValidator.from(config);
        this.host = builder.host;
        this.connectHost = builder.connectHost != null ? builder.connectHost : builder.host;
        this.requestedPort = builder.port;
        this.sshInfo = builder.sshInfo;
        this.activitySource = builder.activitySource;
        this.clock = builder.clock;
        this.reconcileInterval = builder.reconcileInterval;
        this.openingDatabase = builder.database;
    }

    /**
     * Opens and migrates the database of {@code config} on a thread of its own, so that a caller can start other
     * parts meanwhile and hand the result to {@link Builder#database}.
     */
    public static CompletableFuture<Database> openDatabaseAsync(HubConfig config) {
        requireNonNull(config, "config");
        CompletableFuture<Database> opening = new CompletableFuture<>();
        Thread.ofPlatform().name("hub-db-open").daemon().start(() -> {
            try {
                opening.complete(Database.open(config.database()));
            } catch (RuntimeException | Error e) {
                opening.completeExceptionally(e);
            }
        });
        return opening;
    }

    public static Builder builder(HubConfig config) {
        return new Builder(config);
    }

    /**
     * Opens the database, starts the API and pushes the route of every running server to the proxy.
     *
     * @return the port Jetty listens on
     */
    public synchronized int start() throws Exception {
        Database db = openingDatabase != null ? awaitDatabase(openingDatabase) : Database.open(config.database());
        database = db;
        HubStore hubStore = HubStore.over(db);
        store = hubStore;
        CredentialService credentials = new CredentialService(hubStore, config.sessionMaxAge());
        hubCredentials = new HubCredentials(credentials);
        AccountService accounts = new AccountService(config, hubStore, new PasswordHasher(),
                new DynamicWhitelist(config.dynamicWhitelistEnabled(), config.whitelistPath()));
        OAuthProvider oauth = new OAuthProvider(hubStore, credentials);
        ServerService serverService = new ServerService(config, hubStore, credentials, oauth, spawner, routes,
                validator, this::hubApiUrl);
        servers = serverService;
        StoreServerRegistry registry = new StoreServerRegistry(config, hubStore, serverService);
        CleanupService cleanupService = new CleanupService(spawner, registry, clock, false);
        cleanup = cleanupService;
        sshDirectory = new HubSshDirectory(hubStore, clock);

        Server server = new Server(threadPool());
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(requestedPort);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        String base = config.baseUrl();
        context.setContextPath(base.equals("/") ? "/" : base.substring(0, base.length() - 1));
        context.addServlet(new ServletHolder(new ServletContainer(
                HubApi.application(config, hubStore, credentials, accounts, serverService, oauth, sshInfo,
                        cleanupService))), "/*");
        server.setHandler(context);
        server.setErrorHandler(new JsonErrorHandler());
        server.start();
        jetty = server;
        port = connector.getLocalPort();

        serverService.recoverInterrupted();
        Reconciler reconcile = new Reconciler(spawner, registry, true);
        reconciler = reconcile;
        reconcileAtStart(reconcile);
        serverService.publishAllRoutes();
        reconcile.watchEngine();
        reconcile.startPeriodic(reconcileInterval);
        cleanupService.startPeriodic(Duration.ofSeconds(config.cleanupIntervalSeconds()));
        startIdleCuller(registry, serverService, hubStore);
        startHousekeeping(hubStore);
        logger.info("hub started address={}:{} baseUrl={} engine={} hubName={}", host, port, base,
                spawner.engine(), config.hubName());
        return port;
    }

    /** Stops Jetty and closes the database; running workspaces keep running. */
    public synchronized void stop() throws Exception {
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
        if (idleCuller != null) {
            idleCuller.close();
        }
        if (reconciler != null) {
            reconciler.close();
        }
        if (cleanup != null) {
            cleanup.close();
        }
        if (jetty != null) {
            jetty.stop();
        }
        if (servers != null) {
            servers.close();
        }
        if (database != null) {
            database.close();
        }
        logger.info("hub stopped port={}", port);
    }

    /** Returns the IP address Jetty listens on. */
    public String host() {
        return host;
    }

    /** Returns the port Jetty listens on, once started. */
    public int port() {
        return port;
    }

    /** Returns the credential resolver for the proxy, once started. */
    public HubCredentials credentials() {
        return requireNonNull(hubCredentials, "hub not started");
    }

    /** Returns the stores, once started, for other parts of the appliance such as sshmux. */
    public HubStore store() {
        return requireNonNull(store, "hub not started");
    }

    /** Returns the SSH service's view of users, keys and workspace addresses, once started. */
    public HubSshDirectory sshDirectory() {
        return requireNonNull(sshDirectory, "hub not started");
    }

    /** Returns the cleanup service, once started, to run a cleanup now. */
    public CleanupService cleanup() {
        return requireNonNull(cleanup, "hub not started");
    }

    /** Returns the reconciler, once started, to compare the store with the engine now. */
    public Reconciler reconciler() {
        return requireNonNull(reconciler, "hub not started");
    }

    /** Returns the idle culler, once started, or {@code null} when {@code idleTimeoutSeconds} is 0. */
    public @Nullable IdleCuller idleCuller() {
        return idleCuller;
    }

    /** Returns the spawner the hub was built with. */
    public Spawner spawner() {
        return spawner;
    }

    private static Database awaitDatabase(CompletableFuture<Database> opening) throws Exception {
        try {
            return opening.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private void reconcileAtStart(Reconciler reconcile) {
        try {
            Reconciler.Report report = reconcile.reconcile();
            logger.info("reconciled with the engine running={} markedStopped={} orphans={}", report.running().size(),
                    report.markedStopped().size(), report.orphans().size());
        } catch (SpawnException | RuntimeException e) {
            logger.warn("reconcile at start failed, the periodic reconcile tries again error={}", e.getMessage());
        }
    }

    private void startIdleCuller(StoreServerRegistry registry, ServerService serverService, HubStore hubStore) {
        if (config.idleTimeoutSeconds() <= 0) {
            return;
        }
        Duration timeout = Duration.ofSeconds(config.idleTimeoutSeconds());
        IdleCuller culler = new IdleCuller(registry, () -> lastActivity(hubStore), ref -> {
            hubStore.users().find(ref.user()).ifPresent(user -> serverService.stop(user, ref.server(), false));
        }, timeout, 8, clock);
        Duration interval = timeout.dividedBy(4);
        culler.startPeriodic(interval.compareTo(Duration.ofSeconds(60)) > 0 ? Duration.ofSeconds(60)
                : interval.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : interval);
        idleCuller = culler;
        logger.info("idle culling on timeout={}", timeout);
    }

    /**
     * Returns the latest activity of each running server: the later of what the proxy reports through the activity
     * source and what the store contains from the workspaces' own activity reports.
     */
    private Map<WorkspaceRef, Instant> lastActivity(HubStore hubStore) {
        Map<WorkspaceRef, Instant> latest = new HashMap<>();
        Map<Long, String> names = hubStore.users().namesOfServerOwners();
        for (ServerRecord server : hubStore.servers().listInState(ServerState.RUNNING)) {
            String user = names.get(server.userId());
            if (user != null && server.lastActivity() != null) {
                latest.put(new WorkspaceRef(config.hubName(), user, server.name()), server.lastActivity());
            }
        }
        activitySource.lastActivity().forEach((ref, at) -> latest.merge(ref, at, (a, b) -> a.isAfter(b) ? a : b));
        return latest;
    }

    private String hubApiUrl() {
        String hostPart = connectHost.indexOf(':') >= 0 ? "[" + connectHost + "]" : connectHost;
        String origin = config.hubConnectUrl() != null ? stripSlash(config.hubConnectUrl())
                : "http://" + hostPart + ":" + port;
        return origin + config.hubPrefix() + "api";
    }

    private void startHousekeeping(HubStore hubStore) {
        housekeeping = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("hub-housekeeping")
                .factory());
        housekeeping.scheduleWithFixedDelay(() -> {
            try {
                Instant now = Instant.now();
                int tokens = hubStore.tokens().purgeExpired(now);
                int codes = hubStore.oauth().purgeExpiredCodes(now);
                logger.debug("purged expired credentials tokens={} codes={}", tokens, codes);
            } catch (RuntimeException e) {
                logger.warn("purging expired credentials failed", e);
            }
        }, 1, 10, TimeUnit.MINUTES);
    }

    private static QueuedThreadPool threadPool() {
        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setName("hub-http");
        pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        return pool;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** Collects what the hub needs: the configuration, a spawner and where to publish routes. */
    public static final class Builder {
        private final HubConfig config;
        private @Nullable Spawner spawner;
        private RoutePublisher routes = RoutePublisher.NONE;
        private @Nullable OptionsValidator validator;
        private String host = "127.0.0.1";
        private @Nullable String connectHost;
        private int port;
        private @Nullable SshInfo sshInfo;
        private IdleCuller.ActivitySource activitySource = Map::of;
        private Clock clock = Clock.systemUTC();
        private Duration reconcileInterval = RECONCILE_INTERVAL;
        private @Nullable CompletableFuture<Database> database;

        private Builder(HubConfig config) {
            this.config = requireNonNull(config, "config");
        }

        public Builder spawner(Spawner value) {
            this.spawner = requireNonNull(value, "spawner");
            return this;
        }

        public Builder routes(RoutePublisher value) {
            this.routes = requireNonNull(value, "routes");
            return this;
        }

        /**
         * Sets the public SSH service that the SSH page and the {@code ssh-access} endpoint describe; without it the
         * pages show that SSH is off.
         */
        public Builder sshInfo(SshInfo value) {
            this.sshInfo = requireNonNull(value, "sshInfo");
            return this;
        }

        /**
         * Sets where the idle culler reads the proxy's last activity per workspace; the workspaces' own activity
         * reports in the store count too. Without it, only those reports count.
         */
        public Builder activitySource(IdleCuller.ActivitySource value) {
            this.activitySource = requireNonNull(value, "activitySource");
            return this;
        }

        /**
         * Sets the database being opened by {@link #openDatabaseAsync}; without it, {@link #start} opens the
         * configured one. The hub closes it when it stops.
         */
        public Builder database(CompletableFuture<Database> value) {
            this.database = requireNonNull(value, "database");
            return this;
        }

        /** Sets the clock of expiry, lock-out checks over SSH and idle culling; tests move it forward. */
        public Builder clock(Clock value) {
            this.clock = requireNonNull(value, "clock");
            return this;
        }

        /** Sets how often the hub reconciles with the engine on a timer, {@link #RECONCILE_INTERVAL} by default. */
        public Builder reconcileInterval(Duration value) {
            requireNonNull(value, "reconcileInterval");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("reconcileInterval: " + value + " (expected: > 0)");
            }
            this.reconcileInterval = value;
            return this;
        }

        /**
         * Sets the validator of {@code user_options}; without one, the spawners' options parser checks them against
         * the configured images and limits.
         */
        public Builder optionsValidator(OptionsValidator value) {
            this.validator = requireNonNull(value, "validator");
            return this;
        }

        /**
         * Sets the IP address the API listens on, {@code 127.0.0.1} by default. Without {@code hubConnectUrl} and
         * {@link #connectHost}, workspaces reach the hub at this address, so a hub on the host of Docker workspaces
         * listens on an address that containers reach, such as the Docker bridge's. The wildcard addresses
         * {@code 0.0.0.0} and {@code ::} need a {@link #connectHost}.
         */
        public Builder host(String value) {
            requireNonNull(value, "host");
            if (value.isBlank()) {
                throw new IllegalArgumentException("host: '' (expected: one IP address)");
            }
            this.host = value;
            return this;
        }

        /**
         * Sets the host name or address workspaces use to reach the API when it differs from {@link #host}, such
         * as the hub container's name on the users' Docker networks. {@code hubConnectUrl} takes precedence.
         */
        public Builder connectHost(String value) {
            requireNonNull(value, "connectHost");
            if (value.isBlank()) {
                throw new IllegalArgumentException("connectHost: '' (expected: a host name or IP address)");
            }
            this.connectHost = value;
            return this;
        }

        /** Sets the loopback port; {@code 0}, the default, picks a free one. */
        public Builder port(int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException("port: " + value + " (expected: 0 to 65535)");
            }
            this.port = value;
            return this;
        }

        public HubServer build() {
            boolean wildcard = host.equals("0.0.0.0") || host.equals("::");
            if (wildcard && connectHost == null && config.hubConnectUrl() == null) {
                throw new IllegalArgumentException("host: '" + host + "' (expected: one IP address, or set "
                        + "connectHost or hubConnectUrl so that workspaces know where to reach the hub)");
            }
            return new HubServer(this);
        }
    }
}
