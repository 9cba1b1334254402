package io.mlhub.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import java.util.List;

/**
 * The HTTP/1.1 codec of the client leg. It differs from Netty's {@code HttpServerCodec} in three ways that a
 * proxy needs:
 * <ul>
 *   <li>a request with both {@code Content-Length} and {@code Transfer-Encoding} is marked as failed instead of
 *       being repaired, so that the relay rejects it (RFC 9112 section 6.3 allows either, and rejecting leaves no
 *       room for request smuggling);
 *   <li>after a websocket upgrade request, the decoder stops parsing and passes every further byte on as a raw
 *       {@link ByteBuf}, so bytes a client sends right behind the handshake are kept for the tunnel;
 *   <li>the encoder learns from the relay whether the response is for a {@code HEAD} request, which also
 *       stays correct across interim {@code 1xx} responses.
 * </ul>
 */
final class ClientHttpCodec extends CombinedChannelDuplexHandler<ClientHttpCodec.RequestDecoder,
        ClientHttpCodec.ResponseEncoder> {

    ClientHttpCodec(HttpProxyConfig config) {
        HttpDecoderConfig decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxInitialLineLength())
                .setMaxHeaderSize(config.maxHeaderSize())
                .setMaxChunkSize(config.maxChunkSize())
                .setAllowDuplicateContentLengths(false)
                .setAllowPartialChunks(true)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true);
        init(new RequestDecoder(decoderConfig), new ResponseEncoder());
    }

    /** Returns whether bytes of a request head arrived since the last call to {@link #startWaiting}. */
    boolean receivedInput() {
        return inboundHandler().receivedInput;
    }

    /** Marks the start of a wait for the next request head. */
    void startWaiting() {
        inboundHandler().receivedInput = false;
    }

    /** Tells the encoder whether the next response is for a {@code HEAD} request. */
    void respondingToHead(boolean head) {
        outboundHandler().headRequest = head;
    }

    /** Returns whether a message is a websocket upgrade request this proxy passes through. */
    static boolean isWebsocketUpgrade(HttpRequest request) {
        return request.method() == HttpMethod.GET
                && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && !request.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
                && !request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING);
    }

    static final class RequestDecoder extends HttpRequestDecoder {
        private boolean passThrough;
        private boolean receivedInput;

        RequestDecoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (passThrough) {
                if (buffer.isReadable()) {
                    out.add(buffer.readRetainedSlice(buffer.readableBytes()));
                }
                return;
            }

            if (buffer.isReadable()) {
                receivedInput = true;
            }
            int before = out.size();
            super.decode(ctx, buffer, out);
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpRequest request
                        && request.decoderResult().isSuccess()
                        && isWebsocketUpgrade(request)) {
                    passThrough = true;
                }
            }
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            super.handleTransferEncodingChunkedWithContentLength(message);
            message.setDecoderResult(DecoderResult.failure(
                    new IllegalArgumentException("request has both Content-Length and Transfer-Encoding")));
        }
    }

    static final class ResponseEncoder extends HttpResponseEncoder {
        private boolean headRequest;

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse response) {
            return (headRequest && response.status().code() >= 200) || super.isContentAlwaysEmpty(response);
        }
    }
}
