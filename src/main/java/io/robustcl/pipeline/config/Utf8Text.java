package io.robustcl.pipeline.config;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Strict UTF-8 decoding of a pipeline file that names the line and column of the first bad
 * byte (the JDK's {@code MalformedInputException} names neither), and refuses NUL and other
 * control characters, which have no place in a pipeline file.
 */
final class Utf8Text {

  private Utf8Text() {}

  /**
   * {@code bytes} as text.
   *
   * @throws ConfigException at the line and column of the first byte that is not UTF-8, or of
   *     the first control character other than tab, newline and carriage return
   */
  static String decode(byte[] bytes, Path file) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      int offset = in.position();
      throw new ConfigException(at(file, bytes, offset), String.format(
          "byte 0x%02x is not UTF-8; save the file as UTF-8", bytes[offset] & 0xff));
    }
    decoder.flush(out);
    out.flip();
    String text = out.toString();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
        int byteOffset = text.substring(0, i).getBytes(StandardCharsets.UTF_8).length;
        throw new ConfigException(at(file, bytes, byteOffset), String.format(
            "control character U+%04X in the file; remove it (pipeline files are plain text)", (int) c));
      }
    }
    return text;
  }

  /** The 1-based line and column (in characters) of byte {@code offset}. */
  private static Location at(Path file, byte[] bytes, int offset) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < offset; i++) {
      if (bytes[i] == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    int column = 1;
    for (int i = lineStart; i < offset; i++) {
      if ((bytes[i] & 0xc0) != 0x80) { // count characters: skip UTF-8 continuation bytes
        column++;
      }
    }
    return new Location(file, line, column);
  }

}
