package io.robustcl.ml.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Downloads an official dataset archive into a cache directory and extracts it:
 * the archive is streamed to a temporary file while its SHA-256 and MD5 are computed, both
 * known checksums (and the size, when known) are verified, only the expected members are
 * extracted (an entry with an absolute path or {@code ..} fails the whole extraction, and so does
 * an expected member whose size is implausible or whose data is cut short) into a temporary
 * directory, which is then renamed atomically to {@code cache/<directory>}. A
 * present directory is reused without any network access. The tar format (ustar, GNU long
 * names, pax headers) is read by Apache Commons Compress.
 */
public final class DatasetDownloader {
    private static final int MAX_REDIRECTS = 5;
    /** Larger than any member of the official archives (STL-10's unlabeled_X.bin is 2.76 GB). */
    static final long MAX_MEMBER_BYTES = 8L << 30;
    private final Path cacheDir;
    private final long maxMemberBytes;

    public DatasetDownloader(Path cacheDir) {
        this(cacheDir, MAX_MEMBER_BYTES);
    }

    /** With a smaller bound on a member's size, for tests. */
    DatasetDownloader(Path cacheDir, long maxMemberBytes) {
        this.cacheDir = cacheDir;
        this.maxMemberBytes = maxMemberBytes;
    }

    /** Where {@code archive} is (or will be) extracted. */
    public Path location(DatasetArchive archive) {
        return cacheDir.resolve(archive.directory());
    }

    /** The extracted directory of {@code archive}, downloading it first if it is not in the cache. */
    public Path fetch(DatasetArchive archive) throws IOException {
        Path target = location(archive);
        if (Files.isDirectory(target)) {
            return target;
        }
        Files.createDirectories(cacheDir);
        Path download = Files.createTempFile(cacheDir, "." + archive.name() + "-", ".download");
        Path staging = Files.createTempDirectory(cacheDir, "." + archive.name() + "-extract-");
        try {
            download(archive, download);
            extract(archive, download, staging);
            try {
                Files.move(staging.resolve(archive.directory()), target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                // another process finished first; its copy is verified as well
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename " + staging + " to " + target + " atomically", e);
            }
            return target;
        } finally {
            Files.deleteIfExists(download);
            deleteTree(staging);
        }
    }

    private void download(DatasetArchive archive, Path file) throws IOException {
        MessageDigest sha256 = digest("SHA-256");
        MessageDigest md5 = digest("MD5");
        long count = 0;
        try (InputStream raw = open(archive.uri());
                InputStream in = new DigestInputStream(new DigestInputStream(raw, sha256), md5);
                OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                count += n;
            }
        }
        if (archive.bytes() >= 0 && count != archive.bytes()) {
            throw new IOException(archive.uri() + ": downloaded " + count + " bytes, expected " + archive.bytes()
                    + " (interrupted download or a different file); nothing was extracted");
        }
        check(archive, "SHA-256", archive.sha256(), sha256);
        check(archive, "MD5", archive.md5(), md5);
    }

    private static void check(DatasetArchive archive, String algorithm, @org.jspecify.annotations.Nullable String expected,
            MessageDigest digest) throws IOException {
        if (expected == null) {
            return;
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(expected)) {
            throw new IOException(archive.uri() + ": " + algorithm + " is " + actual + ", expected " + expected
                    + "; the download is corrupt or not the official archive, so nothing was extracted");
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required of every Java platform", e);
        }
    }

    /** Opens {@code uri} (file, http or https), following redirects across protocols. */
    private static InputStream open(URI uri) throws IOException {
        URL url = uri.toURL();
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            URLConnection connection = url.openConnection();
            connection.setConnectTimeout(30_000);
            connection.setReadTimeout(60_000);
            if (!(connection instanceof HttpURLConnection http)) {
                return connection.getInputStream();
            }
            http.setInstanceFollowRedirects(false);
            int status = http.getResponseCode();
            if (status >= 300 && status < 400 && http.getHeaderField("Location") != null) {
                url = URI.create(url.toString()).resolve(http.getHeaderField("Location")).toURL();
                http.disconnect();
                continue;
            }
            if (status != HttpURLConnection.HTTP_OK) {
                http.disconnect();
                throw new IOException(url + ": HTTP " + status + " " + http.getResponseMessage());
            }
            return http.getInputStream();
        }
        throw new IOException(uri + ": more than " + MAX_REDIRECTS + " redirects");
    }

    private void extract(DatasetArchive archive, Path tarGz, Path staging) throws IOException {
        Set<String> expected = new HashSet<>();
        for (String member : archive.members()) {
            expected.add(archive.directory() + "/" + member);
        }
        Set<String> found = new HashSet<>();
        Files.createDirectories(staging.resolve(archive.directory()));
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new GZIPInputStream(Files.newInputStream(tarGz), 1 << 16))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                String name = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
                if (name.startsWith("/") || name.contains("\\") || Stream.of(name.split("/")).anyMatch(".."::equals)) {
                    throw new IOException(archive.uri() + ": archive member '" + entry.getName()
                            + "' has an absolute path or '..'; refusing to extract");
                }
                if (!entry.isFile() || !expected.contains(name) || !found.add(name)) {
                    continue;
                }
                if (entry.getSize() < 0 || entry.getSize() > maxMemberBytes) {
                    throw new IOException(archive.uri() + ": archive member '" + name + "' declares " + entry.getSize()
                            + " bytes, more than the " + maxMemberBytes + " any dataset member has; refusing to extract");
                }
                long copied = Files.copy(tar, staging.resolve(name));
                if (copied != entry.getSize()) {
                    throw new IOException(archive.uri() + ": archive member '" + name + "' has " + copied
                            + " bytes, its header says " + entry.getSize() + " (truncated archive)");
                }
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(archive.uri().toString())) {
                throw e;
            }
            // Commons Compress names neither the archive nor what to do
            throw new IOException(archive.uri() + ": not a readable tar.gz archive (" + e.getMessage()
                    + "); delete it and fetch again", e);
        }
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(found);
        if (!missing.isEmpty()) {
            throw new IOException(archive.uri() + ": archive lacks the expected members " + missing.stream().sorted().toList());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
