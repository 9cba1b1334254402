package io.mlhub.proxy.route;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One path segment of {@link PathRouteTable}'s trie, with its route entry and its children.
 *
 * <p>The children live in an open-addressing hash table with linear probing. Readers probe it without a lock
 * and without allocating, with the segment given as a region of the request path. Writers change it in place,
 * under the route table's lock, and follow these rules so that a reader never misses a child that stays in the
 * table for the whole lookup:
 *
 * <ul>
 *   <li>A new child goes into the first {@link #TOMBSTONE} or empty slot of its probe sequence, stored with
 *       release semantics so that a reader that loads the child also reads its final fields.
 *   <li>Removing a child puts a {@link #TOMBSTONE} in its slot, so probe sequences that run through the slot
 *       stay intact. A tombstone is cleared back to empty only when the next slot is empty, because then no
 *       probe sequence can run through it to a child.
 *   <li>When used slots (children plus tombstones) would pass half the capacity, or the children fill less than
 *       an eighth of it, the writer builds a new array and publishes it with one volatile write. Nothing writes to
 *       the old array afterwards, so readers still on it see a consistent snapshot. A new array starts at most 3/8
 *       full, so at least capacity / 16 changes pass before the next rebuild, and the cost per change stays
 *       constant on average.
 * </ul>
 *
 * <p>Each child caches its hash, and the table stays at most half full, so a lookup usually loads one child per
 * segment and compares one segment.
 */
final class SegmentNode {
    /** Marks the slot of a removed child. Its segment contains '/', so it never equals a request path segment. */
    private static final SegmentNode TOMBSTONE = new SegmentNode("/");

    private static final int MIN_CAPACITY = 4;
    private static final SegmentNode[] NO_CHILDREN = new SegmentNode[0];
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(SegmentNode[].class);

    final String segment;

    /** {@link #hash} of {@link #segment}, cached for rebuilds. */
    final int hash;

    volatile PathRouteTable.@Nullable Entry entry;

    /** Child table with a power-of-two length: each slot contains a child, a {@link #TOMBSTONE} or null (empty). */
    private volatile @Nullable SegmentNode[] children = NO_CHILDREN;

    /** Number of children. Written only under the route table's lock. */
    private int childCount;

    /** Number of non-empty slots in {@link #children}: children plus tombstones. Written only under the lock. */
    private int usedSlots;

    SegmentNode(String segment) {
        this.segment = segment;
        this.hash = hash(segment, 0, segment.length());
    }

    int childCount() {
        return childCount;
    }

    /** Returns the child for the segment {@code path[start, end)}, or {@code null}. Takes no lock. */
    @Nullable SegmentNode child(String path, int start, int end) {
        @Nullable SegmentNode[] table = children;
        int mask = table.length - 1;
        if (mask < 0) {
            return null;
        }

        int length = end - start;
        int hash = hash(path, start, end);
        for (int index = hash & mask; ; index = (index + 1) & mask) {
            SegmentNode candidate = (SegmentNode) SLOT.getAcquire(table, index);
            if (candidate == null) {
                return null;
            }
            if (candidate.hash == hash
                    && candidate != TOMBSTONE
                    && candidate.segment.length() == length
                    && candidate.segment.regionMatches(0, path, start, length)) {
                return candidate;
            }
        }
    }

    /** Adds a child for a segment that has none yet. Call only under the route table's lock. */
    SegmentNode addChild(String segment) {
        SegmentNode child = new SegmentNode(segment);
        if ((usedSlots + 1) * 2 > children.length) {
            rebuild(childCount + 1);
        }

        @Nullable SegmentNode[] table = children;
        int mask = table.length - 1;
        int index = child.hash & mask;
        int free = -1;
        while (table[index] != null) {
            if (table[index] == TOMBSTONE && free < 0) {
                free = index;
            }
            index = (index + 1) & mask;
        }
        if (free < 0) {
            free = index;
            usedSlots++;
        }

        SLOT.setRelease(table, free, child);
        childCount++;
        return child;
    }

    /** Removes a child of this node. Call only under the route table's lock. */
    void removeChild(SegmentNode child) {
        @Nullable SegmentNode[] table = children;
        int mask = table.length - 1;
        int index = child.hash & mask;
        while (table[index] != child) {
            index = (index + 1) & mask;
        }

        SLOT.setRelease(table, index, TOMBSTONE);
        childCount--;
        clearTombstonesBefore((index + 1) & mask, table);

        if (childCount * 8 < table.length && table.length > MIN_CAPACITY) {
            rebuild(childCount);
        }
    }

    /** Empties the run of tombstones that ends just before {@code next}, if {@code next} is empty. */
    private void clearTombstonesBefore(int next, @Nullable SegmentNode[] table) {
        if (table[next] != null) {
            return;
        }
        int mask = table.length - 1;
        for (int index = (next - 1) & mask; table[index] == TOMBSTONE; index = (index - 1) & mask) {
            SLOT.setRelease(table, index, null);
            usedSlots--;
        }
    }

    /** Publishes a new child table with the current children, sized for {@code count} children. */
    private void rebuild(int count) {
        @Nullable SegmentNode[] table = new SegmentNode[capacityFor(count)];
        int mask = table.length - 1;
        for (SegmentNode node : children) {
            if (node != null && node != TOMBSTONE) {
                int index = node.hash & mask;
                while (table[index] != null) {
                    index = (index + 1) & mask;
                }
                table[index] = node;
            }
        }
        usedSlots = childCount;
        children = table;
    }

    /** Returns the smallest power of two that keeps {@code count} children at or below 3/8 of the slots. */
    private static int capacityFor(int count) {
        int capacity = MIN_CAPACITY;
        while ((long) count * 8 > (long) capacity * 3) {
            capacity *= 2;
        }
        return capacity;
    }

    /** Passes every child to {@code action}, in no particular order. Takes no lock. */
    void forEachChild(Consumer<SegmentNode> action) {
        @Nullable SegmentNode[] table = children;
        for (int i = 0; i < table.length; i++) {
            SegmentNode node = (SegmentNode) SLOT.getAcquire(table, i);
            if (node != null && node != TOMBSTONE) {
                action.accept(node);
            }
        }
    }

    /**
     * Hashes {@code path[start, end)}: the polynomial hash of {@link String#hashCode}, then the MurmurHash3
     * 32-bit finalizer. The finalizer spreads keys such as {@code u1}, {@code u2}, ... whose polynomial hashes
     * are consecutive numbers, which would otherwise fill long runs of adjacent slots under linear probing.
     */
    static int hash(String path, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + path.charAt(i);
        }

        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
