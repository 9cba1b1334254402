package io.mlhub.proxy.route;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RouteTable} kept as a trie of path segments: a lookup walks one node per segment of the request path,
 * so its cost depends on the path depth and never on the number of routes.
 *
 * <p>Each node keeps its children in an open-addressing hash table that is probed with the segment as a region
 * of the request path, so a lookup allocates nothing. Readers take no lock: a child table is either filled in
 * place by a release store into an empty slot, or replaced as a whole by a volatile write. Writers serialize on
 * the table's monitor; route changes are rare next to lookups.
 *
 * <p>Keys are canonical paths ({@link RouteKeys#canonical}). A host route is a key whose first segment is the
 * host name, and the proxy builds the lookup key the same way when host routing is on.
 */
public final class PathRouteTable implements RouteTable {
    private final Node root = new Node("", 0);
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
            Node node = root;
            for (int start = 1; start < prefix.length(); ) {
                int end = segmentEnd(prefix, start);
                Node child = node.child(prefix, start, end);
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
            List<Node> path = new ArrayList<>();
            Node node = root;
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
    private static void prune(List<Node> path) {
        for (int i = path.size() - 1; i > 0; i--) {
            Node node = path.get(i);
            if (node.entry != null || node.childCount > 0) {
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
        Node node = root;
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
        Node node = root;
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

    private static void collect(Node node, List<Route> routes) {
        Entry entry = node.entry;
        if (entry != null) {
            routes.add(entry.route);
        }
        AtomicReferenceArray<@Nullable Node> children = node.children;
        for (int i = 0; i < children.length(); i++) {
            Node child = children.get(i);
            if (child != null) {
                collect(child, routes);
            }
        }
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

    /** One path segment of the trie. Only writers, under the table's lock, change {@code childCount}. */
    private static final class Node {
        private static final int INITIAL_CAPACITY = 4;

        final String segment;
        final int hash;
        volatile @Nullable Entry entry;
        volatile AtomicReferenceArray<@Nullable Node> children = new AtomicReferenceArray<>(0);
        int childCount;

        Node(String segment, int hash) {
            this.segment = segment;
            this.hash = hash;
        }

        @Nullable Node child(String path, int start, int end) {
            AtomicReferenceArray<@Nullable Node> table = children;
            int capacity = table.length();
            if (capacity == 0) {
                return null;
            }

            int length = end - start;
            int hash = hash(path, start, end);
            for (int index = hash & (capacity - 1); ; index = (index + 1) & (capacity - 1)) {
                Node candidate = table.get(index);
                if (candidate == null) {
                    return null;
                }
                if (candidate.hash == hash
                        && candidate.segment.length() == length
                        && candidate.segment.regionMatches(0, path, start, length)) {
                    return candidate;
                }
            }
        }

        Node addChild(String segment) {
            Node child = new Node(segment, hash(segment, 0, segment.length()));
            if ((childCount + 1) * 2 > children.length()) {
                children = rehash(Math.max(INITIAL_CAPACITY, children.length() * 2), null, child);
            } else {
                insert(children, child);
            }
            childCount++;
            return child;
        }

        void removeChild(Node child) {
            // Open addressing cannot clear a slot without breaking probe chains, so removal builds a new table.
            children = rehash(children.length(), child, null);
            childCount--;
        }

        private AtomicReferenceArray<@Nullable Node> rehash(int capacity, @Nullable Node without, @Nullable Node with) {
            AtomicReferenceArray<@Nullable Node> table = new AtomicReferenceArray<>(capacity);
            AtomicReferenceArray<@Nullable Node> old = children;
            for (int i = 0; i < old.length(); i++) {
                Node node = old.get(i);
                if (node != null && node != without) {
                    insert(table, node);
                }
            }
            if (with != null) {
                insert(table, with);
            }
            return table;
        }

        private static void insert(AtomicReferenceArray<@Nullable Node> table, Node node) {
            int mask = table.length() - 1;
            int index = node.hash & mask;
            while (table.get(index) != null) {
                index = (index + 1) & mask;
            }
            table.set(index, node);
        }

        private static int hash(String path, int start, int end) {
            int h = 0;
            for (int i = start; i < end; i++) {
                h = 31 * h + path.charAt(i);
            }
            return h ^ (h >>> 16);
        }
    }
}
