package io.mlhub.proxy.server;

import io.netty.channel.Channel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.timeout.TimeoutException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sorts network errors into the expected kind (a peer that resets, hangs up or fails a TLS handshake),
 * logged at DEBUG, and the rest, logged once at WARN. Set the system property
 * {@code mlhub.proxy.logExpectedErrors=true} to log expected errors at WARN too while debugging.
 */
public final class NetErrors {
    private static final Logger logger = LoggerFactory.getLogger(NetErrors.class);

    private static final boolean LOG_EXPECTED = Boolean.getBoolean("mlhub.proxy.logExpectedErrors");

    private NetErrors() {}

    /** Returns whether {@code cause} is the ordinary noise of clients that go away or speak badly. */
    public static boolean isExpected(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (isExpectedType(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** Logs {@code cause} for {@code channel} at DEBUG when expected, else at WARN, and closes the channel. */
    public static void logAndClose(Channel channel, String context, Throwable cause) {
        log(channel, context, cause);
        channel.close();
    }

    /** Logs {@code cause} for {@code channel} at DEBUG when expected, else at WARN. */
    public static void log(Channel channel, String context, Throwable cause) {
        if (isExpected(cause) && !LOG_EXPECTED) {
            logger.debug("{} {} failed: {}", channel, context, cause.toString());
            return;
        }

        if (logger.isDebugEnabled()) {
            logger.warn("{} {} failed", channel, context, cause);
        } else {
            logger.warn("{} {} failed: {}", channel, context, cause.toString());
        }
    }

    private static boolean isExpectedType(Throwable t) {
        if (t instanceof ClosedChannelException
                || t instanceof SSLException
                || t instanceof NotSslRecordException
                || t instanceof TimeoutException) {
            return true;
        }
        if (t instanceof DecoderException && t.getCause() instanceof SSLException) {
            return true;
        }
        return t instanceof IOException && isResetOrBrokenPipe(t.getMessage())
                || t instanceof SocketException;
    }

    private static boolean isResetOrBrokenPipe(String message) {
        if (message == null) {
            return false;
        }
        return message.contains("Connection reset")
                || message.contains("Broken pipe")
                || message.contains("connection was aborted")
                || message.contains("Connection timed out");
    }
}
