package io.mlhub.benchmarks.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spawn overhead of the product's hub on the Docker engine. The anchor is the engine alone: {@code docker run -d}
 * of the same image and polling its HTTP port on the container's address until it returns 200. The product's
 * number runs from {@code POST /hub/api/users/{u}/server} until {@code GET /user/{u}/} through the hub's public
 * port returns 200, so it contains the hub's work (database, per-user network, limits, readiness check, route)
 * and the engine's. The overhead is the difference of each interleaved pair. Then 50 users spawn at once, on
 * the hub and with 50 concurrent {@code docker run}, and failures are counted.
 *
 * <p>Everything this run creates on the engine carries the label {@code mlhub.origin} with a hub name of its
 * own, and is removed by that label at the end.
 */
final class SpawnRuns {
    private static final Logger logger = LoggerFactory.getLogger(SpawnRuns.class);

    static final String IMAGE = "mlhub-test-tiny:latest";
    static final int CONCURRENT = 50;
    private static final int WORKSPACE_PORT = 8888;
    /** Upper bound on one spawn, and on the 50 concurrent ones, so that a stuck spawn cannot stall the run. */
    private static final Duration SPAWN_TIME_LIMIT = Duration.ofSeconds(60);
    private static final Duration CONCURRENT_TIME_LIMIT = Duration.ofSeconds(180);
    private static final List<String> IDS = List.of("spawn-engine", "spawn-live", "spawn-overhead",
            "spawn-concurrent", "spawn-failures");

    private final Stack stack;
    private final Report report;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** Hub name and value of the {@code mlhub.origin} label: 5 characters, unique to this run. */
    private final String origin = "bn" + randomSuffix(3);

    SpawnRuns(Stack stack, Report report) {
        this.stack = stack;
        this.report = report;
    }

    static void declare(Report report) {
        report.declare(new Measure("spawn-engine", "container start alone, `docker run -d` of " + IMAGE
                + " to HTTP 200 on its address", "s", false, null, null, null));
        report.declare(new Measure("spawn-live", "spawn, `POST /hub/api/users/{u}/server` to `GET /user/{u}/` 200"
                + " through the hub's port", "s", false, null, null, "docker"));
        report.declare(new Measure("spawn-overhead", "spawn overhead: the spawn above minus the container start"
                + " alone, paired", "ms", false, null, null, null));
        report.declare(new Measure("spawn-concurrent", CONCURRENT + " spawns at once, first request to all "
                + CONCURRENT + " answering 200", "s", false, null, null, "docker"));
        report.declare(new Measure("spawn-failures", "failed spawns out of " + CONCURRENT + " at once", "count",
                false, null, null, null));
        report.goal(new Goal("spawn-failures", "mlhub", "docker", "spawn-failures", 1, 0,
                "no more failures than plain `docker run`"));
    }

    void run(int spawns) throws InterruptedException {
        if (stack.options().anchorsOnly()) {
            noteAll("mlhub", "left out (--anchors-only)");
        } else if (!Files.isRegularFile(stack.options().productJar())) {
            noteAll("mlhub", "not built: " + stack.options().productJar() + " is missing");
        }
        try {
            Stack.run(List.of("docker", "image", "inspect", "--format", "{{.Id}}", IMAGE));
        } catch (IOException e) {
            String reason = "no Docker engine or no " + IMAGE + " (appliance-image/src/test-images/build-test-images"
                    + " builds it): " + HttpRuns.firstLine(e);
            noteAll("docker", reason);
            noteAll("mlhub", reason);
            return;
        }
        try {
            runAll(spawns);
        } catch (IOException | RuntimeException e) {
            logger.warn("run failed scenario=spawn error={}", e.getMessage());
            noteAll("mlhub", "failed: " + HttpRuns.firstLine(e));
        } finally {
            removeEngineObjects();
        }
    }

