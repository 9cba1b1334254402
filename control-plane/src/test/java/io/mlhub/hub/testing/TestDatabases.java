package io.mlhub.hub.testing;

import io.mlhub.hub.config.DatabaseSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves a {@link Factory} parameter that creates empty databases of either kind. PostgreSQL is started once
 * per test JVM, on first use, and stopped when JUnit closes its root store at the end of the run.
 */
public final class TestDatabases implements ParameterResolver {
    /** The databases the store and API tests run against. */
    public enum Kind { H2, POSTGRES }

    /** Creates empty databases. */
    public interface Factory {
        DatabaseSettings create(Kind kind);
    }

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TestDatabases.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Factory.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return (Factory) kind -> switch (kind) {
            case H2 -> DatabaseSettings.embedded(tempDir());
            case POSTGRES -> new DatabaseSettings(postgres(context).createDatabase(), "postgres", "", 5);
        };
    }

    private static java.nio.file.Path tempDir() {
        try {
            java.nio.file.Path dir = Files.createTempDirectory("mlhub-h2-");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PostgresServer postgres(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).computeIfAbsent("server", key -> {
            try {
                return PostgresServer.start();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start test postgres", e);
            }
        }, PostgresServer.class);
    }
}
