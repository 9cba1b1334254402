package io.mlhub.appliance;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlhub.hub.HubServer;
import io.mlhub.hub.SshInfo;
import io.mlhub.hub.config.ConfigException;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.route.ChpRoutePublisher;
import io.mlhub.hub.route.RoutePublisher;
import io.mlhub.hub.spawn.Spawner;
import io.mlhub.hub.spawn.docker.DockerSpawner;
import io.mlhub.hub.store.Database;
import io.mlhub.proxy.chp.ChpApiServer;
import io.mlhub.proxy.http.HttpProxy;
import io.mlhub.proxy.http.HttpProxyConfig;
import io.mlhub.proxy.metrics.ProxyMetrics;
import io.mlhub.proxy.route.PathRouteTable;
import io.mlhub.proxy.route.Route;
import io.mlhub.proxy.route.RouteKeys;
import io.mlhub.proxy.server.ProxyServer;
import io.mlhub.proxy.sniff.SniffConfig;
import io.mlhub.proxy.ssh.SshAcceptor;
import io.mlhub.proxy.tls.ServerTlsContext;
import io.mlhub.proxy.tls.TlsConfig;
import io.mlhub.sshmux.HostKey;
import io.mlhub.sshmux.SshMux;
import io.mlhub.sshmux.SshMuxConfig;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of the hub in one process: the public port (proxy engine), the SSH jump host behind it, the control
 * plane and, when asked, configurable-http-proxy's route API. The public port starts first and returns 503
 * until the control plane is ready, so clients never see a refused connection during start-up.
 */
