package io.mlhub.benchmarks.jmh;

import io.mlhub.proxy.route.Route;
import java.net.URI;
import java.util.Map;

/**
 * Route tables and request paths shaped like a hub's: one route per workspace, {@code /user/NAME} for a user's
 * default server and {@code /user/NAME/SERVER} for a named one, beside the hub's own {@code /} and {@code /hub}
 * routes. Requests go to JupyterLab pages, the contents and kernel APIs, static files and tool ports.
 */
public final class Workloads {
    /** Paths below a workspace prefix, from a JupyterLab session. */
    private static final String[] SUFFIXES = {
        "/lab/tree/work/analysis.ipynb",
        "/api/kernels/4f1c3b5e-9a52-4c6e-8d1f-2b7e6a9c0d13/channels",
        "/api/contents/work/analysis.ipynb",
        "/api/sessions",
        "/static/lab/main.79b1f7c8d2e6a4b3c5d7.js",
        "/tools/8080/index.html",
        "/api/metrics/v1",
    };

    private Workloads() {}

    /** Returns the route prefix of workspace {@code i}: every third workspace is a named server. */
    public static String prefix(int i) {
        return i % 3 == 2 ? "/user/u" + i + "/nb" + (i % 7) : "/user/u" + i;
    }

    /** Returns the route of workspace {@code i}, pointing at a loopback port. */
    public static Route route(int i) {
        String prefix = prefix(i);
        String server = i % 3 == 2 ? "nb" + (i % 7) : "";
        return new Route(prefix, URI.create("http://127.0.0.1:" + (20_000 + i % 40_000)), "u" + i, server,
                Map.of("user", "u" + i, "server_name", server, "jupyterhub", true));
    }

    /** Returns the hub's own route for {@code prefix} ({@code /} or {@code /hub}). */
    public static Route hubRoute(String prefix) {
        return new Route(prefix, URI.create("http://127.0.0.1:8081"), null, null, Map.of("hub", true));
    }

    /**
     * Returns {@code count} request paths: workspaces drawn with Zipf skew over {@code routes} workspaces, a
     * suffix from a JupyterLab session, and one request in twenty to the hub's API.
     */
    public static String[] requestPaths(int routes, int count, long seed) {
        Zipf zipf = new Zipf(routes, 0.99, seed);
        int[] users = Zipf.shuffled(routes, seed + 1);
        String[] paths = new String[count];
        for (int i = 0; i < count; i++) {
            int workspace = users[zipf.next()];
            if (i % 20 == 19) {
                paths[i] = "/hub/api/users/u" + workspace;
            } else {
                paths[i] = prefix(workspace) + SUFFIXES[i % SUFFIXES.length];
            }
        }
        return paths;
    }
}
