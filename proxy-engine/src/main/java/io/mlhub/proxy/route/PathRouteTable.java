package io.mlhub.proxy.route;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RouteTable} kept as a trie of path segments: a lookup walks one node per segment of the request path,
 * so its work depends on the path depth, not on the number of routes. Large tables still cost more per lookup,
 * because their nodes do not fit in the CPU caches.
 *
 * <p>Each node keeps its children in an open-addressing hash table that is probed with the segment as a region
 * of the request path, so a lookup allocates nothing. Readers take no lock, and writers serialize on the table's
 * monitor. {@link SegmentNode} states how writers change a child table in place without hiding children from
 * readers, so adding or removing a route costs the same with 10 or 100,000 siblings, apart from an occasional
 * rebuild of one node's child table.
 *
 * <p>Keys are canonical paths ({@link RouteKeys#canonical}). A host route is a key whose first segment is the
 * host name, and the proxy builds the lookup key the same way when host routing is on.
 */
public final class PathRouteTable implements RouteTable {
    private final SegmentNode root = new SegmentNode("");
    private final Object lock = new Object();
    private volatile int size;

    /** Creates an empty table. */
    public PathRouteTable() {}

    @Override
    public void put(Route route) {
        requireNonNull(route, "route");
        String prefix = route.prefix();
        checkCanonical(prefix);

        synchronized (lock) {
            SegmentNode node = root;
            for (int start = 1; start < prefix.length(); ) {
                int end = segmentEnd(prefix, start);
                SegmentNode child = node.child(prefix, start, end);
                if (child == null) {
                    child = node.addChild(prefix.substring(start, end));
                }
                node = child;
                start = end + 1;
            }
            if (node.entry == null) {
                size++;
            }
            node.entry = new Entry(route, System.currentTimeMillis());
        }
    }

    @Override
    public boolean remove(String prefix) {
        requireNonNull(prefix, "prefix");
        synchronized (lock) {
            List<SegmentNode> path = new ArrayList<>();
            SegmentNode node = root;
            path.add(node);
            for (int start = 1; start < prefix.length(); ) {
                int end = segmentEnd(prefix, start);
                node = node.child(prefix, start, end);
                if (node == null) {
                    return false;
                }
                path.add(node);
                start = end + 1;
            }
            if (node.entry == null) {
                return false;
            }

            node.entry = null;
            size--;
            prune(path);
            return true;
        }
    }

    /** Unlinks nodes that no longer lead to any route, from the leaf upwards. */
    private static void prune(List<SegmentNode> path) {
        for (int i = path.size() - 1; i > 0; i--) {
            SegmentNode node = path.get(i);
            if (node.entry != null || node.childCount() > 0) {
                return;
            }
            path.get(i - 1).removeChild(node);
        }
    }

    @Override
    public @Nullable Route match(String canonicalPath) {
        Entry entry = matchEntry(canonicalPath);
        return entry == null ? null : entry.route;
    }

    /** Returns the entry with the longest prefix that matches the canonical request path, or {@code null}. */
    @Nullable Entry matchEntry(String canonicalPath) {
        SegmentNode node = root;
        Entry best = node.entry;
        for (int start = 1; start < canonicalPath.length(); ) {
            int end = segmentEnd(canonicalPath, start);
            node = node.child(canonicalPath, start, end);
            if (node == null) {
                break;
            }
            Entry entry = node.entry;
            if (entry != null) {
                best = entry;
            }
            start = end + 1;
        }
        return best;
    }

    @Override
    public @Nullable Route get(String prefix) {
        Entry entry = exactEntry(prefix);
        return entry == null ? null : entry.route;
    }

    private @Nullable Entry exactEntry(String prefix) {
        SegmentNode node = root;
        for (int start = 1; start < prefix.length(); ) {
            int end = segmentEnd(prefix, start);
            node = node.child(prefix, start, end);
            if (node == null) {
                return null;
            }
            start = end + 1;
        }
        return node.entry;
    }

    @Override
    public Collection<Route> all() {
        List<Route> routes = new ArrayList<>(size);
        collect(root, routes);
        return routes;
    }

    private static void collect(SegmentNode node, List<Route> routes) {
        Entry entry = node.entry;
        if (entry != null) {
            routes.add(entry.route);
        }
        node.forEachChild(child -> collect(child, routes));
    }

    @Override
    public void touch(String prefix) {
        Entry entry = exactEntry(prefix);
        if (entry != null) {
            entry.touch(System.currentTimeMillis());
        }
    }

    @Override
    public @Nullable Instant lastActivity(String prefix) {
        Entry entry = exactEntry(prefix);
        return entry == null ? null : Instant.ofEpochMilli(entry.lastActivityMillis);
    }

    @Override
    public int size() {
        return size;
    }

    private static int segmentEnd(String path, int start) {
        int end = path.indexOf('/', start);
        return end < 0 ? path.length() : end;
    }

    private static void checkCanonical(String prefix) {
        if (!RouteKeys.canonical(prefix).equals(prefix)) {
            throw new IllegalArgumentException("prefix: " + prefix + " (expected: canonical form "
                    + RouteKeys.canonical(prefix) + ")");
        }
    }

    /** A route with its last activity. The activity field is written without a lock, at most once per millisecond. */
    static final class Entry {
        final Route route;
        volatile long lastActivityMillis;

        Entry(Route route, long nowMillis) {
            this.route = route;
            this.lastActivityMillis = nowMillis;
        }

        /** Records activity; skips the write when the value would not change, so busy routes share no writes. */
        void touch(long nowMillis) {
            if (lastActivityMillis < nowMillis) {
                lastActivityMillis = nowMillis;
            }
        }
    }
}
