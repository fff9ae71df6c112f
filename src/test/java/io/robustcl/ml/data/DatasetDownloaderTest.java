package io.robustcl.ml.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetDownloaderTest {
    @TempDir
    Path tmp;

    private static final byte[] BIG = new byte[70_000];

    static {
        for (int i = 0; i < BIG.length; i++) {
            BIG[i] = (byte) (i * 31 + 7);
        }
    }

    /**
     * A gzip'd tar archive of the given members ({@code null} content = directory entry), written by
     * Commons Compress; names are kept as given (absolute ones too), long ones as GNU long names.
     */
    static byte[] tarGz(Map<String, byte[]> members) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            for (var e : members.entrySet()) {
                byte[] data = e.getValue();
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey(), true);
                if (data != null) {
                    entry.setSize(data.length);
                }
                tar.putArchiveEntry(entry);
                if (data != null) {
                    tar.write(data);
                }
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static String hex(String algorithm, byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    }

    private Path serve(byte[] archive) throws IOException {
        Path file = tmp.resolve("served-" + System.nanoTime() + ".tar.gz");
        Files.write(file, archive);
        return file;
    }

    private static Map<String, byte[]> goodMembers() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("set/", null);
        m.put("set/a.bin", BIG);
        m.put("set/names.txt", "x\ny\n".getBytes(StandardCharsets.UTF_8));
        m.put("set/unexpected.bin", new byte[] {1, 2, 3});
        m.put("elsewhere/b.bin", new byte[] {4});
        return m;
    }

    private static List<String> listCache(Path cache) throws IOException {
        try (Stream<Path> s = Files.walk(cache)) {
            return s.map(p -> cache.relativize(p).toString()).filter(p -> !p.isEmpty()).sorted().toList();
        }
    }

    @Test
    void verifiedArchiveIsExtractedWithOnlyTheExpectedMembersAndReused() throws Exception {
        byte[] archive = tarGz(goodMembers());
        Path served = serve(archive);
        DatasetArchive spec = new DatasetArchive("tiny", served.toUri(), archive.length, hex("SHA-256", archive),
                hex("MD5", archive), "set", List.of("a.bin", "names.txt"));
        Path cache = tmp.resolve("cache");
        DatasetDownloader downloader = new DatasetDownloader(cache);
        Path dir = downloader.fetch(spec);
        assertEquals(cache.resolve("set"), dir);
        assertArrayEquals(BIG, Files.readAllBytes(dir.resolve("a.bin")));
        assertEquals("x\ny\n", Files.readString(dir.resolve("names.txt")));
        assertEquals(List.of("set", "set/a.bin", "set/names.txt"), listCache(cache));
        Files.delete(served); // a second fetch must not touch the source
        assertEquals(dir, downloader.fetch(spec));
    }

    @Test
    void wrongChecksumOrSizeExtractsNothing() throws Exception {
        byte[] archive = tarGz(goodMembers());
        Path cache = tmp.resolve("cache");
        DatasetDownloader downloader = new DatasetDownloader(cache);
        String wrong = "0".repeat(64);
        DatasetArchive badSha = new DatasetArchive("tiny", serve(archive).toUri(), archive.length, wrong,
                hex("MD5", archive), "set", List.of("a.bin"));
        IOException e = assertThrows(IOException.class, () -> downloader.fetch(badSha));
        assertTrue(e.getMessage().contains("SHA-256") && e.getMessage().contains(wrong), e.getMessage());
        DatasetArchive badMd5 = new DatasetArchive("tiny", serve(archive).toUri(), -1, hex("SHA-256", archive),
                "0".repeat(32), "set", List.of("a.bin"));
        e = assertThrows(IOException.class, () -> downloader.fetch(badMd5));
        assertTrue(e.getMessage().contains("MD5"), e.getMessage());
        DatasetArchive badSize = new DatasetArchive("tiny", serve(archive).toUri(), archive.length + 1,
                hex("SHA-256", archive), null, "set", List.of("a.bin"));
        e = assertThrows(IOException.class, () -> downloader.fetch(badSize));
        assertTrue(e.getMessage().contains("bytes"), e.getMessage());
        // the real CIFAR-10 record, served a different file
        e = assertThrows(IOException.class, () -> downloader.fetch(DatasetArchive.CIFAR10.withUri(serve(archive).toUri())));
        assertTrue(e.getMessage().contains("expected 170052171"), e.getMessage());
        assertEquals(List.of(), listCache(cache));
    }

    @Test
    void traversalEntriesAndMissingMembersFail() throws Exception {
        Map<String, byte[]> evil = new LinkedHashMap<>(goodMembers());
        evil.put("set/../../escape.bin", new byte[] {9});
        byte[] archive = tarGz(evil);
        Path cache = tmp.resolve("cache");
        DatasetDownloader downloader = new DatasetDownloader(cache);
        DatasetArchive spec = new DatasetArchive("tiny", serve(archive).toUri(), -1, hex("SHA-256", archive), null,
                "set", List.of("a.bin"));
        IOException e = assertThrows(IOException.class, () -> downloader.fetch(spec));
        assertTrue(e.getMessage().contains(".."), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("escape.bin")));

        byte[] good = tarGz(goodMembers());
        DatasetArchive missing = new DatasetArchive("tiny", serve(good).toUri(), -1, hex("SHA-256", good), null,
                "set", List.of("a.bin", "c.bin"));
        e = assertThrows(IOException.class, () -> downloader.fetch(missing));
        assertTrue(e.getMessage().contains("c.bin"), e.getMessage());
        assertEquals(List.of(), listCache(cache));
    }

    @Test
    void absolutePathsFailAndLongNamesAreRead() throws Exception {
        Map<String, byte[]> evil = new LinkedHashMap<>(goodMembers());
        evil.put("/etc/escape.bin", new byte[] {9});
        byte[] archive = tarGz(evil);
        DatasetDownloader downloader = new DatasetDownloader(tmp.resolve("cache"));
        IOException e = assertThrows(IOException.class, () -> downloader.fetch(new DatasetArchive("tiny",
                serve(archive).toUri(), -1, hex("SHA-256", archive), null, "set", List.of("a.bin"))));
        assertTrue(e.getMessage().contains("absolute path"), e.getMessage());

        String longName = "n".repeat(150) + ".bin"; // beyond ustar's 100-character name field
        Map<String, byte[]> members = new LinkedHashMap<>(goodMembers());
        members.put("set/" + longName, new byte[] {5, 6});
        byte[] good = tarGz(members);
        Path dir = downloader.fetch(new DatasetArchive("tiny", serve(good).toUri(), -1, hex("SHA-256", good), null,
                "set", List.of(longName)));
        assertArrayEquals(new byte[] {5, 6}, Files.readAllBytes(dir.resolve(longName)));
    }

    @Test
    void oversizedOrTruncatedMembersExtractNothing() throws Exception {
        byte[] archive = tarGz(goodMembers());
        Path cache = tmp.resolve("cache");
        // a.bin is 70,000 bytes: over a 65,536-byte bound
        DatasetDownloader strict = new DatasetDownloader(cache, 1 << 16);
        IOException e = assertThrows(IOException.class, () -> strict.fetch(new DatasetArchive("tiny",
                serve(archive).toUri(), -1, hex("SHA-256", archive), null, "set", List.of("a.bin"))));
        assertTrue(e.getMessage().contains("declares 70000 bytes"), e.getMessage());
        assertEquals(List.of(), listCache(cache));

        // the tar stream cut in the middle of a.bin's data, gzip'd again (the checksums match the cut file)
        byte[] tar;
        try (var in = new GZIPInputStream(new java.io.ByteArrayInputStream(archive))) {
            tar = in.readAllBytes();
        }
        ByteArrayOutputStream cut = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(cut)) {
            gz.write(tar, 0, 512 * 3 + 20_000);
        }
        byte[] truncated = cut.toByteArray();
        DatasetDownloader downloader = new DatasetDownloader(cache);
        e = assertThrows(IOException.class, () -> downloader.fetch(new DatasetArchive("tiny",
                serve(truncated).toUri(), -1, hex("SHA-256", truncated), null, "set", List.of("a.bin"))));
        assertTrue(e.getMessage().contains("tiny") || e.getMessage().contains("served"), e.getMessage());
        assertTrue(e.getMessage().contains("runcated"), e.getMessage());
        assertEquals(List.of(), listCache(cache));
    }
}
