package io.mlhub.benchmarks.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hub measures on Debian's JupyterHub 3.0 (dummy authenticator, SQLite, an external configurable-http-proxy)
 * and on the product's hub ({@code mlhub.jar serve} started as {@code bin/start} starts it, embedded H2, process
 * spawner). For each it times start-up with an empty database, user creation through the REST API, one page of
 * the user list (50 users, the first page and a middle page, with the pagination {@code Accept} header) and a
 * restart with all users in the database. Requests go straight to each hub's own port: for JupyterHub the proxy
 * adds nothing, and the product serves the hub API on its single public port.
 *
 * <p>JupyterHub creates about 25 users per second through its API, so it gets the first users that way (which
 * times the creation) and the rest as the same rows written into its SQLite database while it is stopped. The
 * list pages are timed after the same warm-up requests on both hubs; the first request after the restart is
 * reported on its own.
 */
final class HubRuns {
    private static final Logger logger = LoggerFactory.getLogger(HubRuns.class);

    static final List<String> SERVERS = List.of("jupyterhub", "mlhub");
    private static final String PAGINATION = "application/jupyterhub-pagination+json";
    private static final int BATCH = 100;
    /** Time for creating users through JupyterHub's API; it gets the rest written into its database. */
    private static final Duration JUPYTERHUB_CREATE_TIME = Duration.ofSeconds(30);
    /** Upper bound on creating the product's users, all through its API. */
    private static final Duration CREATE_TIME_LIMIT = Duration.ofSeconds(300);
    /** Untimed list requests on each hub before the timed ones, so that neither is measured cold. */
    private static final int WARM_UP_REQUESTS = 1_000;
    /**
     * Writes users {@code u<from>} to {@code u<to - 1>} into a stopped JupyterHub's SQLite database with the rows
     * its {@code POST /hub/api/users} makes: the user (with a random cookie id), the {@code user} role and the
     * default spawner.
     */
    private static final String SEED_JUPYTERHUB = """
            import datetime, sqlite3, sys, uuid
            db, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            con = sqlite3.connect(db)
            role = con.execute("SELECT id FROM roles WHERE name = 'user'").fetchone()[0]
            now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
            with con:
                for i in range(start, end):
                    user = con.execute("INSERT INTO users (name, admin, created, cookie_id) VALUES (?, 0, ?, ?)",
                                       ("u%05d" % i, now, uuid.uuid4().hex)).lastrowid
                    con.execute("INSERT INTO user_role_map (user_id, role_id) VALUES (?, ?)", (user, role))
                    con.execute("INSERT INTO spawners (user_id, name) VALUES (?, '')", (user,))
            con.close()
            """;

    private final Stack stack;
    private final Report report;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String adminToken = Stack.randomToken();

    HubRuns(Stack stack, Report report) {
        this.stack = stack;
        this.report = report;
    }

    static void declare(Report report, int users) {
        String count = String.format("%,d", users);
        report.declare(new Measure("hub-start", "hub start-up, empty database, launch to `GET /hub/api/` 200", "s",
                false, null, null, null));
        report.declare(new Measure("hub-create", "user creation, `POST /hub/api/users` in batches of " + BATCH,
                "users/s", true, null, null, null));
        report.declare(new Measure("hub-list-first", "user list, first page of 50, " + count + " users", "ms", false,
                null, null, null));
        report.declare(new Measure("hub-list-middle", "user list, page of 50 at offset " + String.format("%,d", users / 2)
                + ", " + count + " users", "ms", false, null, null, null));
        report.declare(new Measure("hub-list-cold", "user list, first request after the restart, first page of 50, "
                + count + " users", "ms", false, null, null, null));
        report.declare(new Measure("hub-restart", "hub restart with " + count + " users, launch to `GET /hub/api/` 200",
                "s", false, null, null, null));
        for (String id : List.of("hub-start", "hub-list-first", "hub-list-middle", "hub-restart")) {
            report.goal(Goal.ratio(id, "mlhub", "jupyterhub", 0.2, "≥ 5× faster than JupyterHub 3.0"));
        }
    }

    void run(int repeats, int users, int requests) throws InterruptedException {
        List<String> ids = List.of("hub-start", "hub-create", "hub-list-cold", "hub-list-first", "hub-list-middle",
                "hub-restart");
        try {
            runJupyterHub(repeats, users, requests);
        } catch (IOException | RuntimeException e) {
            logger.warn("run failed scenario=hub server=jupyterhub error={}", e.getMessage());
            for (String id : ids) {
                report.note(id, "jupyterhub", "failed: " + HttpRuns.firstLine(e));
            }
        }
        if (stack.options().anchorsOnly()) {
            for (String id : ids) {
                report.note(id, "mlhub", "left out (--anchors-only)");
            }
            return;
        }
        if (!Files.isRegularFile(stack.options().productJar())) {
            for (String id : ids) {
                report.note(id, "mlhub", "not built: " + stack.options().productJar() + " is missing");
            }
            return;
        }
        try {
            runProduct(repeats, users, requests);
        } catch (IOException | RuntimeException e) {
            logger.warn("run failed scenario=hub server=mlhub error={}", e.getMessage());
            for (String id : ids) {
                report.note(id, "mlhub", "failed: " + HttpRuns.firstLine(e));
            }
        }
    }

