package io.mlhub.sshmux;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class AuthFailureLimiterTest {

    private final AtomicLong clock = new AtomicLong();
    private final AuthFailureLimiter limiter = new AuthFailureLimiter(3, Duration.ofSeconds(10), clock::get);

    @Test
    void addressIsBlockedAfterBurst() {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.isBlocked("10.0.0.1", "user" + i)).isFalse();
            limiter.recordFailure("10.0.0.1", "user" + i);
        }

        assertThat(limiter.isBlocked("10.0.0.1", "someone")).isTrue();
        assertThat(limiter.isBlocked("10.0.0.2", "someone")).as("other address").isFalse();
    }

    @Test
    void failureThatEmptiesBucketIsReported() {
        assertThat(limiter.recordFailure("10.0.0.1", "alice")).isFalse();
        assertThat(limiter.recordFailure("10.0.0.1", "alice")).isFalse();

        assertThat(limiter.recordFailure("10.0.0.1", "alice")).isTrue();
        assertThat(limiter.recordFailure("10.0.0.1", "alice")).as("already empty").isFalse();
    }

    @Test
    void userIsBlockedFromEveryAddress() {
        for (int i = 0; i < 3; i++) {
            limiter.recordFailure("10.0.0." + i, "alice");
        }

        assertThat(limiter.isBlocked("10.0.0.99", "alice")).isTrue();
        assertThat(limiter.isBlocked("10.0.0.99", "bob")).isFalse();
    }

    @Test
    void oneTryComesBackPerRefillPeriod() {
        for (int i = 0; i < 3; i++) {
            limiter.recordFailure("10.0.0.1", "alice");
        }

        clock.addAndGet(Duration.ofSeconds(10).toNanos());

        assertThat(limiter.isBlocked("10.0.0.1", "alice")).isFalse();
        limiter.recordFailure("10.0.0.1", "alice");
        assertThat(limiter.isBlocked("10.0.0.1", "alice")).isTrue();
    }
}
