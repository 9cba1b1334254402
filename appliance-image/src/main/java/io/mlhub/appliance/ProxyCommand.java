package io.mlhub.appliance;

import ch.qos.logback.classic.Level;
import io.mlhub.proxy.chp.ChpApiServer;
import io.mlhub.proxy.http.HttpProxy;
import io.mlhub.proxy.http.HttpProxyConfig;
import io.mlhub.proxy.metrics.ProxyMetrics;
import io.mlhub.proxy.route.PathRouteTable;
import io.mlhub.proxy.route.Route;
import io.mlhub.proxy.route.RouteKeys;
import io.mlhub.proxy.server.ProxyServer;
import io.mlhub.proxy.sniff.SniffConfig;
import io.mlhub.proxy.tls.ServerTlsContext;
import io.mlhub.proxy.tls.TlsConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;
import sun.misc.Signal;

/**
 * {@code mlhub proxy}: the proxy engine alone, as a drop-in for configurable-http-proxy (CHP). It accepts
 * the flags JupyterHub passes to CHP, reads the API token from {@code CONFIGPROXY_AUTH_TOKEN}, serves the
 * public port and the route API, and exits with code 0 on SIGTERM or SIGINT.
 *
 * <p>Numbers and URLs are taken as text and checked here, so that a bad value prints one line instead of
 * picocli's usage text. CHP flags this engine does not implement are accepted with a warning.
 */
@Command(
        name = "proxy",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the proxy engine alone, as a drop-in for configurable-http-proxy.",
            "The route API token is read from the environment variable CONFIGPROXY_AUTH_TOKEN."
        },
        footer = {
            "",
            "Also accepted for compatibility with configurable-http-proxy, with no effect (a warning is logged):",
            "  --no-x-forward --no-prepend-path --no-include-prefix --auto-rewrite --change-origin --insecure",
            "  --protocol-rewrite --custom-header --storage-backend --redirect-port --redirect-to --error-path",
            "  --ssl-ca --ssl-protocol --ssl-ciphers --ssl-dhparam --ssl-allow-rc4 --ssl-request-cert",
            "  --ssl-reject-unauthorized --api-ssl-* --client-ssl-* --socket --api-socket --metrics-socket.",
            "Prometheus metrics are served at /metrics on the route API port, and on --metrics-port if set."
        })
final class ProxyCommand implements Callable<Integer> {
    private static final Logger logger = LoggerFactory.getLogger(ProxyCommand.class);

    private static final String TOKEN_VARIABLE = "CONFIGPROXY_AUTH_TOKEN";
    private static final int USAGE_ERROR = 2;
    private static final int START_ERROR = 1;

    /** CHP flags accepted for compatibility with no effect here, mapped to whether the flag takes a value. */
    private static final Map<String, Boolean> IGNORED_FLAGS = Map.ofEntries(
            Map.entry("--no-x-forward", false),
            Map.entry("--no-prepend-path", false),
            Map.entry("--no-include-prefix", false),
            Map.entry("--auto-rewrite", false),
            Map.entry("--change-origin", false),
            Map.entry("--insecure", false),
            Map.entry("--ssl-request-cert", false),
            Map.entry("--ssl-reject-unauthorized", false),
            Map.entry("--ssl-allow-rc4", false),
            Map.entry("--api-ssl-request-cert", false),
            Map.entry("--api-ssl-reject-unauthorized", false),
            Map.entry("--client-ssl-request-cert", false),
            Map.entry("--client-ssl-reject-unauthorized", false),
            Map.entry("--protocol-rewrite", true),
            Map.entry("--custom-header", true),
            Map.entry("--storage-backend", true),
            Map.entry("--redirect-port", true),
            Map.entry("--redirect-to", true),
            Map.entry("--error-path", true),
            Map.entry("--ssl-ca", true),
            Map.entry("--ssl-protocol", true),
            Map.entry("--ssl-ciphers", true),
            Map.entry("--ssl-dhparam", true),
            Map.entry("--api-ssl-key", true),
            Map.entry("--api-ssl-cert", true),
            Map.entry("--api-ssl-ca", true),
            Map.entry("--client-ssl-key", true),
            Map.entry("--client-ssl-cert", true),
            Map.entry("--client-ssl-ca", true),
            Map.entry("--socket", true),
            Map.entry("--api-socket", true),
            Map.entry("--metrics-socket", true));