    private void runAll(int spawns) throws IOException, InterruptedException {
        boolean product = !stack.options().anchorsOnly() && Files.isRegularFile(stack.options().productJar());
        ProductHub hub = null;
        String token = null;
        if (product) {
            Path folder = Files.createDirectories(stack.dir().resolve("mlhub-spawn"));
            Path config = folder.resolve("hub.yaml");
            // The default CPU limit (8) is more than this 2-core engine allows, so the limit is set to the cores.
            Files.writeString(config, "workspaceImages: [" + IMAGE + "]\nlimits:\n  maxCpus: "
                    + ProcStat.machineCpus() + "\n");
            hub = ProductHub.launch(stack, client, "mlhub-hub-spawn", folder, Stack.freePort(),
                    Map.of("EXECUTION_MODE", "local", "HUB_NAME", origin), config);
            hub.awaitApi();
            token = hub.adminToken();
            createUsers(hub.uri(), token, IntStream.range(0, spawns).mapToObj(i -> "s" + i).toList());
            createUsers(hub.uri(), token, IntStream.range(0, CONCURRENT).mapToObj(i -> "c" + i).toList());
        }
        try {
            for (int i = 0; i < spawns; i++) {
                double engine = engineStart("one-" + i, SPAWN_TIME_LIMIT);
                report.add("spawn-engine", "docker", engine);
                if (hub != null) {
                    double live = spawn(hub.uri(), token, "s" + i, SPAWN_TIME_LIMIT, 10);
                    report.add("spawn-live", "mlhub", live);
                    report.add("spawn-overhead", "mlhub", (live - engine) * 1000);
                }
            }
            concurrent("docker", i -> engineStart("many-" + i, CONCURRENT_TIME_LIMIT));
            if (hub != null) {
                URI uri = hub.uri();
                String secret = token;
                concurrent("mlhub", i -> spawn(uri, secret, "c" + i, CONCURRENT_TIME_LIMIT, 50));
            }
            logger.info("run scenario=spawn origin={} engineS={} liveS={} overheadMs={}", origin,
                    report.median("spawn-engine", "docker"), report.median("spawn-live", "mlhub"),
                    report.median("spawn-overhead", "mlhub"));
        } finally {
            if (hub != null) {
                stack.stop(hub.process());
            }
        }
    }

    /** A timed start of one workspace in seconds, which throws when the start fails or runs past its limit. */
    private interface TimedStart {
        double start(int index) throws IOException, InterruptedException;
    }