final class Appliance implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(Appliance.class);
    /** The system property that moves the hub's clock, for tests of expiry and idle culling. */
    static final String CLOCK_OFFSET_PROPERTY = "mlhub.clockOffset";
    private static final String DOCKER_BRIDGE = "docker0";

    private final List<AutoCloseable> started = new ArrayList<>();
    private @Nullable ProxyServer proxy;
    private @Nullable HubServer hub;
    private @Nullable ChpApiServer routeApi;
    private @Nullable SshMux sshMux;

    private Appliance() {}

    /**
     * Starts every part that {@code settings} switches on.
     *
     * @param spawners creates the spawner for the control plane; called only when the control plane runs
     */
    static Appliance start(HubConfig hubConfig, ApplianceSettings settings, SpawnerFactory spawners)
            throws Exception {
        Appliance appliance = new Appliance();
        try {
            appliance.startParts(hubConfig, settings, spawners);
            return appliance;
        } catch (Exception | Error e) {
            appliance.close();
            throw e;
        }
    }

    private void startParts(HubConfig hubConfig, ApplianceSettings settings, SpawnerFactory spawners)
            throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PathRouteTable routes = new PathRouteTable();
        HubCredentialResolver credentials = new HubCredentialResolver();
        HubSshAuthority sshAuthority = new HubSshAuthority();
        // The database opens and migrates while the public port, SSH and the spawner start.
        CompletableFuture<Database> database = null;
        if (settings.startHub()) {
            CompletableFuture<Database> opening = HubServer.openDatabaseAsync(hubConfig);
            started.add(() -> opening.thenAccept(Database::close));
            database = opening;
        }

        HttpProxy httpProxy = null;
        if (settings.startProxy()) {
            httpProxy = HttpProxy.builder(routes)
                    .config(proxyConfig(hubConfig, settings))
                    .credentialResolver(credentials)
                    .meterRegistry(registry)
                    .build();
            started.add(httpProxy);
            // SSH starts once the public port is bound, so its help text and config show the real port even when
            // the system chose it. Until then SSH clients are rejected.
            DeferredSshAcceptor sshAcceptor = settings.startSsh() ? new DeferredSshAcceptor() : null;
            proxy = startProxy(hubConfig, settings, httpProxy, sshAcceptor, registry);
            if (sshAcceptor != null) {
                sshAcceptor.delegateTo(startSsh(hubConfig, settings, sshAuthority, proxy.localAddress().getPort()));
            }
        }
        if (settings.startChp()) {
            routeApi = ChpApiServer.builder(new InetSocketAddress(settings.apiHost(), settings.apiPort()), routes)
                    .authToken(routeApiToken(settings))
                    .prometheus(registry)
                    .ownersFromData(true)
                    .build()
                    .start();
            started.add(routeApi);
            logger.info("route api started address={}", routeApi.localAddress());
        }
        if (settings.startHub()) {
            RoutePublisher publisher = httpProxy != null
                    ? new InProcessRoutes(routes)
                    : new ChpRoutePublisher(settings.proxyApiUrl(), routeApiToken(settings));
            hub = startHub(hubConfig, settings, spawners, publisher, routes, database);
            if (httpProxy != null) {
                String hubHost = hubHost(hub.host());
                routes.put(new Route(RouteKeys.canonical(hubConfig.baseUrl()),
                        URI.create("http://" + hubHost + ":" + hub.port()), null, null, Map.of()));
                credentials.connect(hub.credentials());
                var cache = httpProxy.credentialCache();
                if (cache != null) {
                    hub.credentials().addListener(cache::invalidateUser);
                }
            }
            sshAuthority.connect(hub, workspaceUser(settings, hub.spawner()));
        }
        if (proxy != null) {
            proxy.setReady(true);
            logger.info("hub ready url={}", publicUrl(hubConfig, settings, proxy.localAddress().getPort()));
        }
    }

    private SshAcceptor startSsh(HubConfig hubConfig, ApplianceSettings settings, HubSshAuthority authority,
            int boundPort) {
        int publicPort = settings.sshPublicPort() != 0 ? settings.sshPublicPort() : boundPort;
        SshMuxConfig config = SshMuxConfig.builder(hubConfig.dataDir().resolve("ssh"))
                .publicAddress(settings.sshPublicHost(), publicPort)
                .build();
        SshMux mux = SshMux.start(config, authority);
        started.add(mux);
        sshMux = mux;
        return mux.acceptor();
    }

    private ProxyServer startProxy(HubConfig hubConfig, ApplianceSettings settings, HttpProxy httpProxy,
            @Nullable SshAcceptor sshAcceptor, PrometheusMeterRegistry registry) throws Exception {
        ServerTlsContext tls = null;
        if (hubConfig.sslEnabled()) {
            TlsConfig tlsConfig = settings.sslCertFile() != null
                    ? TlsConfig.fromFiles(settings.sslCertFile(), settings.sslKeyFile(), hubConfig.dataDir())
                    : TlsConfig.selfSigned(hubConfig.dataDir()).withHostNames(settings.tlsHostNames());
            tls = ServerTlsContext.create(tlsConfig);
            started.add(tls);
        }
        ProxyServer.Builder builder = ProxyServer.builder(new InetSocketAddress(settings.bindHost(), settings.port()),
                        httpProxy)
                .tls(tls)
                .sniff(SniffConfig.defaults().withProxyProtocol(settings.proxyProtocol()))
                .metrics(new ProxyMetrics(registry))
                .initiallyReady(!settings.startHub())
                .retryAfter(Duration.ofSeconds(2))
                .drainTimeout(Duration.ofSeconds(10));
        if (sshAcceptor != null) {
            builder.sshAcceptor(sshAcceptor);
        }
        ProxyServer server = builder.build().start();
        started.add(server);
        logger.info("proxy started address={} tls={} ssh={}", server.localAddress(), tls != null,
                sshAcceptor != null);
        return server;
    }

    private HubServer startHub(HubConfig hubConfig, ApplianceSettings settings, SpawnerFactory spawners,
            RoutePublisher publisher, PathRouteTable routes, CompletableFuture<Database> database) throws Exception {
        Spawner spawner = spawners.create(hubConfig);
        if (spawner instanceof AutoCloseable closeable) {
            started.add(closeable);
        }
        HubServer.Builder builder = HubServer.builder(hubConfig).spawner(spawner).routes(publisher)
                .database(database);
        apiAddress(hubConfig, spawner, builder);
        ApiPortFile portFile = new ApiPortFile(hubConfig.dataDir());
        builder.port(portFile.preferredPort());
        if (proxy != null) {
            builder.activitySource(new RouteActivity(routes, hubConfig.hubName()));
        }
        if (sshMux != null && proxy != null) {
            int boundPort = proxy.localAddress().getPort();
            builder.sshInfo(sshInfo(settings, sshMux, boundPort, workspaceUser(settings, spawner)));
        }
        Duration clockOffset = clockOffset();
        if (!clockOffset.isZero()) {
            builder.clock(Clock.offset(Clock.systemUTC(), clockOffset));
            logger.warn("hub clock moved for testing offset={} property={}", clockOffset, CLOCK_OFFSET_PROPERTY);
        }
        HubServer server = builder.build();
        server.start();
        started.add(server::stop);
        portFile.remember(server.port());
        logger.info("hub api started address={}:{} engine={}", server.host(), server.port(), spawner.engine());
        return server;
    }

    /** Returns how the proxy in this process reaches the hub API listening on {@code host}. */
    private static String hubHost(String host) {
        if (host.equals("0.0.0.0") || host.equals("::")) {
            return "127.0.0.1";
        }
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    private static SshInfo sshInfo(ApplianceSettings settings, SshMux mux, int boundPort, String workspaceUser) {
        int port = settings.sshPublicPort() != 0 ? settings.sshPublicPort() : boundPort;
        List<String> hostKeys = mux.hostKeys().stream().map(HostKey::publicKey).toList();
        return SshInfo.of(settings.sshPublicHost(), port, hostKeys, workspaceUser);
    }

    /**
     * Returns the login name inside workspaces: the configured one, else the hub's own OS user for workspace
     * processes (their sshd runs as that user), else root, as in the workspace images.
     */
    private static String workspaceUser(ApplianceSettings settings, Spawner spawner) {
        if (settings.sshWorkspaceUser() != null) {
            return settings.sshWorkspaceUser();
        }
        return spawner.engine().equals("process") ? System.getProperty("user.name") : "root";
    }

    /**
     * Sets where the hub API listens when Docker workspaces must reach it and {@code hubConnectUrl} is not set. A
     * hub in a container listens on every address of the container, because it joins each user's network with
     * another address, and workspaces reach it by the container's name. A hub on the host listens on the Docker
     * bridge's address ({@value #DOCKER_BRIDGE}), which every container reaches through its network's gateway,
     * because containers cannot reach the host's loopback. Otherwise the API stays on loopback.
     */
    private static void apiAddress(HubConfig hubConfig, Spawner spawner, HubServer.Builder builder)
            throws SocketException {
        if (!spawner.engine().equals("docker") || hubConfig.hubConnectUrl() != null) {
            return;
        }
        String hubContainer = spawner instanceof DockerSpawner docker ? docker.config().hubContainer() : null;
        if (hubContainer != null) {
            builder.host("0.0.0.0").connectHost(hubContainer);
            logger.info("hub api reachable by container name host={}", hubContainer);
            return;
        }
        NetworkInterface bridge = NetworkInterface.getByName(DOCKER_BRIDGE);
        if (bridge == null) {
            logger.warn("docker bridge not found, so workspaces may not reach the hub api; set hubConnectUrl "
                    + "interface={}", DOCKER_BRIDGE);
            return;
        }
        bridge.inetAddresses().filter(Inet4Address.class::isInstance).map(InetAddress::getHostAddress)
                .findFirst().ifPresent(builder::host);
    }

    /**
     * Returns the offset of the hub's clock from the system clock, from the system property
     * {@value #CLOCK_OFFSET_PROPERTY} (an ISO-8601 duration such as {@code P2D}); zero when it is unset. Tests use it
     * to let expiry and idle culling see a later time.
     */
    private static Duration clockOffset() {
        String text = System.getProperty(CLOCK_OFFSET_PROPERTY);
        if (text == null || text.isBlank()) {
            return Duration.ZERO;
        }
        try {
            return Duration.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new ConfigException("invalid setting " + CLOCK_OFFSET_PROPERTY + "=" + text
                    + " (expected: an ISO-8601 duration such as P2D)");
        }
    }

    private static HttpProxyConfig proxyConfig(HubConfig hubConfig, ApplianceSettings settings) {
        return HttpProxyConfig.builder()
                .baseUrl(hubConfig.baseUrl())
                .loginUrl(hubConfig.baseUrl() + "hub/login")
                .trustForwardedHeaders(settings.trustForwardedHeaders())
                .toolPorts(settings.toolPorts())
                .build();
    }

    private static String routeApiToken(ApplianceSettings settings) {
        if (settings.apiToken() != null) {
            return settings.apiToken();
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        logger.warn("CONFIGPROXY_AUTH_TOKEN is not set, so the route API uses a random token that nothing else knows");
        return HexFormat.of().formatHex(random);
    }

    private static String publicUrl(HubConfig hubConfig, ApplianceSettings settings, int port) {
        if (hubConfig.publicUrl() != null) {
            return hubConfig.publicUrl();
        }
        String host = settings.bindHost().equals("0.0.0.0") || settings.bindHost().equals("::")
                ? "localhost" : settings.bindHost();
        return (hubConfig.sslEnabled() ? "https://" : "http://") + host + ":" + port + hubConfig.baseUrl();
    }

    /** Returns the public port's address, or {@code null} when the proxy does not run here. */
    @Nullable InetSocketAddress publicAddress() {
        return proxy == null ? null : proxy.localAddress();
    }

    /** Returns the control plane, or {@code null} when it does not run here. */
    @Nullable HubServer hub() {
        return hub;
    }

    /** Returns the route API's address, or {@code null} when it does not run here. */
    @Nullable InetSocketAddress routeApiAddress() {
        return routeApi == null ? null : routeApi.localAddress();
    }

    /**
     * Stops every part in the reverse order of their start. The public port drains its connections first;
     * workspaces keep running, so a restarted hub adopts them.
     */
    @Override
    public synchronized void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                logger.warn("stopping a part failed part={} error={}", started.get(i).getClass().getSimpleName(),
                        e.toString());
            }
        }
        started.clear();
    }

    /** Creates the control plane's spawner for its configuration. */
    @FunctionalInterface
    interface SpawnerFactory {
        Spawner create(HubConfig config) throws Exception;
    }
}