    private void runJupyterHub(int repeats, int users, int requests) throws IOException, InterruptedException {
        Stack.ChpLikeProxy proxy = stack.startChpLike("chp-hub", stack.chpCommand(), false);
        int hubPort = Stack.freePort();
        URI hub = URI.create("http://127.0.0.1:" + hubPort);
        try {
            for (int i = 0; i < repeats; i++) {
                Path folder = Files.createDirectories(stack.dir().resolve("hub-fresh-" + i));
                ManagedProcess process = startHub(folder, proxy, hubPort);
                report.add("hub-start", "jupyterhub", ProductHub.awaitApi(client, hub, process, "jupyterhub"));
                stack.stop(process);
            }

            Path folder = Files.createDirectories(stack.dir().resolve("hub-users"));
            ManagedProcess process = startHub(folder, proxy, hubPort);
            ProductHub.awaitApi(client, hub, process, "jupyterhub");
            int created = createAll(hub, adminToken, users, "jupyterhub", JUPYTERHUB_CREATE_TIME);
            stack.stop(process);
            if (created < users) {
                seedJupyterHub(folder.resolve("jupyterhub.sqlite"), created, users);
            }

            for (int i = 0; i < repeats; i++) {
                process = startHub(folder, proxy, hubPort);
                report.add("hub-restart", "jupyterhub", ProductHub.awaitApi(client, hub, process, "jupyterhub"));
                timeListPages(hub, adminToken, users, requests, "jupyterhub");
                stack.stop(process);
            }
            logger.info("run scenario=hub server=jupyterhub users={} listFirstMs={}", users,
                    report.median("hub-list-first", "jupyterhub"));
        } finally {
            stack.stop(proxy.process());
        }
    }

    /**
     * Runs the same steps on the product's hub, with the embedded H2 database and the process spawner. The admin
     * token comes from the REST API (sign up, log in, create a token), as a person would get one.
     */
    private void runProduct(int repeats, int users, int requests) throws IOException, InterruptedException {
        int port = Stack.freePort();
        Map<String, String> environment = Map.of("EXECUTION_MODE", "process");
        // A first start and stop writes the class data sharing archive, as a user's first start does. The timed
        // starts are later ones, because JupyterHub's also run with Debian's compiled Python files.
        Path primeFolder = Files.createDirectories(stack.dir().resolve("mlhub-prime"));
        ProductHub prime = ProductHub.launch(stack, client, "mlhub-hub-prime", primeFolder, port, environment, null);
        prime.awaitApi();
        stack.stop(prime.process());
        for (int i = 0; i < repeats; i++) {
            Path folder = Files.createDirectories(stack.dir().resolve("mlhub-fresh-" + i));
            ProductHub hub = ProductHub.launch(stack, client, "mlhub-hub-fresh-" + i, folder, port, environment, null);
            report.add("hub-start", "mlhub", hub.awaitApi());
            stack.stop(hub.process());
        }

        Path folder = Files.createDirectories(stack.dir().resolve("mlhub-users"));
        ProductHub hub = ProductHub.launch(stack, client, "mlhub-hub-users", folder, port, environment, null);
        hub.awaitApi();
        String token = hub.adminToken();
        int created = createAll(hub.uri(), token, users, "mlhub", CREATE_TIME_LIMIT);
        stack.stop(hub.process());
        if (created < users) {
            throw new IOException(String.format("only %,d of %,d users were created within %d s", created, users,
                    CREATE_TIME_LIMIT.toSeconds()));
        }

        for (int i = 0; i < repeats; i++) {
            hub = ProductHub.launch(stack, client, "mlhub-hub-restart-" + i, folder, port, environment, null);
            report.add("hub-restart", "mlhub", hub.awaitApi());
            timeListPages(hub.uri(), token, users, requests, "mlhub");
            stack.stop(hub.process());
        }
        logger.info("run scenario=hub server=mlhub users={} listFirstMs={}", users,
                report.median("hub-list-first", "mlhub"));
    }