    @Option(names = "--ip", defaultValue = "", paramLabel = "ADDRESS",
            description = "Address of the public port (default: all interfaces).")
    String ip;

    @Option(names = "--port", defaultValue = "8000", paramLabel = "PORT",
            description = "Public port (default: ${DEFAULT-VALUE}).")
    String port;

    @Option(names = "--api-ip", defaultValue = "localhost", paramLabel = "ADDRESS",
            description = "Address of the route API port (default: ${DEFAULT-VALUE}).")
    String apiIp;

    @Option(names = "--api-port", paramLabel = "PORT", description = "Route API port (default: public port + 1).")
    @Nullable String apiPort;

    @Option(names = "--default-target", paramLabel = "URL", description = "Adds the route / to URL at start.")
    @Nullable String defaultTarget;

    @Option(names = "--error-target", paramLabel = "URL",
            description = "URL of the error page server. Accepted, but proxy errors get plain-text responses for now.")
    @Nullable String errorTarget;

    @Option(names = "--ssl-key", paramLabel = "FILE", description = "PEM private key of the public port.")
    @Nullable Path sslKey;

    @Option(names = "--ssl-cert", paramLabel = "FILE", description = "PEM certificate (chain) of the public port.")
    @Nullable Path sslCert;

    @Option(names = "--tls-self-signed",
            description = "Serves TLS with a self-signed certificate kept in the data folder when no --ssl-cert is given.")
    boolean tlsSelfSigned;

    @Option(names = "--data-dir", defaultValue = "data", paramLabel = "DIR",
            description = "Folder for the self-signed certificate (default: ${DEFAULT-VALUE}).")
    Path dataDirectory;

    @Option(names = "--proxy-protocol",
            description = "Accepts a PROXY protocol v1/v2 header from a load balancer; only behind a trusted one.")
    boolean proxyProtocol;

    @Option(names = "--host-routing", description = "Matches the first segment of each route against the Host header.")
    boolean hostRouting;

    @Option(names = "--timeout", paramLabel = "MS",
            description = "Time a client may take to send a request head, in milliseconds.")
    @Nullable String timeout;

    @Option(names = "--keep-alive-timeout", paramLabel = "MS",
            description = "Time an idle client connection stays open between requests, in milliseconds.")
    @Nullable String keepAliveTimeout;

    @Option(names = "--proxy-timeout", paramLabel = "MS",
            description = "Time an upstream may stay silent during a request, in milliseconds.")
    @Nullable String proxyTimeout;

    @Option(names = "--metrics-ip", defaultValue = "", paramLabel = "ADDRESS",
            description = "Address of the metrics port (default: all interfaces).")
    String metricsIp;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serves /metrics on this port too (default: only on the route API port).")
    @Nullable String metricsPort;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Writes the process id to FILE while running.")
    @Nullable Path pidFile;

    @Option(names = "--log-level", defaultValue = "info", paramLabel = "LEVEL",
            description = "trace, debug, info, warn or error (default: ${DEFAULT-VALUE}).")
    String logLevel;

    @Unmatched
    List<String> unmatched = new ArrayList<>();

    private final CountDownLatch stopRequested = new CountDownLatch(1);

    @Override
    public Integer call() {
        ProxySettings settings;
        try {
            settings = settings();
        } catch (IllegalArgumentException e) {
            System.err.println("mlhub proxy: " + e.getMessage());
            return USAGE_ERROR;
        }

        setLogLevel(settings.logLevel());
        warnAboutIgnoredFlags();
        try {
            return run(settings);
        } catch (IOException e) {
            logger.error("proxy start failed: {}", e.getMessage());
            System.err.println("mlhub proxy: " + e.getMessage());
            return START_ERROR;
        }
    }

