package io.mlhub.sshmux;

import java.time.Duration;
import java.util.function.LongSupplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Token buckets of failed logins, one per client address and one per user name. Each failure takes a token from
 * both buckets, and a bucket gains one token per refill period up to the burst size. A login attempt is rejected
 * while either bucket is empty. So one address guessing many names, and many addresses guessing one name, each
 * get the burst plus one try per period.
 */
final class AuthFailureLimiter {

    private static final int MAX_TRACKED = 100_000;

    private final int burst;
    private final long refillNanos;
    private final LongSupplier nanoClock;
    private final Cache<String, Bucket> buckets;

    AuthFailureLimiter(int burst, Duration refill) {
        this(burst, refill, System::nanoTime);
    }

    AuthFailureLimiter(int burst, Duration refill, LongSupplier nanoClock) {
        this.burst = burst;
        this.refillNanos = refill.toNanos();
        this.nanoClock = nanoClock;
        // An untouched bucket is full again after burst * refill, so it can be forgotten then.
        this.buckets = Caffeine.newBuilder()
                .maximumSize(MAX_TRACKED)
                .expireAfterAccess(refill.multipliedBy(burst))
                .build();
    }

    /** Returns {@code true} when the address or the user name has used up its failed logins. */
    boolean isBlocked(String address, String user) {
        return isEmpty(addressKey(address)) || isEmpty(userKey(user));
    }

    /**
     * Records one failed login of {@code user} from {@code address}. Returns {@code true} when this failure used
     * up the last try of the address or of the user name.
     */
    boolean recordFailure(String address, String user) {
        boolean addressBlocked = take(addressKey(address));
        boolean userBlocked = take(userKey(user));
        return addressBlocked || userBlocked;
    }

    private boolean isEmpty(String key) {
        Bucket bucket = buckets.getIfPresent(key);
        if (bucket == null) {
            return false;
        }
        synchronized (bucket) {
            return bucket.available(nanoClock.getAsLong()) < 1;
        }
    }

    /** Takes one token from the bucket of {@code key}; returns {@code true} if that emptied it. */
    private boolean take(String key) {
        Bucket bucket = buckets.get(key, k -> new Bucket(burst, nanoClock.getAsLong()));
        synchronized (bucket) {
            long now = nanoClock.getAsLong();
            double before = bucket.available(now);
            bucket.tokens = Math.max(0, before - 1);
            bucket.updatedNanos = now;
            return before >= 1 && bucket.tokens < 1;
        }
    }

    private static String addressKey(String address) {
        return "address:" + address;
    }

    private static String userKey(String user) {
        return "user:" + user;
    }

    private final class Bucket {

        private double tokens;
        private long updatedNanos;

        private Bucket(double tokens, long updatedNanos) {
            this.tokens = tokens;
            this.updatedNanos = updatedNanos;
        }

        private double available(long now) {
            double refilled = (double) (now - updatedNanos) / refillNanos;
            return Math.min(burst, tokens + refilled);
        }
    }
}
