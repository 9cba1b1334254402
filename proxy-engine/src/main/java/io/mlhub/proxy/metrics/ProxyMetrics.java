package io.mlhub.proxy.metrics;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import io.mlhub.proxy.route.RouteTable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.netty.channel.Channel;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The proxy's meters in a shared registry: open client connections by protocol
 * ({@code mlhub.proxy.open.connections}), the number of routes ({@code mlhub.proxy.routes}), responses by status
 * ({@code mlhub.proxy.requests}), upstream latency, connects and open connections
 * ({@code mlhub.proxy.upstream.*}), open websocket tunnels ({@code mlhub.proxy.websocket.tunnels}) and the
 * statistics of edge caches.
 *
 * <p>All instances created on the same registry share their counts, as Micrometer meters with the same name and
 * tags do. So the public port and the HTTP proxy may each create one on the registry they are given, and the
 * gauges still show what both count.
 */
public final class ProxyMetrics {
    /** Gauge of open client connections, tagged {@code protocol}. */
    public static final String OPEN_CONNECTIONS = "mlhub.proxy.open.connections";

    /** Gauge of the number of routes. */
    public static final String ROUTES = "mlhub.proxy.routes";

    /** Counter of responses sent to clients, relayed or made by the proxy, tagged {@code status} and {@code class}. */
    public static final String REQUESTS = "mlhub.proxy.requests";

    /** Timer from sending a request head upstream to receiving the response head. */
    public static final String UPSTREAM_LATENCY = "mlhub.proxy.upstream.latency";

    /** Counter of upstream connections opened. */
    public static final String UPSTREAM_CONNECTS = "mlhub.proxy.upstream.connects";

    /** Gauge of open upstream connections, pooled ones included. */
    public static final String UPSTREAM_CONNECTIONS = "mlhub.proxy.upstream.connections";

    /** Gauge of open websocket tunnels. */
    public static final String WEBSOCKET_TUNNELS = "mlhub.proxy.websocket.tunnels";

    /** Protocols counted separately in {@link #OPEN_CONNECTIONS}. */
    public enum Protocol {
        /** Connections that completed the sniffer as TLS, whatever runs inside. */
        TLS,
        /** SSH connections, including silent clients handed to SSH. */
        SSH,
        /** Plain-text HTTP connections. */
        HTTP
    }

    /** The meters of each registry; the registry is the weak key, so a dropped registry frees its entry. */
    private static final Map<MeterRegistry, Meters> METERS = Collections.synchronizedMap(new WeakHashMap<>());

    private final MeterRegistry registry;
    private final Meters meters;

    /** Registers the meters in {@code registry}, or joins those an earlier instance registered there. */
    public ProxyMetrics(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
        this.meters = METERS.computeIfAbsent(registry, Meters::new);
    }

    /** Returns the registry the meters live in. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Counts {@code channel} as an open connection of {@code protocol} until it closes. */
    public void track(Channel channel, Protocol protocol) {
        AtomicLong count = meters.open.get(protocol);
        count.incrementAndGet();
        channel.closeFuture().addListener(future -> count.decrementAndGet());
    }

    /** Returns the number of open connections of {@code protocol}. */
    public long openConnections(Protocol protocol) {
        return meters.open.get(protocol).get();
    }

    /** Registers a gauge of the number of routes in {@code routes}. */
    public void monitorRoutes(RouteTable routes) {
        Gauge.builder(ROUTES, routes, RouteTable::size)
                .description("Routes in the proxy's route table")
                .register(registry);
    }

    /**
     * Registers the statistics of a Caffeine cache under {@code name}. The cache must be built with
     * {@code recordStats()}, or its hit and miss counts stay at zero.
     */
    public void monitorCache(String name, Cache<?, ?> cache) {
        CaffeineCacheMetrics.monitor(registry, cache, name);
    }

    /**
     * Counts a response sent to a client, whether relayed or made by the proxy. The counter of each status is
     * created on first use and then kept in an array, so counting is an array read and an increment.
     */
    public void response(int status) {
        int index = status >= 100 && status < 600 ? status : 0;
        Counter counter = meters.responsesByStatus.get(index);
        if (counter == null) {
            counter = Counter.builder(REQUESTS)
                    .description("requests answered, by response status")
                    .tag("status", Integer.toString(status))
                    .tag("class", (status / 100) + "xx")
                    .register(registry);
            meters.responsesByStatus.set(index, counter);
        }
        counter.increment();
    }

    /** Records the time from sending a request head upstream to receiving the response head. */
    public void upstreamLatency(long nanos) {
        meters.upstreamLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts an upstream connection that became active. */
    public void upstreamOpened() {
        meters.upstreamConnects.increment();
        meters.openUpstreamConnections.incrementAndGet();
    }

    /** Counts the close of a connection counted by {@link #upstreamOpened()}. */
    public void upstreamClosed() {
        meters.openUpstreamConnections.decrementAndGet();
    }

    /** Counts a websocket tunnel that opened. */
    public void tunnelOpened() {
        meters.openTunnels.incrementAndGet();
    }

    /** Counts the close of a tunnel counted by {@link #tunnelOpened()}. */
    public void tunnelClosed() {
        meters.openTunnels.decrementAndGet();
    }

    /** Returns the number of open upstream connections, pooled ones included. */
    public long openUpstreamConnections() {
        return meters.openUpstreamConnections.get();
    }

    /** Returns the number of open websocket tunnels. */
    public long openTunnels() {
        return meters.openTunnels.get();
    }

    /** The meters and counts of one registry. It must not refer to the registry, which is a weak key. */
    private static final class Meters {
        final Map<Protocol, AtomicLong> open = new EnumMap<>(Protocol.class);
        final AtomicReferenceArray<Counter> responsesByStatus = new AtomicReferenceArray<>(600);
        final Timer upstreamLatency;
        final Counter upstreamConnects;
        final AtomicLong openUpstreamConnections = new AtomicLong();
        final AtomicLong openTunnels = new AtomicLong();

        Meters(MeterRegistry registry) {
            for (Protocol protocol : Protocol.values()) {
                AtomicLong count = new AtomicLong();
                open.put(protocol, count);
                Gauge.builder(OPEN_CONNECTIONS, count, AtomicLong::get)
                        .description("Open client connections on the public port")
                        .tag("protocol", protocol.name().toLowerCase(Locale.ROOT))
                        .strongReference(true)
                        .register(registry);
            }
            upstreamLatency = Timer.builder(UPSTREAM_LATENCY)
                    .description("time from sending a request head upstream to receiving the response head")
                    .register(registry);
            upstreamConnects = Counter.builder(UPSTREAM_CONNECTS)
                    .description("upstream connections opened")
                    .register(registry);
            Gauge.builder(UPSTREAM_CONNECTIONS, openUpstreamConnections, AtomicLong::get)
                    .description("open upstream connections, pooled ones included")
                    .strongReference(true)
                    .register(registry);
            Gauge.builder(WEBSOCKET_TUNNELS, openTunnels, AtomicLong::get)
                    .description("open websocket tunnels")
                    .strongReference(true)
                    .register(registry);
        }
    }
}
