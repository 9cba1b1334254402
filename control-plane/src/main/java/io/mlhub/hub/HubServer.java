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
import io.mlhub.hub.server.ImageOptionsValidator;
import io.mlhub.hub.server.OptionsValidator;
import io.mlhub.hub.server.ServerService;
import io.mlhub.hub.spawn.Spawner;
import io.mlhub.hub.store.Database;
import io.mlhub.hub.store.HubStore;
import java.time.Instant;
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
 * to loopback only, because the proxy fronts it on the public port.
 *
 * <pre>{@code
 * HubServer hub = HubServer.builder(config).spawner(spawner).routes(publisher).build();
 * int port = hub.start();
 * ...
 * hub.stop();
 * }</pre>
 */
public final class HubServer {
    private static final Logger logger = LoggerFactory.getLogger(HubServer.class);

    private final HubConfig config;
    private final Spawner spawner;
    private final RoutePublisher routes;
    private final OptionsValidator validator;
    private final String host;
    private final int requestedPort;

    private @Nullable Database database;
    private @Nullable Server jetty;
    private @Nullable ServerService servers;
    private @Nullable HubCredentials hubCredentials;
    private @Nullable HubStore store;
    private @Nullable ScheduledExecutorService housekeeping;
    private volatile int port;

    private HubServer(Builder builder) {
        this.config = builder.config;
        this.spawner = requireNonNull(builder.spawner, "spawner");
        this.routes = builder.routes;
        this.validator = builder.validator != null ? builder.validator
                : new ImageOptionsValidator(config.workspaceImages());
        this.host = builder.host;
        this.requestedPort = builder.port;
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
        Database db = Database.open(config.database());
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

        Server server = new Server(threadPool());
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(requestedPort);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        String base = config.baseUrl();
        context.setContextPath(base.equals("/") ? "/" : base.substring(0, base.length() - 1));
        context.addServlet(new ServletHolder(new ServletContainer(
                HubApi.application(config, hubStore, credentials, accounts, serverService, oauth))), "/*");
        server.setHandler(context);
        server.setErrorHandler(new JsonErrorHandler());
        server.start();
        jetty = server;
        port = connector.getLocalPort();

        serverService.recoverInterrupted();
        serverService.publishAllRoutes();
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

    private String hubApiUrl() {
        String origin = config.hubConnectUrl() != null ? stripSlash(config.hubConnectUrl())
                : "http://127.0.0.1:" + port;
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
        private int port;

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

        /** Sets the validator of {@code user_options}; without one, only {@code image} is accepted. */
        public Builder optionsValidator(OptionsValidator value) {
            this.validator = requireNonNull(value, "validator");
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
            return new HubServer(this);
        }
    }
}
