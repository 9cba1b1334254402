package io.mlhub.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafeRedirectsTest {

    @ParameterizedTest
    @ValueSource(strings = {"/user/alice/lab?x=1", "/hub/home", "/user/a/tree#top"})
    void sameOriginPathsAreKept(String next) {
        assertThat(SafeRedirects.next(next, "/", "/hub/home")).isEqualTo(next);
    }

    @ParameterizedTest
    @ValueSource(strings = {"//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
        "evil", "/a\r\nLocation: x", "/a b", "/hub/../../etc", ""})
    void otherTargetsFallBack(String next) {
        assertThat(SafeRedirects.next(next, "/", "/hub/home")).isEqualTo("/hub/home");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/other/x", "/", "/basex"})
    void pathsOutsideTheBaseUrlFallBack(String next) {
        assertThat(SafeRedirects.next(next, "/base/", "/base/hub/home")).isEqualTo("/base/hub/home");
    }
}
