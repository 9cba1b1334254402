package io.mlhub.proxy.chp;

import io.mlhub.proxy.server.NetErrors;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves the route API and the Prometheus metrics on the API port, behind an HTTP codec and aggregator. */
@Sharable
final class ChpApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger logger = LoggerFactory.getLogger(ChpApiHandler.class);

    static final String METRICS_PATH = "/metrics";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final @Nullable ChpRouteApi api;
    private final @Nullable PrometheusMeterRegistry prometheus;

    /** Creates the handler; a {@code null} API serves only the metrics, as a separate metrics port does. */
    ChpApiHandler(@Nullable ChpRouteApi api, @Nullable PrometheusMeterRegistry prometheus) {
        this.api = api;
        this.prometheus = prometheus;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        ApiResponse answer = answer(request);
        logger.debug("{} api request method={} uri={} status={}",
                ctx.channel(), request.method(), request.uri(), answer.status());
        write(ctx, request, answer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        NetErrors.logAndClose(ctx.channel(), "route api", cause);
    }

    private ApiResponse answer(FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            return ApiResponse.text(400, "Bad Request");
        }

        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        if (uri.rawPath().equals(METRICS_PATH)) {
            return metrics(request);
        }
        if (api == null) {
            return ApiResponse.text(404, "Not Found");
        }
        return api.handle(
                request.method().name(),
                uri.rawPath(),
                uri.parameters(),
                request.headers().get(HttpHeaderNames.AUTHORIZATION),
                ByteBufUtil.getBytes(request.content()));
    }

    private ApiResponse metrics(FullHttpRequest request) {
        if (prometheus == null) {
            return ApiResponse.text(404, "Not Found");
        }
        if (!request.method().equals(HttpMethod.GET)) {
            return ApiResponse.text(405, "Method not supported");
        }
        byte[] text = prometheus.scrape().getBytes(StandardCharsets.UTF_8);
        return new ApiResponse(200, PROMETHEUS_TEXT, text);
    }

    private static void write(ChannelHandlerContext ctx, FullHttpRequest request, ApiResponse answer) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(answer.body()));
        if (answer.contentType() != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);

        boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }
}
