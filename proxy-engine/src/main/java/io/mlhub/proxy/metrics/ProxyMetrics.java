package io.mlhub.proxy.metrics;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import io.mlhub.proxy.route.RouteTable;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.netty.channel.Channel;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The public port's meters in a shared registry: open connections by protocol, the number of routes and
 * the statistics of edge caches. The HTTP proxy adds its meters to the same registry: requests by status
 * ({@code mlhub.proxy.requests}), upstream latency and connections, and open websocket tunnels
 * ({@code mlhub.proxy.websocket.tunnels}).
 */
public final class ProxyMetrics {
    /** Gauge of open client connections, tagged {@code protocol}. */
    public static final String OPEN_CONNECTIONS = "mlhub.proxy.open.connections";

    /** Gauge of the number of routes. */
    public static final String ROUTES = "mlhub.proxy.routes";

    /** Protocols counted separately in {@link #OPEN_CONNECTIONS}. */
    public enum Protocol {
        /** Connections that completed the sniffer as TLS, whatever runs inside. */
        TLS,
        /** SSH connections, including silent clients handed to SSH. */
        SSH,
        /** Plain-text HTTP connections. */
        HTTP
    }

    private final MeterRegistry registry;
    private final Map<Protocol, AtomicLong> open = new EnumMap<>(Protocol.class);

    /** Registers the connection gauges in {@code registry}. */
    public ProxyMetrics(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
        for (Protocol protocol : Protocol.values()) {
            AtomicLong count = new AtomicLong();
            open.put(protocol, count);
            Gauge.builder(OPEN_CONNECTIONS, count, AtomicLong::get)
                    .description("Open client connections on the public port")
                    .tag("protocol", protocol.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
    }

    /** Returns the registry the meters live in. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Counts {@code channel} as an open connection of {@code protocol} until it closes. */
    public void track(Channel channel, Protocol protocol) {
        AtomicLong count = open.get(protocol);
        count.incrementAndGet();
        channel.closeFuture().addListener(future -> count.decrementAndGet());
    }

    /** Returns the number of open connections of {@code protocol}. */
    public long openConnections(Protocol protocol) {
        return open.get(protocol).get();
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
}
