package io.mlhub.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UiAssetsTest {

    @Test
    void everyPageHasAResourceOnTheClasspath() {
        assertThat(UiAssets.pageNames())
                .containsExactly("login", "signup", "home", "token", "admin", "ssh", "change-password");

        for (String page : UiAssets.pageNames()) {
            assertThat(getClass().getClassLoader().getResource(UiAssets.pageResource(page)))
                    .as("resource of page %s", page)
                    .isNotNull();
        }
    }

    @Test
    void unknownPageIsRejected() {
        assertThatThrownBy(() -> UiAssets.pageResource("spawn"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pageName: spawn");
    }

    @Test
    void staticPathsStayInsideTheStaticFolder() {
        assertThat(UiAssets.staticResource("js/api.js")).contains("io/mlhub/ui/static/js/api.js");
        assertThat(UiAssets.staticResource("../UiAssets.class")).isEmpty();
        assertThat(UiAssets.staticResource("js/../../x.js")).isEmpty();
        assertThat(UiAssets.staticResource("/etc/passwd")).isEmpty();
        assertThat(UiAssets.staticResource("js//api.js")).isEmpty();
        assertThat(UiAssets.staticResource("js/%2e%2e/x.js")).isEmpty();
        assertThat(UiAssets.staticResource("")).isEmpty();
    }

    @Test
    void contentTypeFollowsTheExtension() {
        assertThat(UiAssets.contentType("home.html")).isEqualTo("text/html; charset=utf-8");
        assertThat(UiAssets.contentType("js/api.js")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(UiAssets.contentType("img/logo.svg")).isEqualTo("image/svg+xml");
        assertThat(UiAssets.contentType("LICENSE")).isEqualTo("application/octet-stream");
    }
}
