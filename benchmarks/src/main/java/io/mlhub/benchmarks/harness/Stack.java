package io.mlhub.benchmarks.harness;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processes of one run: the backend, the anchors and the product, all on 127.0.0.1 and pinned to the
 * targets' core. {@link #close} stops every process it started, by PID, newest first.
 */
final class Stack implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(Stack.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** Core the servers run on; the harness and its load generators run on {@link #LOAD_CORE}. */
    static final int TARGET_CORE = 0;
    static final int LOAD_CORE = 1;

    private final Options options;
    private final Path dir;
    private final List<ManagedProcess> processes = new ArrayList<>();
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private final String chpToken = randomToken();
    private Path cert;
    private Path key;
    private int backendPort;

    Stack(Options options, Path dir) {
        this.options = options;
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Options options() {
        return options;
    }

    String chpToken() {
        return chpToken;
    }

    int backendPort() {
        return backendPort;
    }

    Path cert() {
        return cert;
    }

    Path key() {
        return key;
    }

    /** Starts the backend and every HTTP server. A server that cannot start is recorded as not running. */
    void startHttpServers() throws IOException, InterruptedException {
        writeCertificate();
        startBackend();
        startNginx();
        startHaproxy();
        startChp("chp", false);
        startChp("chp-tls", true);
        startSslh();
        startProduct("mlhub", false);
        startProduct("mlhub-tls", true);
    }

    /** Returns the server of that name, which may be one that is not running. */
    Endpoint endpoint(String name) {
        Endpoint endpoint = endpoints.get(name);
        if (endpoint == null) {
            throw new IllegalArgumentException("server: " + name + " (expected: one of " + endpoints.keySet() + ")");
        }
        return endpoint;
    }

    List<Endpoint> endpoints() {
        return List.copyOf(endpoints.values());
    }

    /** Starts a pinned process, which {@link #close} stops, and waits for its port. */
    ManagedProcess launch(String name, List<String> command, Map<String, String> environment, int port)
            throws IOException, InterruptedException {
        ManagedProcess process = launchUnwaited(name, command, environment);
        process.awaitPort(port, START_TIMEOUT);
        return process;
    }

    /** Starts a pinned process, which {@link #close} stops, without waiting for a port. */
    ManagedProcess launchUnwaited(String name, List<String> command, Map<String, String> environment)
            throws IOException {
        List<String> pinned = new ArrayList<>();
        if (ProcStat.machineCpus() > 1 && Files.isExecutable(Path.of("/usr/bin/taskset"))) {
            pinned.addAll(List.of("/usr/bin/taskset", "-c", Integer.toString(TARGET_CORE)));
        }
        pinned.addAll(command);
        ManagedProcess process = ManagedProcess.start(name, pinned, environment, dir);
        processes.add(process);
        return process;
    }

    /** Stops one process this stack started, before the rest. */
    void stop(ManagedProcess process) {
        process.close();
        processes.remove(process);
    }

    /** Returns the open-file limit the servers inherit, or 1,024 when it cannot be read. */
    static long fileLimit() {
        long limit = ProcStat.openFileLimit();
        return limit > 0 ? Math.min(limit, 1_000_000) : 1024;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static String randomToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private void writeCertificate() throws IOException, InterruptedException {
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key.toString(), "-out", cert.toString()));
        Files.writeString(dir.resolve("cert-and-key.pem"), Files.readString(cert) + Files.readString(key));
    }

    private void startBackend() throws IOException, InterruptedException {
        backendPort = freePort();
        String jar = Path.of(BackendServer.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        ManagedProcess backend = launch("backend", List.of(javaBinary(), "-Xms256m", "-Xmx1g",
                "--enable-native-access=ALL-UNNAMED", "-cp", jar, BackendServer.class.getName(),
                Integer.toString(backendPort)), Map.of(), backendPort);
        add(Endpoint.running("direct", uri("http", backendPort), true, List.of(backend)));
    }

    private void startNginx() throws InterruptedException {
        try {
            int plain = freePort();
            int tls = freePort();
            Path conf = dir.resolve("nginx.conf");
            Files.createDirectories(dir.resolve("nginx-body"));
            Files.createDirectories(dir.resolve("nginx-proxy"));
            Files.writeString(conf, AnchorConfigs.nginx(dir, plain, tls, backendPort, cert, key, fileLimit()));
            ManagedProcess nginx = launch("nginx", List.of("/usr/sbin/nginx", "-p", dir.toString(), "-c", conf.toString()),
                    Map.of(), plain);
            nginx.awaitPort(tls, START_TIMEOUT);
            add(Endpoint.running("nginx", uri("http", plain), true, List.of(nginx)));
            add(Endpoint.running("nginx-tls", uri("https", tls), true, List.of(nginx)));
        } catch (IOException e) {
            notRunning(e, "nginx", "nginx-tls");
        }
    }

    private void startHaproxy() throws InterruptedException {
        try {
            int plain = freePort();
            int tls = freePort();
            Path conf = dir.resolve("haproxy.cfg");
            Files.writeString(conf, AnchorConfigs.haproxy(plain, tls, backendPort, dir.resolve("cert-and-key.pem"),
                    fileLimit()));
            ManagedProcess haproxy = launch("haproxy", List.of("/usr/sbin/haproxy", "-db", "-f", conf.toString()),
                    Map.of(), plain);
            add(Endpoint.running("haproxy", uri("http", plain), true, List.of(haproxy)));
            add(Endpoint.running("haproxy-tls", uri("https", tls), true, List.of(haproxy)));
        } catch (IOException e) {
            notRunning(e, "haproxy", "haproxy-tls");
        }
    }

    /** Starts configurable-http-proxy 5.x with the flags JupyterHub passes, and the certificate with {@code tls}. */
    private void startChp(String name, boolean tls) throws InterruptedException {
        try {
            ChpLikeProxy proxy = startChpLike(name, chpCommand(), tls);
            add(Endpoint.running(name, uri(tls ? "https" : "http", proxy.port()), true, List.of(proxy.process())));
        } catch (IOException e) {
            notRunning(e, name);
        }
    }

    private void startSslh() throws InterruptedException {
        Endpoint nginxTls = endpoints.get("nginx-tls");
        if (nginxTls == null || !nginxTls.isRunning()) {
            add(Endpoint.notRunning("sslh+nginx-tls", "nginx did not start"));
            return;
        }
        try {
            int port = freePort();
            // sslh-fork, Debian's default flavour: one process per connection. SSH goes to a closed port,
            // because the HTTP measures only send TLS through it.
            ManagedProcess sslh = launch("sslh", List.of("/usr/sbin/sslh", "-f", "-n", "-u", "root", "-p", "127.0.0.1:" + port,
                    "--tls", "127.0.0.1:" + nginxTls.base().getPort(), "--ssh", "127.0.0.1:" + freePort()), Map.of(), port);
            add(Endpoint.running("sslh+nginx-tls", uri("https", port), false, List.of(sslh, nginxTls.processes().get(0))));
        } catch (IOException e) {
            notRunning(e, "sslh+nginx-tls");
        }
    }

    /**
     * Starts the product's CHP stand-in ({@code mlhub.jar proxy}, same flags as configurable-http-proxy);
     * records it as not running, with the reason, when the jar or its {@code proxy} command is not ready.
     */
    private void startProduct(String name, boolean tls) throws InterruptedException {
        String missing = productMissingReason();
        if (missing != null) {
            add(Endpoint.notRunning(name, missing));
            return;
        }
        try {
            ChpLikeProxy proxy = startChpLike(name, productCommand(), tls);
            add(Endpoint.running(name, uri(tls ? "https" : "http", proxy.port()), true, List.of(proxy.process())));
        } catch (IOException e) {
            notRunning(e, name);
        }
    }

    /** A started proxy that speaks configurable-http-proxy's flags and route API. */
    record ChpLikeProxy(ManagedProcess process, int port, int apiPort) {}

    /** Starts configurable-http-proxy or the product, with {@code --default-target} pointing at the backend. */
    ChpLikeProxy startChpLike(String name, List<String> command, boolean tls)
            throws IOException, InterruptedException {
        int port = freePort();
        int apiPort = freePort();
        List<String> full = new ArrayList<>(command);
        full.addAll(List.of("--ip", "127.0.0.1", "--port", Integer.toString(port), "--api-ip", "127.0.0.1",
                "--api-port", Integer.toString(apiPort), "--default-target", "http://127.0.0.1:" + backendPort,
                "--log-level", "warn"));
        if (tls) {
            full.addAll(List.of("--ssl-key", key.toString(), "--ssl-cert", cert.toString()));
        }
        ManagedProcess process = launch(name, full, Map.of("CONFIGPROXY_AUTH_TOKEN", chpToken), port);
        process.awaitPort(apiPort, START_TIMEOUT);
        return new ChpLikeProxy(process, port, apiPort);
    }

    List<String> chpCommand() {
        return List.of(options.chp().toString());
    }

    List<String> productCommand() {
        return List.of(options.productJava().toString(), "-Xms256m", "-Xmx1g", "--enable-native-access=ALL-UNNAMED",
                "-jar", options.productJar().toString(), "proxy");
    }

    /** Returns why the product cannot run, or {@code null} when {@code mlhub.jar proxy --help} succeeds. */
    String productMissingReason() throws InterruptedException {
        if (options.anchorsOnly()) {
            return "left out (--anchors-only)";
        }
        if (!Files.isRegularFile(options.productJar())) {
            return "product not built: " + options.productJar() + " is missing";
        }
        try {
            Commands.run(List.of(options.productJava().toString(), "-jar", options.productJar().toString(), "proxy",
                    "--help"), Duration.ofSeconds(60));
            return null;
        } catch (IOException e) {
            return "product not ready: " + e.getMessage().lines().findFirst().orElse("");
        }
    }

    private void add(Endpoint endpoint) {
        endpoints.put(endpoint.name(), endpoint);
        if (!endpoint.isRunning()) {
            logger.warn("server not running name={} reason={}", endpoint.name(), endpoint.notRunReason());
        }
    }

    private void notRunning(IOException e, String... names) {
        for (String name : names) {
            add(Endpoint.notRunning(name, "failed to start: " + e.getMessage().lines().findFirst().orElse("")));
        }
        logger.warn("start failed servers={} error={}", List.of(names), e.getMessage());
    }

    private static URI uri(String scheme, int port) {
        return URI.create(scheme + "://127.0.0.1:" + port);
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs a short command to completion, failing with its output when it exits non-zero. */
    static String run(List<String> command) throws IOException, InterruptedException {
        return Commands.run(command, Duration.ofSeconds(120));
    }

    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            try {
                processes.get(i).close();
            } catch (RuntimeException e) {
                logger.warn("stop failed name={} pid={} error={}", processes.get(i).name(), processes.get(i).pid(),
                        e.toString());
            }
        }
        processes.clear();
    }
}
