package io.mlhub.hub.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The progress events of one spawn, kept so that a client that connects late still receives every step. The last
 * event is either {@code ready} or {@code failed}.
 */
public final class ProgressLog {
    private final List<Map<String, Object>> events = new ArrayList<>();
    private boolean finished;

    synchronized void add(int percent, String message) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("progress", Math.max(0, Math.min(100, percent)));
        event.put("message", message);
        append(event, false);
    }

    synchronized void ready(String url) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("progress", 100);
        event.put("ready", true);
        event.put("message", "Server ready at " + url);
        event.put("html_message", "Server ready at <a href=\"" + url + "\">" + url + "</a>");
        event.put("url", url);
        append(event, true);
    }

    synchronized void failed(String reason) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("progress", 100);
        event.put("failed", true);
        event.put("message", "Spawn failed: " + reason);
        append(event, true);
    }

    private void append(Map<String, Object> event, boolean last) {
        if (finished) {
            return;
        }
        events.add(event);
        finished = last;
        notifyAll();
    }

    /**
     * Returns the event at {@code index}, waiting up to {@code wait} for it; returns {@code null} when none came in
     * time or the log is finished before that index.
     */
    public synchronized @Nullable Map<String, Object> await(int index, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (index >= events.size() && !finished) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return index < events.size() ? events.get(index) : null;
    }

    /** Returns whether the last event was sent. */
    public synchronized boolean finished() {
        return finished;
    }

    /** Returns how many events the log has. */
    public synchronized int size() {
        return events.size();
    }
}
