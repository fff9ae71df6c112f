package io.robustcl.ml.data;

import java.io.IOException;
import java.nio.file.Path;

/** A data file is truncated or malformed; the message names the file and the byte offset. */
public final class MalformedDataException extends IOException {
    private final Path file;
    private final long offset;

    public MalformedDataException(Path file, long offset, String problem) {
        super(file + ": at byte offset " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
    }

    public Path file() { return file; }

    public long offset() { return offset; }
}