    /** Starts {@link #CONCURRENT} workspaces at once and records the failures and the wall time until all ended. */
    private void concurrent(String server, TimedStart start) throws InterruptedException {
        long begin = System.nanoTime();
        int failures = 0;
        String firstError = null;
        // Platform threads: each start blocks reading the pipes of docker CLI processes, which pins a virtual
        // thread's carrier, so on the one core the harness runs on a few starts would stall the rest.
        try (ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT)) {
            List<Future<Double>> results = new ArrayList<>();
            for (int i = 0; i < CONCURRENT; i++) {
                int index = i;
                results.add(pool.submit(() -> start.start(index)));
            }
            for (Future<Double> result : results) {
                try {
                    result.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failures++;
                    if (firstError == null) {
                        firstError = HttpRuns.firstLine(e.getCause());
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        report.add("spawn-failures", server, failures);
        if (failures == CONCURRENT) {
            report.note("spawn-concurrent", server, "every spawn failed: " + firstError);
            return;
        }
        report.add("spawn-concurrent", server, seconds);
        if (firstError != null) {
            report.note("spawn-concurrent", server, failures + " of " + CONCURRENT + " failed");
            report.note("spawn-failures", server, "first error: " + firstError.substring(0, Math.min(220,
                    firstError.length())));
            logger.warn("concurrent spawns failed server={} failures={} first={}", server, failures, firstError);
        }
    }

    /** Times {@code docker run -d} and polling the container's address in seconds, without the {@code docker inspect}. */
    private double engineStart(String name, Duration limit) throws IOException, InterruptedException {
        long begin = System.nanoTime();
        String id = Stack.run(List.of("docker", "run", "-d", "--label", "mlhub.origin=" + origin,
                "--name", origin + "-anchor-" + name, IMAGE)).strip();
        long inspectStart = System.nanoTime();
        String address = Stack.run(List.of("docker", "inspect", "--format",
                "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", id)).strip().split(" ")[0];
        long inspectNanos = System.nanoTime() - inspectStart;
        if (address.isEmpty()) {
            throw new IOException("container " + name + " has no address");
        }
        URI uri = URI.create("http://" + address + ":" + WORKSPACE_PORT + "/");
        awaitOk(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(), begin, limit, 10);
        // The hub learns the address from the engine too, but over its socket without starting a CLI process.
        return (System.nanoTime() - begin - inspectNanos) / 1e9;
    }

    /** Starts the default server of {@code user} and returns the seconds until its page answers 200. */
    private double spawn(URI hub, String token, String user, Duration limit, int pollMillis)
            throws IOException, InterruptedException {
        long begin = System.nanoTime();
        HttpRequest post = HttpRequest.newBuilder(hub.resolve("/hub/api/users/" + user + "/server"))
                .header("Authorization", "token " + token)
                .timeout(limit)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<String> response = client.send(post, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201 && response.statusCode() != 202) {
            throw new IOException("POST /hub/api/users/" + user + "/server returned " + response.statusCode() + ": "
                    + response.body().substring(0, Math.min(200, response.body().length())));
        }
        HttpRequest page = HttpRequest.newBuilder(hub.resolve("/user/" + user + "/"))
                .header("Authorization", "token " + token)
                .timeout(Duration.ofSeconds(10))
                .build();
        awaitOk(page, begin, limit, pollMillis);
        return (System.nanoTime() - begin) / 1e9;
    }

    private void awaitOk(HttpRequest request, long begin, Duration limit, int pollMillis)
            throws IOException, InterruptedException {
        long deadline = begin + limit.toNanos();
        int last = 0;
        while (System.nanoTime() < deadline) {
            try {
                last = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (last == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(pollMillis);
        }
        throw new IOException("GET " + request.uri() + " did not return 200 within " + limit.toSeconds()
                + " s (last status " + last + ")");
    }

    private void createUsers(URI hub, String token, List<String> names) throws IOException, InterruptedException {
        String body = names.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(",", "{\"usernames\":[", "]}"));
        HttpRequest request = HttpRequest.newBuilder(hub.resolve("/hub/api/users"))
                .header("Authorization", "token " + token)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IOException("POST /hub/api/users returned " + response.statusCode() + ": " + response.body());
        }
    }

    /** Removes the containers, networks and volumes labelled with this run's origin, and nothing else. */
    private void removeEngineObjects() throws InterruptedException {
        String filter = "label=mlhub.origin=" + origin;
        List<List<String>> steps = List.of(
                List.of("container", "ls", "-aq", "--filter", filter),
                List.of("network", "ls", "-q", "--filter", filter),
                List.of("volume", "ls", "-q", "--filter", filter));
        List<String> removers = List.of("container rm -f", "network rm", "volume rm");
        for (int i = 0; i < steps.size(); i++) {
            try {
                List<String> list = new ArrayList<>(List.of("docker"));
                list.addAll(steps.get(i));
                List<String> found = Stack.run(list).lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
                if (found.isEmpty()) {
                    continue;
                }
                List<String> remove = new ArrayList<>(List.of("docker"));
                remove.addAll(List.of(removers.get(i).split(" ")));
                remove.addAll(found);
                Stack.run(remove);
                logger.info("removed engine objects kind={} count={} origin={}", steps.get(i).get(0), found.size(),
                        origin);
            } catch (IOException e) {
                logger.warn("removing engine objects failed kind={} origin={} error={}", steps.get(i).get(0), origin,
                        HttpRuns.firstLine(e));
            }
        }
    }

    private void noteAll(String server, String text) {
        for (String id : IDS) {
            if (server.equals("docker") && (id.equals("spawn-live") || id.equals("spawn-overhead"))) {
                continue;
            }
            report.note(id, server, text);
        }
    }

    private static String randomSuffix(int length) {
        SecureRandom random = new SecureRandom();
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return IntStream.range(0, length).mapToObj(i -> String.valueOf(alphabet.charAt(random.nextInt(alphabet.length()))))
                .collect(Collectors.joining());
    }
}
