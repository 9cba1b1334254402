package io.mlhub.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlhub.hub.config.DatabaseSettings;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {

    @Test
    void migrationListNamesEveryMigrationScript() throws IOException, URISyntaxException {
        Path folder = Path.of(Objects.requireNonNull(Database.class.getResource("/db/migration")).toURI());
        List<String> versions;
        try (Stream<Path> files = Files.list(folder)) {
            versions = files.map(file -> file.getFileName().toString())
                    .filter(name -> name.startsWith("V") && name.contains("__"))
                    .map(name -> name.substring(1, name.indexOf("__")))
                    .sorted((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)))
                    .toList();
        }

        assertThat(Database.MIGRATIONS).containsExactlyElementsOf(versions);
    }

    @Test
    void reopenKeepsRowsAndMigrates(@TempDir Path dir) {
        DatabaseSettings settings = new DatabaseSettings("jdbc:h2:file:" + dir.resolve("hub"), "sa", "", 2);
        try (Database db = Database.open(settings)) {
            HubStore.over(db).users().create("alice", false, true, null);
        }
        try (Database db = Database.open(settings)) {
            assertThat(HubStore.over(db).users().find("alice")).isPresent();
            db.jdbi().useHandle(h -> h.execute("DELETE FROM \"flyway_schema_history\" WHERE \"version\" = '2'"));
            db.jdbi().useHandle(h -> h.execute("ALTER TABLE servers DROP COLUMN ssh_address"));
        }

        try (Database db = Database.open(settings)) {
            List<String> applied = db.jdbi().withHandle(h -> h.createQuery(
                    "SELECT \"version\" FROM \"flyway_schema_history\" WHERE \"success\" ORDER BY \"installed_rank\"")
                    .mapTo(String.class).list());
            assertThat(applied).endsWith("2");
            assertThat(HubStore.over(db).servers().listAll()).isEmpty();
        }
    }
}