    private int run(ProxySettings settings) throws IOException {
        // Registered before anything starts, so that a SIGTERM during start-up also ends in a clean stop.
        Signal.handle(new Signal("TERM"), signal -> stopRequested.countDown());
        Signal.handle(new Signal("INT"), signal -> stopRequested.countDown());

        PathRouteTable routes = new PathRouteTable();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ProxyMetrics metrics = new ProxyMetrics(registry);
        metrics.monitorRoutes(routes);
        if (settings.defaultTarget() != null) {
            routes.put(new Route(RouteKeys.canonical("/"), settings.defaultTarget(), null, null, Map.of()));
        }

        String token = System.getenv(TOKEN_VARIABLE);
        List<AutoCloseable> started = new ArrayList<>();
        try {
            ServerTlsContext tls = startTls(settings, started);
            HttpProxy httpProxy = HttpProxy.builder(routes).config(httpConfig(settings)).meterRegistry(registry).build();
            started.add(httpProxy);
            ProxyServer server = ProxyServer.builder(settings.publicAddress(), httpProxy)
                    .tls(tls)
                    .metrics(metrics)
                    .sniff(SniffConfig.defaults().withProxyProtocol(settings.proxyProtocol()))
                    .build()
                    .start();
            started.add(server);
            ChpApiServer api = ChpApiServer.builder(settings.apiAddress(), routes)
                    .authToken(token)
                    .prometheus(registry)
                    .routeKeys(RouteKeys::canonicalFromDecoded)
                    .build()
                    .start();
            started.add(api);
            if (settings.metricsAddress() != null) {
                started.add(ChpApiServer.metricsOnly(settings.metricsAddress()).prometheus(registry).build().start());
            }
            writePidFile();

            logger.info("proxy ready public={} api={} default-target={}", server.localAddress(), api.localAddress(),
                    settings.defaultTarget());
            awaitStopSignal();
            logger.info("proxy stopping on signal");
            return 0;
        } finally {
            closeInReverse(started);
            deletePidFile();
        }
    }

    private @Nullable ServerTlsContext startTls(ProxySettings settings, List<AutoCloseable> started)
            throws IOException {
        TlsConfig config = null;
        if (settings.certificate() != null) {
            config = TlsConfig.fromFiles(settings.certificate(), settings.privateKey(), dataDirectory);
        } else if (tlsSelfSigned) {
            config = TlsConfig.selfSigned(dataDirectory);
        }
        if (config == null) {
            return null;
        }
        ServerTlsContext tls = ServerTlsContext.create(config);
        started.add(tls);
        return tls;
    }

    private HttpProxyConfig httpConfig(ProxySettings settings) {
        HttpProxyConfig.Builder config = HttpProxyConfig.builder().hostRouting(settings.hostRouting());
        if (settings.requestHeadTimeout() != null) {
            config.requestHeadTimeout(settings.requestHeadTimeout());
        }
        if (settings.upstreamIdleTimeout() != null) {
            config.upstreamIdleTimeout(settings.upstreamIdleTimeout());
        }
        return config.build();
    }

