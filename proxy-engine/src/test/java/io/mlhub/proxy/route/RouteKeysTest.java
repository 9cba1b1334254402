package io.mlhub.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RouteKeysTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "/                          | /",
        "/user/alice                | /user/alice",
        "/user/alice/               | /user/alice",
        "//user///alice//           | /user/alice",
        "/user/%61lice              | /user/alice",
        "/user/%7Ealice%2d%2E%5f    | /user/~alice-._",
        "/user/a%40b                | /user/a@b",
        "/user/a@b                  | /user/a@b",
        "/user/a%2Fb                | /user/a%2Fb",
        "/user/a%2fb/x              | /user/a%2Fb/x",
        "/user/a%2F..%2Fb           | /user/a%2F..%2Fb",
        "/user/a b                  | /user/a%20b",
        "/user/a%20b                | /user/a%20b",
        "`/user/a\"b`               | /user/a%22b",
        "/user/(a)'!*+,;=:$&        | /user/(a)'!*+,;=:$&",
        "/user/%28a%29              | /user/%28a%29",
        "/user/a\\b                 | /user/a%5Cb",
        "/user/a%5cb                | /user/a%5Cb",
        "/user/jürgen               | /user/j%C3%BCrgen",
        "/user/j%c3%bcrgen          | /user/j%C3%BCrgen",
        "/user/%25                  | /user/%25",
        "/user/./alice              | /user/alice",
        "/user/alice/.              | /user/alice",
        "/user/bob/../alice         | /user/alice",
        "/user/bob/%2e%2e/alice     | /user/alice",
        "/user/bob/%2E%2e/alice/x/  | /user/alice/x",
        "/user/alice/..             | /user",
        "/a/..                      | /",
        "/user/...                  | /user/...",
        "/user/..a                  | /user/..a",
        "/a?b#c                     | /a%3Fb%23c",
    })
    void canonicalForms(String input, String canonical) {
        assertThat(RouteKeys.canonical(input.strip())).isEqualTo(canonical);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "", "user", "/..", "/../user/alice", "/user/../..", "/%2e%2e", "/a/%2E%2E/%2e%2e/b",
        "/a%", "/a%2", "/a%zz", "/a%g0", "/a%00", "/a%1f", "/a%7F", "/a\u0000", "/a\nb", "/a\u0085",
        "/a%\u0661\u0662",
    })
    void malformedPathsAreRejected(String input) {
        assertThatIllegalArgumentException().isThrownBy(() -> RouteKeys.canonical(input));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/user/alice/          | /user/alice/",
        "/user/alice           | /user/alice",
        "/user/alice/x/..      | /user/alice/",
        "/user/%61lice/lab/    | /user/alice/lab/",
        "/                     | /",
    })
    void normalizeKeepsTheTrailingSlash(String input, String normalized) {
        assertThat(RouteKeys.normalize(input.strip())).isEqualTo(normalized);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/user/a%b            | /user/a%25b",
        "/user/jürgen/        | /user/j%C3%BCrgen",
        "/user/a b            | /user/a%20b",
        "/user/a@b            | /user/a@b",
    })
    void decodedPathsTreatPercentLiterally(String decoded, String canonical) {
        assertThat(RouteKeys.canonicalFromDecoded(decoded.strip())).isEqualTo(canonical);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/user/j%C3%BCrgen    | /user/jürgen",
        "/user/a%20b          | /user/a b",
        "/user/a%25b          | /user/a%b",
        "/user/alice          | /user/alice",
    })
    void decodeReturnsTheReadableForm(String canonical, String decoded) {
        assertThat(RouteKeys.decode(canonical.strip())).isEqualTo(decoded);
        assertThat(RouteKeys.canonicalFromDecoded(decoded)).isEqualTo(canonical.strip());
    }

    @org.junit.jupiter.api.Test
    void normalPathIsReturnedWithoutCopy() {
        String path = "/user/alice/lab/tree";

        assertThat(RouteKeys.normalize(path)).isSameAs(path);
    }
}
