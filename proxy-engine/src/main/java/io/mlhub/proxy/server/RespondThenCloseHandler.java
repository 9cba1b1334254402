package io.mlhub.proxy.server;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Responds to the first request of a connection with a response chosen from its head, then closes the
 * connection. The request body is read and dropped before the response goes out, so that closing the
 * socket with unread bytes does not turn into a TCP reset that would hide the answer from the client.
 * Sits behind an {@code HttpServerCodec}.
 */
final class RespondThenCloseHandler extends ChannelInboundHandlerAdapter {
    private final Function<HttpRequest, FullHttpResponse> responder;
    private FullHttpResponse pending;
    private boolean responded;

    RespondThenCloseHandler(Function<HttpRequest, FullHttpResponse> responder) {
        this.responder = requireNonNull(responder, "responder");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request && pending == null && !responded) {
                pending = request.decoderResult().isSuccess()
                        ? responder.apply(request)
                        : textResponse(HttpResponseStatus.BAD_REQUEST, "malformed request\n");
            }
            if (msg instanceof LastHttpContent && pending != null) {
                respond(ctx);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        NetErrors.logAndClose(ctx.channel(), "fixed http response", cause);
    }

    private void respond(ChannelHandlerContext ctx) {
        FullHttpResponse response = pending;
        pending = null;
        responded = true;
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /** Returns a plain-text response with {@code status} and {@code text} as the body. */
    static FullHttpResponse textResponse(HttpResponseStatus status, String text) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        return response;
    }
}
