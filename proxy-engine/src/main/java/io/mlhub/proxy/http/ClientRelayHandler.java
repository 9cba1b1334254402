package io.mlhub.proxy.http;

import io.mlhub.proxy.auth.AccessPolicy;
import io.mlhub.proxy.auth.CachingCredentialResolver;
import io.mlhub.proxy.auth.Identity;
import io.mlhub.proxy.internal.NetErrors;
import io.mlhub.proxy.route.Route;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client connection: routes each request, runs the edge check, relays the request to a
 * pooled or new upstream connection and the response back, and turns a websocket upgrade into a byte tunnel.
 *
 * <p>One request is handled at a time. Auto-read is off on both legs: the client is read only while the upstream
 * can take more, and the upstream only while the client can; what arrives while the exchange cannot use it (the
 * body during the edge check or the connect, a pipelined next request, websocket bytes sent before the
 * {@code 101}) waits in {@link #pending}, which contains at most one read's worth because no further read is issued.
 * The upstream connection lives on this connection's event loop, so no field needs to be volatile.
 */
final class ClientRelayHandler extends ChannelInboundHandlerAdapter {
    private static final Logger logger = LoggerFactory.getLogger(ClientRelayHandler.class);
    private static final long TUNNEL_TOUCH_INTERVAL_MILLIS = 1000;

    private enum Phase {
        /** Waiting for the next request head. */
        WAITING,
        /** A request head arrived; the edge check or the upstream connect is running. */
        DISPATCHING,
        /** The request went upstream; its body and the response are being relayed. */
        FORWARDING,
        /** The proxy responded to the request itself and drops its (empty) body before the next request. */
        DISCARDING,
        /** A websocket upgrade succeeded; both legs carry raw bytes. */
        TUNNEL,
        /** The connection is closing. */
        CLOSED
    }

    private final HttpProxy proxy;
    private final HttpProxyConfig config;
    private final ClientConnection connection;
    private final String clientIp;
    private final ClientHttpCodec codec;
    private final IdleTimeoutHandler idleTimeout;
    private final ArrayDeque<Object> pending = new ArrayDeque<>(2);
    private final Runnable headTimeoutCheck = this::checkHeadTimeout;
    private @Nullable ScheduledFuture<?> headTimeoutTask;
    private ChannelHandlerContext ctx;
    private boolean started;
    private boolean draining;
    private boolean fetchingErrorPage;

    private Phase phase = Phase.WAITING;
    private long waitStartNanos;

    private @Nullable HttpRequest request;
    private String originalUri = "";
    private String routePrefix = "";
    private String upstreamHost = "";
    private int upstreamPort;
    private boolean headRequest;
    private boolean upgrade;
    private boolean http10Client;
    private boolean clientKeepAlive;
    private boolean requestHasBody;
    private boolean requestComplete;
    private boolean responseStarted;
    private boolean interimResponse;
    private boolean upstreamReusable;
    private boolean upstreamReadPaused;
    private boolean tunnelCounted;
    private long requestSentNanos;
    private long lastTunnelTouchMillis;
    private @Nullable UpstreamRelayHandler upstream;
    private @Nullable HttpRequest sentHead;
    private boolean sentOnPooledConnection;
    private boolean retried;

    ClientRelayHandler(HttpProxy proxy, ClientConnection connection, ClientHttpCodec codec,
            IdleTimeoutHandler idleTimeout) {
        this.proxy = proxy;
        this.config = proxy.config();
        this.connection = connection;
        this.clientIp = RelayHeaders.clientIp(connection);
        this.codec = codec;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    private void start() {
        if (started) {
            return;
        }
        started = true;
        idleTimeout.setTimeout(config.upstreamIdleTimeout().toNanos(), TimeUnit.NANOSECONDS);
        startWaiting();
        scheduleHeadTimeoutCheck(config.requestHeadTimeout().toNanos());
        ctx.read();
    }

    // ---- client events

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        switch (phase) {
            case TUNNEL -> relayToUpstream(msg);
            case CLOSED -> ReferenceCountUtil.release(msg);
            default -> {
                if (isHolding() || !pending.isEmpty()) {
                    pending.add(msg);
                } else {
                    process(msg);
                }
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamRelayHandler current = upstream;
        if (current != null) {
            current.channel().flush();
        }
        maybeReadClient();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamRelayHandler current = upstream;
        if (ctx.channel().isWritable() && upstreamReadPaused && current != null) {
            upstreamReadPaused = false;
            current.channel().read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Phase previous = phase;
        phase = Phase.CLOSED;
        // A pending check would keep this closed connection reachable until the head timeout passes.
        cancelHeadTimeoutCheck();
        releasePending();
        closeTunnelCount();

        UpstreamRelayHandler current = upstream;
        upstream = null;
        if (current != null) {
            current.owner(null);
            if (previous == Phase.FORWARDING || previous == Phase.TUNNEL) {
                logger.debug("{} client closed during an exchange, closing upstream {}", ctx.channel(),
                        current.channel());
            }
            closeOnFlush(current.channel());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == IdleTimeoutHandler.IDLE) {
            onIdle("client");
            return;
        }
        if (event instanceof DrainRequested) {
            onDrainRequested();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    /**
     * Lets the exchange in progress finish with {@code Connection: close}, and closes a connection that waits for
     * its next request at once. A websocket tunnel stays open until the server's drain timeout.
     */
    private void onDrainRequested() {
        draining = true;
        if (!responseStarted) {
            clientKeepAlive = false;
        }
        if (phase == Phase.WAITING && !codec.receivedInput()) {
            closeNow("server draining");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        phase = Phase.CLOSED;
        NetErrors.logAndClose(ctx.channel(), "client connection", cause);
    }

    // ---- request side

    private boolean isHolding() {
        return phase == Phase.DISPATCHING || (phase == Phase.FORWARDING && requestComplete);
    }

    private void process(Object msg) {
        if (msg instanceof HttpRequest head) {
            onRequestHead(head);
        } else if (msg instanceof HttpContent content) {
            onRequestContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void drainPending() {
        Object msg;
        while (!isHolding() && phase != Phase.CLOSED && (msg = pending.poll()) != null) {
            if (phase == Phase.TUNNEL) {
                relayToUpstream(msg);
            } else {
                process(msg);
            }
        }
    }

    private void releasePending() {
        Object msg;
        while ((msg = pending.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void maybeReadClient() {
        UpstreamRelayHandler current = upstream;
        switch (phase) {
            case WAITING, DISCARDING -> ctx.read();
            case FORWARDING -> {
                if (requestComplete ? pending.isEmpty() : current != null && current.channel().isWritable()) {
                    // After the request, one more read notices a client that closes or pipelines a request.
                    ctx.read();
                }
            }
            case TUNNEL -> {
                if (current != null && current.channel().isWritable()) {
                    ctx.read();
                }
            }
            default -> { }
        }
    }

    private void onRequestHead(HttpRequest head) {
        if (phase != Phase.WAITING) {
            ReferenceCountUtil.release(head);
            closeNow("request head out of order");
            return;
        }

        resetExchange(head);
        if (head.decoderResult().isFailure()) {
            rejectMalformed(head.decoderResult().cause());
            return;
        }
        route(head);
    }

    private void resetExchange(HttpRequest head) {
        request = head;
        originalUri = head.uri();
        headRequest = head.method() == HttpMethod.HEAD;
        upgrade = ClientHttpCodec.isWebsocketUpgrade(head);
        http10Client = head.protocolVersion() == HttpVersion.HTTP_1_0;
        clientKeepAlive = HttpUtil.isKeepAlive(head) && !upgrade && !draining;
        requestHasBody = HttpUtil.isTransferEncodingChunked(head) || contentLength(head.headers()) > 0;
        requestComplete = false;
        responseStarted = false;
        interimResponse = false;
        upstreamReusable = false;
        upstreamReadPaused = false;
        retried = false;
        sentHead = null;
    }

    /** Returns the Content-Length, {@code -1} when absent, or {@link Long#MAX_VALUE} when it is not a number. */
    private static long contentLength(HttpHeaders headers) {
        String value = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private void route(HttpRequest head) {
        switch (proxy.router().route(head)) {
            case RoutingDecision.Forward forward -> {
                upstreamHost = forward.host();
                upstreamPort = forward.port();
                routePrefix = forward.route().prefix();
                head.setUri(forward.uri());
                authorize(head, forward.route(), forward.toolPrefix());
            }
            case RoutingDecision.Reject rejection -> reject(rejection.status(), rejection.reason());
            case RoutingDecision.HealthCheck healthCheck ->
                    respondAtHead(ErrorResponses.healthy(), HttpResponseStatus.OK, null);
        }
    }

    // ---- edge check

    private void authorize(HttpRequest head, Route route, @Nullable String toolPrefix) {
        CachingCredentialResolver credentials = proxy.credentials();
        String owner = route.user();
        if (owner == null || credentials == null) {
            dispatch(head, toolPrefix);
            return;
        }

        String token = EdgeCredentials.apiToken(head.headers());
        String cookie = token == null ? EdgeCredentials.sessionCookie(head.headers(), config.sessionCookieName()) : null;
        if (token == null && cookie == null) {
            denyUnauthenticated(head);
            return;
        }

        // One cache call per request, so that the statistics count each lookup once: a finished entry is used
        // here on the event loop, and a miss starts the delegate on the cache's executor.
        CompletableFuture<Optional<Identity>> resolution = token != null
                ? credentials.resolveTokenAsync(token)
                : credentials.resolveSessionAsync(cookie);
        if (resolution.isDone() && !resolution.isCompletedExceptionally()) {
            decide(head, route, toolPrefix, resolution.join());
            return;
        }

        phase = Phase.DISPATCHING;
        resolution.whenComplete((identity, error) -> ctx.executor().execute(() -> {
            if (phase == Phase.DISPATCHING && request == head) {
                resolved(head, route, toolPrefix, identity, error);
            }
        }));
    }

    private void resolved(HttpRequest head, Route route, @Nullable String toolPrefix,
            @Nullable Optional<Identity> identity, @Nullable Throwable error) {
        phase = Phase.WAITING;
        if (error != null || identity == null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause()
                    : error;
            if (proxy.allowWarning()) {
                logger.warn("{} credential resolver failed route={}: {}", ctx.channel(), route.prefix(),
                        String.valueOf(cause));
            } else {
                logger.debug("{} credential resolver failed route={}: {}", ctx.channel(), route.prefix(),
                        String.valueOf(cause));
            }
            reject(HttpResponseStatus.SERVICE_UNAVAILABLE, "credential resolver failed");
            return;
        }
        decide(head, route, toolPrefix, identity);
        drainPending();
        maybeReadClient();
    }

    private void decide(HttpRequest head, Route route, @Nullable String toolPrefix, Optional<Identity> identity) {
        if (identity.isEmpty()) {
            denyUnauthenticated(head);
        } else if (AccessPolicy.allows(identity.get(), route.user(), route.server())) {
            dispatch(head, toolPrefix);
        } else {
            reject(HttpResponseStatus.FORBIDDEN, "user " + identity.get().user() + " may not reach this server");
        }
    }

    private void denyUnauthenticated(HttpRequest head) {
        if (!upgrade && EdgeCredentials.acceptsHtml(head.headers())) {
            String login = config.loginUrl();
            String location = login + (login.indexOf('?') < 0 ? '?' : '&') + "next="
                    + URLEncoder.encode(originalUri, StandardCharsets.UTF_8);
            respondAtHead(ErrorResponses.redirect(location), HttpResponseStatus.FOUND, "no valid credentials");
        } else {
            reject(HttpResponseStatus.UNAUTHORIZED, "no valid credentials");
        }
    }

    // ---- upstream connection

    private void dispatch(HttpRequest head, @Nullable String toolPrefix) {
        prepareRequestHeaders(head, toolPrefix);
        phase = Phase.DISPATCHING;

        UpstreamRelayHandler pooled = proxy.pool(ctx.channel().eventLoop()).acquire(upstreamHost, upstreamPort);
        if (pooled != null) {
            attach(pooled, true);
            return;
        }
        openUpstream(head);
    }

    private void openUpstream(HttpRequest head) {
        UpstreamPool pool = proxy.pool(ctx.channel().eventLoop());
        UpstreamRelayHandler created = new UpstreamRelayHandler(upstreamHost, upstreamPort, pool, proxy.metrics(),
                new IdleTimeoutHandler());
        proxy.connect(ctx.channel(), created).addListener(
                (Future<Channel> future) -> connected(head, created, future));
    }

    private void prepareRequestHeaders(HttpRequest head, @Nullable String toolPrefix) {
        HttpHeaders headers = head.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(head);
        RelayHeaders.removeHopByHop(headers);
        if (chunked) {
            RelayHeaders.frameAsChunked(head);
        }
        if (upgrade) {
            RelayHeaders.addWebsocketUpgrade(headers);
        }
        if (config.addForwardedHeaders()) {
            RelayHeaders.setForwarded(headers, clientIp, connection.secure(), config.trustForwardedHeaders());
        }
        if (toolPrefix != null) {
            RelayHeaders.setForwardedPrefix(headers, toolPrefix);
        }
        head.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    private void connected(HttpRequest head, UpstreamRelayHandler created, Future<Channel> future) {
        if (phase != Phase.DISPATCHING || request != head) {
            if (future.isSuccess()) {
                future.getNow().close();
            }
            return;
        }
        if (future.isSuccess()) {
            attach(created, false);
            return;
        }

        Throwable cause = future.cause();
        boolean timedOut = cause instanceof ConnectTimeoutException;
        HttpResponseStatus status = timedOut ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY;
        logUpstreamError(status, timedOut ? "connect timed out" : "connect failed: " + cause);
        phase = Phase.WAITING;
        reject(status, null);
    }

    private void attach(UpstreamRelayHandler connected, boolean pooled) {
        HttpRequest head = request;
        request = null;
        sentHead = head;
        sentOnPooledConnection = pooled;
        upstream = connected;
        connected.owner(this);
        phase = Phase.FORWARDING;

        Channel channel = connected.channel();
        requestSentNanos = System.nanoTime();
        channel.write(head);
        if (requestComplete) {
            // A retry: the request had no body, and its end was consumed by the first attempt.
            channel.write(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        drainPending();
        channel.flush();
        channel.read();
        maybeReadClient();
    }

    private void onRequestContent(HttpContent content) {
        switch (phase) {
            case FORWARDING -> forwardRequestContent(content);
            case DISCARDING -> {
                boolean last = content instanceof LastHttpContent;
                content.release();
                if (last) {
                    startWaiting();
                }
            }
            default -> content.release();
        }
    }

    private void forwardRequestContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            content.release();
            abortExchange(HttpResponseStatus.BAD_REQUEST, "malformed request body: " + cause.getMessage());
            return;
        }
        if (content instanceof LastHttpContent) {
            requestComplete = true;
        }
        upstream.channel().write(content);
    }

    // ---- response side (called by UpstreamRelayHandler)

    void upstreamRead(Object msg) {
        if (phase == Phase.TUNNEL) {
            relayToClient(msg);
        } else if (phase != Phase.FORWARDING) {
            ReferenceCountUtil.release(msg);
        } else if (msg instanceof HttpResponse response) {
            onResponseHead(response);
        } else if (msg instanceof HttpContent content) {
            onResponseContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    void upstreamReadComplete() {
        UpstreamRelayHandler current = upstream;
        ctx.flush();
        if (current == null) {
            return;
        }
        if (ctx.channel().isWritable()) {
            current.channel().read();
        } else {
            upstreamReadPaused = true;
        }
    }

    void upstreamWritabilityChanged() {
        UpstreamRelayHandler current = upstream;
        if (current != null && current.channel().isWritable()) {
            maybeReadClient();
        }
    }

    void upstreamClosed(UpstreamRelayHandler closed) {
        if (closed != upstream) {
            return;
        }
        upstream = null;
        if (phase == Phase.TUNNEL) {
            closeTunnelCount();
            phase = Phase.CLOSED;
            closeOnFlush(ctx.channel());
        } else if (phase == Phase.FORWARDING && mayRetry()) {
            logger.debug("{} pooled upstream {} closed before answering, retrying on a new connection",
                    ctx.channel(), closed.channel());
            retried = true;
            request = sentHead;
            phase = Phase.DISPATCHING;
            openUpstream(sentHead);
        } else if (phase == Phase.FORWARDING) {
            Throwable failure = closed.failure();
            String reason = failure == null ? "upstream closed the connection" : "upstream failed: " + failure;
            abortExchange(HttpResponseStatus.BAD_GATEWAY, reason);
        }
    }

    /**
     * Returns whether a request that failed on a pooled connection may be sent again on a new one: the upstream may
     * have closed the idle connection just as the request went out (a race no client can avoid), so a request with
     * no body and an idempotent method (RFC 9110 section 9.2.2) is retried once, before any response arrived.
     */
    private boolean mayRetry() {
        if (!sentOnPooledConnection || retried || responseStarted || !requestComplete || requestHasBody
                || upgrade || sentHead == null) {
            return false;
        }
        HttpMethod method = sentHead.method();
        return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS
                || method == HttpMethod.PUT || method == HttpMethod.DELETE || method == HttpMethod.TRACE;
    }

    void upstreamIdle() {
        onIdle("upstream");
    }

    private void onIdle(String leg) {
        if (fetchingErrorPage) {
            // The page request has its own timeout and ends in a response either way, so wait for it.
            idleTimeout.setTimeout(config.upstreamIdleTimeout().toNanos(), TimeUnit.NANOSECONDS);
            return;
        }
        if (phase == Phase.FORWARDING) {
            abortExchange(HttpResponseStatus.GATEWAY_TIMEOUT,
                    "no traffic on the " + leg + " leg for " + config.upstreamIdleTimeout());
        } else if (phase == Phase.TUNNEL) {
            logger.debug("{} closing idle websocket tunnel", ctx.channel());
            closeNow("websocket idle");
        } else {
            closeNow(leg + " idle");
        }
    }

    private void onResponseHead(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            ReferenceCountUtil.release(response);
            abortExchange(HttpResponseStatus.BAD_GATEWAY,
                    "malformed upstream response: " + response.decoderResult().cause());
            return;
        }

        int code = response.status().code();
        if (code == 101) {
            if (upgrade) {
                switchToTunnel(response);
            } else {
                ReferenceCountUtil.release(response);
                abortExchange(HttpResponseStatus.BAD_GATEWAY, "upstream switched protocols without an upgrade request");
            }
            return;
        }
        if (code < 200) {
            relayInterim(response);
            return;
        }

        responseStarted = true;
        proxy.metrics().upstreamLatency(System.nanoTime() - requestSentNanos);
        proxy.metrics().response(code);
        upstreamReusable = HttpUtil.isKeepAlive(response) && !upgrade;
        if (!requestComplete || upgrade) {
            // An upstream that responds before the whole body arrived leaves the client's stream at an unknown point.
            clientKeepAlive = false;
        }
        prepareResponseHeaders(response, code);
        codec.respondingToHead(headRequest);
        ctx.write(response);
        if (code < 400) {
            proxy.routes().touch(routePrefix);
        }
    }

    private void prepareResponseHeaders(HttpResponse response, int code) {
        boolean bodiless = headRequest || code == 204 || code == 304;
        boolean delimited = response.headers().contains(HttpHeaderNames.CONTENT_LENGTH);
        RelayHeaders.removeHopByHop(response.headers());
        if (!bodiless && !delimited) {
            if (http10Client) {
                clientKeepAlive = false;
            } else {
                RelayHeaders.frameAsChunked(response);
            }
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (!clientKeepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10Client) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /** Relays a {@code 1xx} response such as {@code 100 Continue}; HTTP/1.0 clients do not understand them. */
    private void relayInterim(HttpResponse response) {
        interimResponse = true;
        if (http10Client) {
            ReferenceCountUtil.release(response);
            return;
        }
        RelayHeaders.removeHopByHop(response.headers());
        codec.respondingToHead(false);
        ctx.write(response);
    }

    private void onResponseContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            content.release();
            abortExchange(HttpResponseStatus.BAD_GATEWAY, "malformed upstream response body: " + cause);
            return;
        }

        boolean last = content instanceof LastHttpContent;
        if (interimResponse) {
            interimResponse = !last;
            if (http10Client) {
                content.release();
            } else {
                ctx.write(content);
            }
            return;
        }

        ctx.write(content);
        if (last) {
            completeResponse();
        }
    }

    private void completeResponse() {
        UpstreamRelayHandler finished = upstream;
        upstream = null;
        finished.owner(null);
        if (upstreamReusable && requestComplete && proxy.pool(ctx.channel().eventLoop()).release(finished)) {
            // A read stays pending while the connection is pooled, so that an upstream close is noticed at once.
            finished.channel().read();
        } else {
            finished.channel().close();
        }

        if (!clientKeepAlive) {
            phase = Phase.CLOSED;
            closeOnFlush(ctx.channel());
            return;
        }
        ctx.flush();
        startWaiting();
        drainPending();
        maybeReadClient();
    }

    // ---- websocket tunnel

    private void switchToTunnel(HttpResponse response) {
        UpstreamRelayHandler current = upstream;
        responseStarted = true;
        proxy.metrics().upstreamLatency(System.nanoTime() - requestSentNanos);
        proxy.metrics().response(101);
        proxy.metrics().tunnelOpened();
        tunnelCounted = true;

        RelayHeaders.removeHopByHop(response.headers());
        RelayHeaders.addWebsocketUpgrade(response.headers());
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        codec.respondingToHead(false);
        ctx.write(response);
        ctx.write(LastHttpContent.EMPTY_LAST_CONTENT);

        // From here on both legs carry raw bytes. Removing a decoder hands on the bytes it still buffers.
        phase = Phase.TUNNEL;
        ctx.pipeline().remove(codec);
        current.channel().pipeline().remove(HttpClientCodec.class);

        // A tunnel can stay open for hours: drop what only the HTTP exchange needed, so that an idle websocket
        // keeps neither the upgrade request's headers nor a head timeout task.
        sentHead = null;
        request = null;
        cancelHeadTimeoutCheck();

        long idleNanos = config.websocketIdleTimeout().toNanos();
        idleTimeout.setTimeout(idleNanos, TimeUnit.NANOSECONDS);
        current.idleTimeout().setTimeout(idleNanos, TimeUnit.NANOSECONDS);
        ctx.channel().config().setOption(ChannelOption.SO_KEEPALIVE, true);
        current.channel().config().setOption(ChannelOption.SO_KEEPALIVE, true);

        drainPending();
        ctx.flush();
        current.channel().flush();
        touchTunnel();
        maybeReadClient();
    }

    private void relayToUpstream(Object msg) {
        ByteBuf bytes = bytesOf(msg);
        UpstreamRelayHandler current = upstream;
        if (bytes == null || current == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        touchTunnel();
        current.channel().write(bytes);
    }

    private void relayToClient(Object msg) {
        ByteBuf bytes = bytesOf(msg);
        if (bytes == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        touchTunnel();
        ctx.write(bytes);
    }

    /** Returns the bytes of a tunnel message, or {@code null} for an empty decoder leftover such as the last content. */
    private static @Nullable ByteBuf bytesOf(Object msg) {
        if (msg instanceof ByteBuf bytes) {
            return bytes;
        }
        if (msg instanceof ByteBufHolder holder && holder.content().isReadable()) {
            return holder.content();
        }
        return null;
    }

    private void touchTunnel() {
        long now = System.currentTimeMillis();
        if (now - lastTunnelTouchMillis >= TUNNEL_TOUCH_INTERVAL_MILLIS) {
            lastTunnelTouchMillis = now;
            proxy.routes().touch(routePrefix);
        }
    }

    private void closeTunnelCount() {
        if (tunnelCounted) {
            tunnelCounted = false;
            proxy.metrics().tunnelClosed();
        }
    }

    // ---- answers of the proxy itself

    private void rejectMalformed(Throwable cause) {
        HttpResponseStatus status;
        if (cause instanceof TooLongHttpHeaderException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        } else if (cause instanceof TooLongHttpLineException) {
            status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
        } else if (cause instanceof TooLongFrameException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        } else {
            status = HttpResponseStatus.BAD_REQUEST;
        }
        // The decoder discards everything after a malformed head, so the connection cannot continue.
        clientKeepAlive = false;
        reject(status, "malformed request: " + cause.getMessage());
    }

    /**
     * Answers the current request with a short error response, or the error target's page for it; {@code reason}
     * goes to the DEBUG log only.
     */
    private void reject(HttpResponseStatus status, @Nullable String reason) {
        if (reason != null) {
            logger.debug("{} {} {} reason={}", ctx.channel(), status.code(), originalUri, reason);
        }
        withErrorResponse(status, response -> respondAtHead(response, status, null));
    }

    /**
     * Passes the error response for {@code status} to {@code then}, on the event loop. With an error target the page
     * is fetched first, while the connection holds its input as during the edge check. Websocket upgrades and HEAD
     * requests get the plain response, as with configurable-http-proxy.
     */
    private void withErrorResponse(HttpResponseStatus status, Consumer<FullHttpResponse> then) {
        ErrorPages pages = proxy.errorPages();
        if (pages == null || upgrade || headRequest || !ErrorPages.covers(status)) {
            then.accept(ErrorResponses.create(status));
            return;
        }

        phase = Phase.DISPATCHING;
        fetchingErrorPage = true;
        pages.fetch(status, originalUri).thenAccept(page -> ctx.executor().execute(() -> {
            if (!fetchingErrorPage || phase != Phase.DISPATCHING) {
                // The connection closed while the page was on its way.
                page.release();
                return;
            }
            fetchingErrorPage = false;
            then.accept(page);
        }));
    }

    /**
     * Sends a response the proxy made instead of an upstream one, before anything was relayed. The connection
     * stays open when the request has no body left to skip.
     */
    private void respondAtHead(FullHttpResponse response, HttpResponseStatus status, @Nullable String reason) {
        if (reason != null) {
            logger.debug("{} {} {} reason={}", ctx.channel(), status.code(), originalUri, reason);
        }
        request = null;
        boolean keepAlive = clientKeepAlive && !requestHasBody;
        phase = keepAlive ? Phase.DISCARDING : Phase.CLOSED;
        send(response, status, keepAlive);
        if (keepAlive && requestComplete) {
            // A failed retry: the end of this request was already read.
            startWaiting();
        }
        if (keepAlive) {
            drainPending();
            maybeReadClient();
        }
    }

    /** Ends an exchange that already went upstream, with an error response if none has started yet. */
    private void abortExchange(HttpResponseStatus status, String reason) {
        UpstreamRelayHandler current = upstream;
        upstream = null;
        if (current != null) {
            current.owner(null);
            current.channel().close();
        }

        if (status.code() >= 500) {
            logUpstreamError(status, reason);
        } else {
            logger.debug("{} {} {} reason={}", ctx.channel(), status.code(), originalUri, reason);
        }
        if (responseStarted) {
            closeNow(reason);
            return;
        }

        boolean keepAlive = clientKeepAlive && requestComplete && !upgrade;
        withErrorResponse(status, response -> {
            phase = keepAlive ? Phase.WAITING : Phase.CLOSED;
            send(response, status, keepAlive);
            if (keepAlive) {
                startWaiting();
                drainPending();
                maybeReadClient();
            }
        });
    }

    private void send(FullHttpResponse response, HttpResponseStatus status, boolean keepAlive) {
        proxy.metrics().response(status.code());
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10Client) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        codec.respondingToHead(headRequest);
        ChannelFuture written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            releasePending();
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void logUpstreamError(HttpResponseStatus status, String reason) {
        if (proxy.allowWarning()) {
            logger.warn("{} {} route={} upstream={}:{} reason={}", ctx.channel(), status.code(), routePrefix,
                    upstreamHost, upstreamPort, reason);
        } else {
            logger.debug("{} {} route={} upstream={}:{} reason={}", ctx.channel(), status.code(), routePrefix,
                    upstreamHost, upstreamPort, reason);
        }
    }

    // ---- timeouts and closing

    private void startWaiting() {
        if (draining) {
            logger.debug("{} closing client connection reason=server draining", ctx.channel());
            phase = Phase.CLOSED;
            releasePending();
            closeOnFlush(ctx.channel());
            return;
        }
        phase = Phase.WAITING;
        waitStartNanos = System.nanoTime();
        codec.startWaiting();
    }

    /**
     * Closes a connection that has waited longer than the head timeout for a complete request head. Otherwise the
     * check schedules itself again, for the rest of the current wait or a whole timeout while a request is active.
     */
    private void checkHeadTimeout() {
        if (phase == Phase.CLOSED || phase == Phase.TUNNEL || !ctx.channel().isActive()) {
            return;
        }

        long timeoutNanos = config.requestHeadTimeout().toNanos();
        long waitedNanos = System.nanoTime() - waitStartNanos;
        if (phase != Phase.WAITING) {
            scheduleHeadTimeoutCheck(timeoutNanos);
        } else if (waitedNanos < timeoutNanos) {
            scheduleHeadTimeoutCheck(timeoutNanos - waitedNanos);
        } else if (codec.receivedInput()) {
            // A started but unfinished head: tell the client why before closing.
            logger.debug("{} request head timed out", ctx.channel());
            clientKeepAlive = false;
            headRequest = false;
            phase = Phase.CLOSED;
            send(ErrorResponses.create(HttpResponseStatus.REQUEST_TIMEOUT), HttpResponseStatus.REQUEST_TIMEOUT, false);
        } else {
            closeNow("idle keep-alive connection");
        }
    }

    private void scheduleHeadTimeoutCheck(long delayNanos) {
        headTimeoutTask = ctx.executor().schedule(headTimeoutCheck, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void cancelHeadTimeoutCheck() {
        ScheduledFuture<?> pending = headTimeoutTask;
        if (pending != null) {
            headTimeoutTask = null;
            pending.cancel(false);
        }
    }

    private void closeNow(String reason) {
        logger.debug("{} closing client connection reason={}", ctx.channel(), reason);
        phase = Phase.CLOSED;
        releasePending();
        UpstreamRelayHandler current = upstream;
        upstream = null;
        if (current != null) {
            current.owner(null);
            current.channel().close();
        }
        closeTunnelCount();
        ctx.close();
    }

    /** Closes a channel once everything written to it so far is flushed. */
    static void closeOnFlush(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }
}
