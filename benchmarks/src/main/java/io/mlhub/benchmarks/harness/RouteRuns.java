package io.mlhub.benchmarks.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Route table measures on the proxies with configurable-http-proxy's REST API: requests per second with 10
 * routes and with 100,000, and route additions per second. Each repeat starts a fresh proxy instance and adds
 * {@code /user/uN/default} routes through {@code POST /api/routes/...}. The timed additions come from wrk with a
 * Lua script on ten keep-alive connections (JupyterHub sends at most ten requests at a time), after an untimed
 * run of the same kind that warms the API. The untimed rest of the table comes from the harness's HTTP client.
 * wrk then loads a path below one of the routes.
 */
final class RouteRuns {
    private static final Logger logger = LoggerFactory.getLogger(RouteRuns.class);

    static final List<String> SERVERS = List.of("chp", "mlhub");
    private static final int FEW_ROUTES = 10;
    private static final int API_CLIENTS = 10;
    private static final int WARM_UP_ROUNDS = 10;
    /** Upper bound on adding routes; a proxy slower than this is reported with the routes it managed. */
    private static final Duration ADD_TIME_LIMIT = Duration.ofSeconds(240);

    private final Stack stack;
    private final Report report;

    RouteRuns(Stack stack, Report report) {
        this.stack = stack;
        this.report = report;
    }

    static void declare(Report report, int manyRoutes) {
        String many = String.format("%,d", manyRoutes);
        report.declare(new Measure("routes-few", "requests with " + FEW_ROUTES + " routes, 100 B body, 50 connections",
                "req/s", true, null, "chp", null));
        report.declare(new Measure("routes-many", "requests with " + many + " routes, 100 B body, 50 connections",
                "req/s", true, null, "chp", null));
        report.declare(new Measure("routes-add", "route additions through the REST API, " + API_CLIENTS
                + " concurrent clients", "routes/s", true, null, "chp", null));
        report.goal(new Goal("routes-many", "mlhub", "mlhub", "routes-few", 0.95, 0,
                "no slowdown from " + FEW_ROUTES + " to " + many + " routes (≥ 0.95× its own 10-route rate)"));
        report.goal(Goal.ratio("routes-add", "mlhub", "chp", 10, "≥ 10× CHP's additions/s"));
    }

    void runRepeat(int repeat, Duration duration, int manyRoutes) throws InterruptedException {
        for (String server : HttpRuns.rotated(SERVERS, repeat)) {
            run(server, duration, manyRoutes);
        }
    }

    private void run(String server, Duration duration, int manyRoutes) throws InterruptedException {
        List<String> command;
        if (server.equals("chp")) {
            command = stack.chpCommand();
        } else {
            String missing = stack.productMissingReason();
            if (missing != null) {
                noteAll(server, missing);
                return;
            }
            command = stack.productCommand();
        }

        Stack.ChpLikeProxy proxy = null;
        try {
            proxy = stack.startChpLike(server + "-routes", command, false);
            URI api = URI.create("http://127.0.0.1:" + proxy.apiPort());
            URI base = URI.create("http://127.0.0.1:" + proxy.port());

            addRoutes(api, 0, FEW_ROUTES);
            // The instance is new: its JIT compiler (or V8's) warms up on the request path before anything counts.
            URI small = base.resolve("/user/u5/default/small");
            HttpRuns.warmUntilSteady(server + "-routes", small.getPath(), WARM_UP_ROUNDS,
                    () -> Wrk.run(small, 50, Duration.ofSeconds(2), false).requestsPerSecond());
            WrkResult few = Wrk.run(base.resolve("/user/u5/default/small"), 50, duration, false);
            report.add("routes-few", server, few.requestsPerSecond());

            // The requests above did not touch the API's code, so an untimed run of additions warms it first. The
            // timed run then continues with new route names.
            WrkResult warmUp = addRoutesWithWrk(api, FEW_ROUTES, duration);
            int warmed = FEW_ROUTES + (int) warmUp.requests();
            WrkResult additions = addRoutesWithWrk(api, warmed, duration);
            double rate = additions.requestsPerSecond();
            report.add("routes-add", server, rate);

            // The rest of the table is filled untimed, so that the size does not depend on the rate.
            int present = warmed + (int) additions.requests();
            int added = present >= manyRoutes ? 0 : addRoutes(api, present, manyRoutes);
            if (present + added < manyRoutes) {
                report.note("routes-many", server, "only " + (present + added) + " routes were added within "
                        + ADD_TIME_LIMIT.toSeconds() + " s");
            }

            WrkResult many = Wrk.run(base.resolve("/user/u" + (manyRoutes / 2) + "/default/small"), 50, duration, false);
            report.add("routes-many", server, many.requestsPerSecond());
            logger.info("run scenario=routes server={} fewReqPerSec={} manyReqPerSec={} additionsPerSec={}", server,
                    Math.round(few.requestsPerSecond()), Math.round(many.requestsPerSecond()), Math.round(rate));
        } catch (Exception e) {
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            logger.warn("run failed scenario=routes server={} error={}", server, e.getMessage());
            noteAll(server, "failed: " + HttpRuns.firstLine(e));
        } finally {
            if (proxy != null) {
                stack.stop(proxy.process());
            }
        }
    }

