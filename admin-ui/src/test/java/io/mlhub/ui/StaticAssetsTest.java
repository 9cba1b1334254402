package io.mlhub.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks the static files as the build packs them: links, labels, module syntax and imports. */
class StaticAssetsTest {

    private static final Pattern LINK = Pattern.compile("\\b(?:src|href)=\"([^\"]*)\"");
    private static final Pattern LABEL_FOR = Pattern.compile("<label[^>]*\\bfor=\"([^\"]+)\"");
    private static final Pattern ID = Pattern.compile("\\bid=\"([^\"]+)\"");
    private static final Pattern IMPORT = Pattern.compile("import\\s*\\{([^}]*)}\\s*from\\s*\"([^\"]+)\"");

    private final Path root = staticRoot();

    private static Path staticRoot() {
        try {
            return Path.of(StaticAssetsTest.class.getClassLoader().getResource(UiAssets.STATIC_ROOT).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void pagesLinkOnlyToExistingFilesAndPages() throws IOException {
        List<String> broken = new ArrayList<>();

        for (String page : UiAssets.pageNames()) {
            String html = read(root.resolve(page + ".html"));
            Matcher link = LINK.matcher(html);
            while (link.find()) {
                String target = link.group(1);
                if (!isResolvable(target)) {
                    broken.add(page + ": " + target);
                }
            }
        }

        assertThat(broken).as("links that resolve to no file or page").isEmpty();
    }

    private boolean isResolvable(String target) {
        if (target.startsWith("#")) {
            return true;
        }
        if (target.startsWith("static/")) {
            return UiAssets.staticResource(target.substring("static/".length()))
                    .map(resource -> Files.isRegularFile(root.resolve(resource.substring(UiAssets.STATIC_ROOT.length()))))
                    .orElse(false);
        }
        return UiAssets.pageNames().contains(target);
    }

    @Test
    void labelsPointToExistingInputs() throws IOException {
        List<String> orphans = new ArrayList<>();

        for (String page : UiAssets.pageNames()) {
            String html = read(root.resolve(page + ".html"));
            Set<String> ids = matches(ID, html, 1);
            for (String target : matches(LABEL_FOR, html, 1)) {
                if (!ids.contains(target)) {
                    orphans.add(page + ": " + target);
                }
            }
        }

        assertThat(orphans).as("labels whose input is missing").isEmpty();
    }

    @Test
    void everyModuleParses(@TempDir Path scratch) throws Exception {
        List<Path> modules = javaScriptFiles();
        assertThat(modules).hasSizeGreaterThan(10);

        for (Path module : modules) {
            // A .mjs copy makes node parse the file as an ES module, whatever the nearest package.json sets.
            Path copy = scratch.resolve(root.relativize(module).toString().replace('/', '_') + ".mjs");
            Files.copy(module, copy);
            Process node = new ProcessBuilder("node", "--check", copy.toString()).redirectErrorStream(true).start();
            String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(node.waitFor(30, TimeUnit.SECONDS)).as("node finished on %s", module).isTrue();

            assertThat(node.exitValue()).as("node --check %s: %s", root.relativize(module), output).isZero();
        }
    }

    @Test
    void importsNameExportsOfExistingModules() throws IOException {
        List<String> problems = new ArrayList<>();

        for (Path module : javaScriptFiles()) {
            Matcher statement = IMPORT.matcher(read(module));
            while (statement.find()) {
                Path target = module.getParent().resolve(statement.group(2)).normalize();
                if (!Files.isRegularFile(target) || !target.startsWith(root)) {
                    problems.add(root.relativize(module) + " imports missing " + statement.group(2));
                    continue;
                }
                String exported = read(target);
                for (String name : statement.group(1).split(",")) {
                    String trimmed = name.trim();
                    if (!trimmed.isEmpty() && !exports(exported, trimmed)) {
                        problems.add(root.relativize(module) + " imports " + trimmed + " that " + statement.group(2) + " does not export");
                    }
                }
            }
        }

        assertThat(problems).isEmpty();
    }

    private static boolean exports(String source, String name) {
        String quoted = Pattern.quote(name);
        return Pattern.compile("export\\s+(?:async\\s+)?(?:function|const|let|class)\\s+" + quoted + "\\b").matcher(source).find()
                || Pattern.compile("export\\s*\\{[^}]*\\b" + quoted + "\\b").matcher(source).find();
    }

    private List<Path> javaScriptFiles() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(path -> path.toString().endsWith(".js")).sorted().toList();
        }
    }

    private static Set<String> matches(Pattern pattern, String text, int group) {
        Set<String> values = new HashSet<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            values.add(matcher.group(group));
        }
        return values;
    }

    private static String read(Path path) throws IOException {
        return Files.readString(path, StandardCharsets.UTF_8);
    }
}
