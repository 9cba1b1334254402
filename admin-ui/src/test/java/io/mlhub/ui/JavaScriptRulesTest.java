package io.mlhub.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs rules.test.mjs with node's test runner against copies of validate.js and sshkey.js, which
 * use no browser API that Node.js 20 lacks.
 */
class JavaScriptRulesTest {

    @Test
    void inputRulesAndKeyCodePassNodeTests(@TempDir Path scratch) throws Exception {
        copy(UiAssets.STATIC_ROOT + "js/validate.js", scratch.resolve("validate.mjs"));
        copy(UiAssets.STATIC_ROOT + "js/sshkey.js", scratch.resolve("sshkey.mjs"));
        copy("io/mlhub/ui/rules.test.mjs", scratch.resolve("rules.test.mjs"));

        Process node = new ProcessBuilder("node", "--test", "rules.test.mjs")
                .directory(scratch.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(node.exitValue()).as(output).isZero();
        assertThat(output).contains("# pass 7", "# fail 0");
    }

    private static void copy(String resource, Path target) throws Exception {
        try (InputStream in = JavaScriptRulesTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            Files.copy(in, target);
        }
    }
}