    /** Checks every flag and returns the settings, or throws with a one-line message naming the flag. */
    ProxySettings settings() {
        List<String> unknown = unknownFlags();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown option " + String.join(" ", unknown)
                    + " (see mlhub proxy --help)");
        }
        if ((sslKey == null) != (sslCert == null)) {
            throw new IllegalArgumentException("--ssl-key and --ssl-cert: set both or neither");
        }
        requireReadable("--ssl-key", sslKey);
        requireReadable("--ssl-cert", sslCert);
        if (errorTarget != null && unmatched.contains("--error-path")) {
            throw new IllegalArgumentException("--error-target and --error-path: set one, not both");
        }

        int publicPort = parsePort("--port", port);
        int routeApiPort = apiPort == null ? publicPort + 1 : parsePort("--api-port", apiPort);
        if (apiPort == null && publicPort == 65535) {
            throw new IllegalArgumentException("--port: 65535 leaves no port for the route API (set --api-port)");
        }
        InetSocketAddress metricsAddress = null;
        if (metricsPort != null) {
            int port = parsePort("--metrics-port", metricsPort);
            metricsAddress = metricsIp.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(metricsIp, port);
        }
        Duration headTimeout = keepAliveTimeout != null
                ? parseMillis("--keep-alive-timeout", keepAliveTimeout)
                : timeout != null ? parseMillis("--timeout", timeout) : null;
        return new ProxySettings(
                ip.isEmpty() ? new InetSocketAddress(publicPort) : new InetSocketAddress(ip, publicPort),
                new InetSocketAddress(apiIp, routeApiPort),
                metricsAddress,
                defaultTarget == null ? null : parseUrl("--default-target", defaultTarget),
                errorTarget == null ? null : parseUrl("--error-target", errorTarget),
                sslCert,
                sslKey,
                proxyProtocol,
                hostRouting,
                headTimeout,
                proxyTimeout == null ? null : parseMillis("--proxy-timeout", proxyTimeout),
                parseLevel(logLevel));
    }

    /** Returns the unmatched arguments that are not CHP flags (with their values) this command ignores. */
    private List<String> unknownFlags() {
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < unmatched.size(); i++) {
            String argument = unmatched.get(i);
            String name = argument.contains("=") ? argument.substring(0, argument.indexOf('=')) : argument;
            Boolean takesValue = IGNORED_FLAGS.get(name);
            if (takesValue == null) {
                unknown.add(argument);
            } else if (takesValue && !argument.contains("=")) {
                i++;
            }
        }
        return unknown;
    }

    private void warnAboutIgnoredFlags() {
        for (String argument : unmatched) {
            String name = argument.contains("=") ? argument.substring(0, argument.indexOf('=')) : argument;
            if (IGNORED_FLAGS.containsKey(name)) {
                logger.warn("option {} of configurable-http-proxy is accepted but has no effect here", name);
            }
        }
        if (errorTarget != null) {
            // TODO: fetch error pages from --error-target. Until then, proxy errors get short plain-text responses.
            logger.warn("option --error-target is accepted, but proxy errors get plain-text responses");
        }
    }

    private void awaitStopSignal() {
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writePidFile() throws IOException {
        if (pidFile != null) {
            Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
        }
    }

    private void deletePidFile() {
        if (pidFile == null) {
            return;
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            logger.warn("proxy could not delete pid file file={} error={}", pidFile, e.getMessage());
        }
    }

    private static void closeInReverse(List<AutoCloseable> started) {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                logger.warn("proxy stop step failed component={} error={}", started.get(i).getClass().getSimpleName(),
                        e.toString());
            }
        }
    }

    private static void setLogLevel(Level level) {
        var root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(level);
        // Netty's own DEBUG output is about its internals, not the proxy's traffic.
        var netty = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.netty");
        netty.setLevel(level.isGreaterOrEqual(Level.INFO) ? level : Level.INFO);
    }

    private static int parsePort(String flag, String value) {
        try {
            int number = Integer.parseInt(value.strip());
            if (number >= 0 && number <= 65535) {
                return number;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new IllegalArgumentException(flag + ": '" + value + "' (expected: a port number 0-65535)");
    }

    private static Duration parseMillis(String flag, String value) {
        try {
            long millis = Long.parseLong(value.strip());
            if (millis > 0) {
                return Duration.ofMillis(millis);
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new IllegalArgumentException(flag + ": '" + value + "' (expected: milliseconds > 0)");
    }

    private static URI parseUrl(String flag, String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // Reported below.
        }
        throw new IllegalArgumentException(flag + ": '" + value + "' (expected: an http:// or https:// URL)");
    }

    private static Level parseLevel(String value) {
        String name = value.strip().toUpperCase(Locale.ROOT);
        return switch (name) {
            case "TRACE", "DEBUG", "INFO", "WARN", "ERROR" -> Level.toLevel(name);
            default -> throw new IllegalArgumentException(
                    "--log-level: '" + value + "' (expected: trace, debug, info, warn or error)");
        };
    }

    private static void requireReadable(String flag, @Nullable Path file) {
        if (file != null && !Files.isReadable(file)) {
            throw new IllegalArgumentException(flag + ": '" + file + "' (expected: a readable file)");
        }
    }

    /** The checked command line. */
    record ProxySettings(
            InetSocketAddress publicAddress,
            InetSocketAddress apiAddress,
            @Nullable InetSocketAddress metricsAddress,
            @Nullable URI defaultTarget,
            @Nullable URI errorTarget,
            @Nullable Path certificate,
            @Nullable Path privateKey,
            boolean proxyProtocol,
            boolean hostRouting,
            @Nullable Duration requestHeadTimeout,
            @Nullable Duration upstreamIdleTimeout,
            Level logLevel) {}
}