    /** Adds routes from {@code /user/u<first>/default} on with wrk for {@code duration}, failing on any error. */
    private WrkResult addRoutesWithWrk(URI api, int first, Duration duration) throws IOException, InterruptedException {
        java.nio.file.Path script = additionScript(first);
        WrkResult additions;
        try {
            additions = Wrk.runScript(api.resolve("/api/routes"), API_CLIENTS, duration, script);
        } finally {
            // The script contains the instance's API token.
            java.nio.file.Files.deleteIfExists(script);
        }
        if (additions.non2xx3xx() > 0 || additions.socketErrors() > 0) {
            throw new IOException("route additions failed: " + additions.non2xx3xx() + " error responses and "
                    + additions.socketErrors() + " socket errors");
        }
        return additions;
    }

    /**
     * Writes a wrk Lua script that POSTs {@code /api/routes/user/uN/default} with N counting up from {@code first},
     * one new route per request. wrk runs it on one thread, so the counter needs no lock.
     */
    private java.nio.file.Path additionScript(int first) throws IOException {
        String body = "'{\"target\":\"http://127.0.0.1:" + stack.backendPort()
                + "\",\"user\":\"u' .. n .. '\",\"server_name\":\"default\",\"jupyterhub\":true}'";
        String script = """
                counter = %d
                request = function()
                    local n = counter
                    counter = counter + 1
                    local headers = {["Authorization"] = "token %s", ["Content-Type"] = "application/json"}
                    return wrk.format("POST", "/api/routes/user/u" .. n .. "/default", headers, %s)
                end
                """.formatted(first, stack.chpToken(), body);
        java.nio.file.Path file = stack.dir().resolve("add-routes.lua");
        java.nio.file.Files.writeString(file, script);
        return file;
    }

    /** Adds routes {@code /user/u<from>/default} up to {@code to} (exclusive) and returns how many were added. */
    private int addRoutes(URI api, int from, int to) throws InterruptedException, IOException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        AtomicInteger next = new AtomicInteger(from);
        AtomicInteger added = new AtomicInteger();
        long deadline = System.nanoTime() + ADD_TIME_LIMIT.toNanos();
        String target = "http://127.0.0.1:" + stack.backendPort();
        try (ExecutorService workers = Executors.newFixedThreadPool(API_CLIENTS)) {
            List<Future<Void>> done = new ArrayList<>();
            for (int i = 0; i < API_CLIENTS; i++) {
                done.add(workers.submit(() -> {
                    for (int n = next.getAndIncrement(); n < to && System.nanoTime() < deadline; n = next.getAndIncrement()) {
                        post(client, api, n, target);
                        added.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<Void> future : done) {
                future.get();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("adding routes failed: " + e.getCause().getMessage(), e.getCause());
        }
        return added.get();
    }

    private void post(HttpClient client, URI api, int n, String target) throws IOException, InterruptedException {
        String user = "u" + n;
        String body = "{\"target\":\"" + target + "\",\"user\":\"" + user
                + "\",\"server_name\":\"default\",\"jupyterhub\":true}";
        HttpRequest request = HttpRequest.newBuilder(api.resolve("/api/routes/user/" + user + "/default"))
                .header("Authorization", "token " + stack.chpToken())
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IOException("POST " + request.uri() + " returned " + response.statusCode() + ": " + response.body());
        }
    }

    private void noteAll(String server, String text) {
        for (String id : List.of("routes-few", "routes-many", "routes-add")) {
            report.note(id, server, text);
        }
    }
}
