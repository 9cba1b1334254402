package io.mlhub.hub.spawn.docker;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Packs one file and its folder into a tar archive for the engine's copy-to-container call, owned by root
 * with modes that sshd's ownership checks accept (folder 0755, file 0644).
 */
final class KeysArchive {
    private KeysArchive() {}

    /** Returns a tar archive holding {@code content} at the absolute {@code path}, to be extracted at {@code /}. */
    static byte[] of(String path, String content) throws IOException {
        String relative = path.substring(1);
        String folder = relative.substring(0, relative.lastIndexOf('/') + 1);
        byte[] bytes = content.getBytes(UTF_8);

        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(archive)) {
            TarArchiveEntry folderEntry = new TarArchiveEntry(folder);
            folderEntry.setMode(040755);
            tar.putArchiveEntry(folderEntry);
            tar.closeArchiveEntry();

            TarArchiveEntry fileEntry = new TarArchiveEntry(relative);
            fileEntry.setMode(0100644);
            fileEntry.setSize(bytes.length);
            tar.putArchiveEntry(fileEntry);
            tar.write(bytes);
            tar.closeArchiveEntry();
        }
        return archive.toByteArray();
    }
}
