package io.robustcl.ml.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A minimal reader of POSIX tar streams (ustar, with GNU long names and pax {@code path}
 * records), enough for the datasets' official archives. {@link #next()} returns entries in
 * order; {@link #content()} streams the current entry's data.
 */
final class TarArchiveReader {
    private static final int BLOCK = 512;

    /** One archive member. {@code regularFile} is false for directories, links and others. */
    record Entry(String name, long size, boolean regularFile) {}

    private final InputStream in;
    private final Path archive;
    private long offset;
    private long remaining;
    private long padding;

    TarArchiveReader(InputStream in, Path archive) {
        this.in = in;
        this.archive = archive;
    }

    /** The next entry, or null at the end of the archive; skips the unread rest of the current one. */
    @Nullable Entry next() throws IOException {
        skip(remaining + padding);
        remaining = 0;
        padding = 0;
        @Nullable String longName = null;
        while (true) {
            long headerAt = offset;
            byte[] header = new byte[BLOCK];
            if (!readBlock(header)) {
                return null;
            }
            if (isZero(header)) {
                return null;
            }
            checkChecksum(header, headerAt);
            long size = parseNumber(header, 124, 12, headerAt);
            byte type = header[156];
            long pad = (BLOCK - size % BLOCK) % BLOCK;
            if (type == 'L' || type == 'x') {
                if (size > 1 << 20) {
                    throw new MalformedDataException(archive, headerAt, "implausible extended header of " + size + " bytes");
                }
                byte[] data = new byte[(int) size];
                readFully(data);
                skip(pad);
                String text = new String(data, StandardCharsets.UTF_8);
                longName = type == 'L' ? text.replace("\0", "") : paxPath(text, longName);
                continue;
            }
            if (type == 'g') {
                skip(size + pad);
                continue;
            }
            String name = longName != null ? longName : ustarName(header);
            remaining = size;
            padding = pad;
            boolean regular = type == '0' || type == 0 || type == '7';
            return new Entry(name, size, regular);
        }
    }

    /** The current entry's bytes; read it fully or not at all before calling {@link #next()}. */
    InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining == 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) {
                    throw new MalformedDataException(archive, offset, "archive ends inside a member");
                }
                remaining -= n;
                offset += n;
                return n;
            }
        };
    }

    private static @Nullable String paxPath(String records, @Nullable String current) {
        // records: "<len> key=value\n"
        for (String line : records.split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0 && line.startsWith("path=", space + 1)) {
                return line.substring(space + 1 + "path=".length());
            }
        }
        return current;
    }

    private static String ustarName(byte[] header) {
        String name = field(header, 0, 100);
        boolean ustar = new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? field(header, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String field(byte[] header, int from, int length) {
        int end = from;
        while (end < from + length && header[end] != 0) {
            end++;
        }
        return new String(header, from, end - from, StandardCharsets.UTF_8);
    }

    private long parseNumber(byte[] header, int from, int length, long headerAt) throws MalformedDataException {
        if ((header[from] & 0x80) != 0) {
            // GNU base-256 for sizes of 8 GB and more
            long value = header[from] & 0x7f;
            for (int i = from + 1; i < from + length; i++) {
                value = (value << 8) | (header[i] & 0xff);
            }
            return value;
        }
        String text = field(header, from, length).trim();
        if (text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(text, 8);
        } catch (NumberFormatException e) {
            throw new MalformedDataException(archive, headerAt + from, "bad octal number '" + text + "' in tar header");
        }
    }

    private void checkChecksum(byte[] header, long headerAt) throws MalformedDataException {
        long stored = parseNumber(header, 148, 8, headerAt);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
        }
        if (sum != stored) {
            throw new MalformedDataException(archive, headerAt, "tar header checksum mismatch (not a tar archive?)");
        }
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Reads a header block; false at a clean end of the stream. */
    private boolean readBlock(byte[] block) throws IOException {
        int done = readUpTo(block);
        if (done == 0) {
            return false;
        }
        if (done < block.length) {
            throw new MalformedDataException(archive, offset, "archive ends inside a header");
        }
        return true;
    }

    private void readFully(byte[] data) throws IOException {
        if (readUpTo(data) < data.length) {
            throw new MalformedDataException(archive, offset, "archive ends inside a member");
        }
    }

    /** Reads until {@code buffer} is full or the stream ends; returns the bytes read. */
    private int readUpTo(byte[] buffer) throws IOException {
        int done = 0;
        while (done < buffer.length) {
            int n = in.read(buffer, done, buffer.length - done);
            if (n < 0) {
                break;
            }
            done += n;
        }
        offset += done;
        return done;
    }

    private void skip(long bytes) throws IOException {
        byte[] buffer = new byte[8192];
        long left = bytes;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new MalformedDataException(archive, offset, "archive ends inside a member");
            }
            left -= n;
            offset += n;
        }
    }
}
