package io.mlhub.proxy.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Fires {@link #IDLE} as a user event when a channel has seen neither a read nor a flush for the current timeout.
 * Unlike Netty's {@code IdleStateHandler}, the timeout can change at any time (the relay sets it per phase:
 * request, websocket tunnel, pooled), and a timeout of zero turns the check off.
 *
 * <p>Activity is recorded once per read batch and once per flush, not per message, and the check re-arms a
 * single timer, so the cost per request is two clock reads. Closing the channel cancels the timer. Otherwise the
 * event loop's task queue keeps the closed channel and its pipeline reachable for the rest of the timeout (5
 * minutes by default), and the garbage collector copies them into the old generation.
 */
final class IdleTimeoutHandler extends ChannelDuplexHandler {
    /** The user event fired when the timeout expires. */
    static final Object IDLE = new Object() {
        @Override
        public String toString() {
            return "IDLE";
        }
    };

    private ChannelHandlerContext ctx;
    private long timeoutNanos;
    private long lastActivityNanos;
    private @Nullable ScheduledFuture<?> timer;
    private long nextCheckNanos;
    private final Runnable check = this::check;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Sets the timeout, counted from now; must be called on the event loop. Zero turns the check off. */
    void setTimeout(long timeout, TimeUnit unit) {
        timeoutNanos = unit.toNanos(timeout);
        lastActivityNanos = System.nanoTime();
        // A shorter timeout than the pending check allows needs its own, earlier check.
        if (timeoutNanos <= 0) {
            cancel();
        } else if (timer == null || lastActivityNanos + timeoutNanos - nextCheckNanos < 0) {
            arm(timeoutNanos);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (timeoutNanos > 0) {
            lastActivityNanos = System.nanoTime();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (timeoutNanos > 0) {
            lastActivityNanos = System.nanoTime();
        }
        ctx.flush();
    }

    private void arm(long delayNanos) {
        // The new check comes before the pending one, so the pending one is no longer needed.
        cancel();
        nextCheckNanos = System.nanoTime() + delayNanos;
        timer = ctx.executor().schedule(check, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        ScheduledFuture<?> pending = timer;
        if (pending != null) {
            timer = null;
            pending.cancel(false);
        }
    }

    private void check() {
        timer = null;
        if (timeoutNanos <= 0 || !ctx.channel().isOpen()) {
            return;
        }

        long idleNanos = System.nanoTime() - lastActivityNanos;
        if (idleNanos >= timeoutNanos) {
            ctx.fireUserEventTriggered(IDLE);
        } else {
            arm(timeoutNanos - idleNanos);
        }
    }
}
