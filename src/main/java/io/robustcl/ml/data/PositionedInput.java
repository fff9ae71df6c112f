package io.robustcl.ml.data;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** A buffered file reader that knows its byte offset, so every failure can name file and offset. */
final class PositionedInput implements Closeable {
    private final Path file;
    private final InputStream in;
    private long offset;

    PositionedInput(Path file) throws IOException {
        this.file = file;
        this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    }

    Path file() { return file; }

    long offset() { return offset; }

    /** Fills {@code buffer} or fails naming what was being read and where the file ended. */
    void readFully(byte[] buffer, String what) throws IOException {
        int done = 0;
        while (done < buffer.length) {
            int n = in.read(buffer, done, buffer.length - done);
            if (n < 0) {
                throw new MalformedDataException(file, offset + done,
                        "file ends while reading " + what + " (" + buffer.length + " bytes expected, " + done + " present)");
            }
            done += n;
        }
        offset += buffer.length;
    }

    /** Reads one byte, or returns -1 at a clean end of file. */
    int readOptionalByte() throws IOException {
        int b = in.read();
        if (b >= 0) {
            offset++;
        }
        return b;
    }

    int readInt(String what) throws IOException {
        byte[] b = new byte[4];
        readFully(b, what);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    MalformedDataException error(String problem) {
        return new MalformedDataException(file, offset, problem);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
