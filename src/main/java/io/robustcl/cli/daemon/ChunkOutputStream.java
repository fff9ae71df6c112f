package io.robustcl.cli.daemon;

import java.io.IOException;
import java.io.OutputStream;

/** An output stream that handles whole chunks only: a single byte is written as a chunk of one. */
abstract class ChunkOutputStream extends OutputStream {

  @Override
  public final void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public abstract void write(byte[] b, int off, int len) throws IOException;
}