    /** Creates up to {@code users} users in batches within {@code limit}, records the rate and returns how many. */
    private int createAll(URI hub, String token, int users, String server, Duration limit)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        int created = 0;
        while (created < users && System.nanoTime() < deadline) {
            createUsers(hub, token, created, Math.min(users, created + BATCH));
            created = Math.min(users, created + BATCH);
        }
        report.add("hub-create", server, created / ((System.nanoTime() - start) / 1e9));
        if (created < users) {
            report.note("hub-create", server, String.format("the first %,d users; the rest were written into its "
                    + "database while it was stopped", created));
        }
        return created;
    }

    private ManagedProcess startHub(Path folder, Stack.ChpLikeProxy proxy, int hubPort)
            throws IOException, InterruptedException {
        Path config = folder.resolve("jupyterhub_config.py");
        Files.writeString(config, """
                c = get_config()  # noqa
                c.JupyterHub.ip = "127.0.0.1"
                c.JupyterHub.port = %d
                c.JupyterHub.hub_ip = "127.0.0.1"
                c.JupyterHub.hub_port = %d
                c.JupyterHub.db_url = "sqlite:///%s/jupyterhub.sqlite"
                c.JupyterHub.cookie_secret_file = "%s/cookie_secret"
                c.JupyterHub.pid_file = "%s/jupyterhub.pid"
                c.JupyterHub.authenticator_class = "dummy"
                c.JupyterHub.spawner_class = "simple"
                c.JupyterHub.cleanup_servers = True
                c.ConfigurableHTTPProxy.should_start = False
                c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:%d"
                c.ConfigurableHTTPProxy.auth_token = "%s"
                c.JupyterHub.services = [{"name": "bench", "api_token": "%s", "admin": True}]
                """.formatted(proxy.port(), hubPort, folder, folder, folder, proxy.apiPort(), stack.chpToken(),
                adminToken));
        // Debian's jupyterhub needs Debian's python3 first on PATH, not one from pyenv or a virtualenv.
        Map<String, String> environment = Map.of("PATH", "/usr/bin:/bin:/usr/sbin:/sbin",
                "CONFIGPROXY_AUTH_TOKEN", stack.chpToken());
        // Started without waiting for the port, because the start-up time is measured from launch.
        List<String> command = List.of("/usr/bin/jupyterhub", "-f", config.toString());
        return stack.launchUnwaited("jupyterhub-" + folder.getFileName(), command, environment);
    }

    private void createUsers(URI hub, String token, int from, int to) throws IOException, InterruptedException {
        String names = IntStream.range(from, to).mapToObj(i -> String.format("\"u%05d\"", i))
                .collect(Collectors.joining(","));
        HttpRequest request = HttpRequest.newBuilder(hub.resolve("/hub/api/users"))
                .header("Authorization", "token " + token)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("{\"usernames\":[" + names + "]}"))
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IOException("POST /hub/api/users returned " + response.statusCode() + ": " + response.body());
        }
    }

    /**
     * Times the first request after the restart, sends the same untimed warm-up requests to every hub, then times
     * {@code requests} requests of the first page and of the middle one.
     */
    private void timeListPages(URI hub, String token, int users, int requests, String server)
            throws IOException, InterruptedException {
        report.add("hub-list-cold", server, listPage(hub, token, 0));
        for (int i = 0; i < WARM_UP_REQUESTS; i++) {
            listPage(hub, token, i % 2 == 0 ? 0 : users / 2);
        }
        for (int i = 0; i < requests; i++) {
            report.add("hub-list-first", server, listPage(hub, token, 0));
        }
        for (int i = 0; i < requests; i++) {
            report.add("hub-list-middle", server, listPage(hub, token, users / 2));
        }
    }

    /** Sends one list request and returns its time in milliseconds. */
    private double listPage(URI hub, String token, int offset) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(hub.resolve("/hub/api/users?limit=50&offset=" + offset))
                .header("Authorization", "token " + token)
                .header("Accept", PAGINATION)
                .timeout(Duration.ofSeconds(30))
                .build();
        long start = System.nanoTime();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        double millis = (System.nanoTime() - start) / 1e6;
        if (response.statusCode() != 200 || !response.body().contains("\"u")) {
            throw new IOException("GET " + request.uri() + " returned " + response.statusCode() + ": "
                    + response.body().substring(0, Math.min(200, response.body().length())));
        }
        return millis;
    }

    /** Writes users {@code from} to {@code to - 1} into JupyterHub's stopped SQLite database. */
    private void seedJupyterHub(Path database, int from, int to) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process python = new ProcessBuilder("/usr/bin/python3", "-c", SEED_JUPYTERHUB, database.toString(),
                Integer.toString(from), Integer.toString(to)).redirectErrorStream(true).start();
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (python.waitFor() != 0) {
            throw new IOException("writing users into " + database + " failed: " + output.strip());
        }
        logger.info("users written into the database server=jupyterhub from={} to={} seconds={}", from, to,
                String.format("%.1f", (System.nanoTime() - start) / 1e9));
    }
}
